"""The clusters the bot may use: kubeconfig contexts or the in-cluster service account.

One ``ApiClient`` per cluster, opened on first use (so a context whose
credentials plugin is broken does not stop the service from starting) and
closed with the app. Every call reads the raw JSON response: it is cheaper
than the generated models for large lists, and it keeps the client's debug
log of whole response bodies (Secrets included) out of the picture.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable

from kubernetes_asyncio.client import ApiClient, Configuration
from kubernetes_asyncio.client.exceptions import ApiException
from kubernetes_asyncio.client.rest import RESTResponse
from kubernetes_asyncio.config import ConfigException, list_kube_config_contexts, load_incluster_config, load_kube_config
from kubernetes_asyncio.config.kube_config import KUBE_CONFIG_DEFAULT_LOCATION, refresh_token

from chatops.config import KubeSettings, Settings
from chatops.errors import ConfigError
from chatops.fulfillment import InputError, PermanentError

log = logging.getLogger(__name__)

IN_CLUSTER = "in-cluster"


class Cluster:
    """One cluster's API client, with the call timeout from settings."""

    def __init__(self, name: str, api: ApiClient, *, timeout: float) -> None:
        self.name = name
        self.api = api
        self.timeout = timeout

    async def call(self, method: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Call a generated API method and return the response's JSON as a dict.

        Non-2xx answers raise ``ApiException`` carrying the Status body, as the
        generated client would; ``errors.api_errors`` maps them for chat.
        """
        body = await self.raw(method, *args, **kwargs)
        result = json.loads(body) if body else {}
        return result if isinstance(result, dict) else {"items": result}

    async def raw(self, method: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> bytes:
        """The response body of a generated API method (a pod's log is text, not JSON)."""
        response = await method(*args, _preload_content=False, _request_timeout=self.timeout, **kwargs)
        async with response:
            body: bytes = await response.read()
        if not 200 <= response.status < 300:
            raise ApiException(http_resp=RESTResponse(response, body))
        return body


class Clusters:
    """Known cluster names, the default one, and their clients (opened lazily, closed together)."""

    def __init__(self, settings: KubeSettings, names: tuple[str, ...], default: str | None) -> None:
        self.settings = settings
        self.names = names
        self.default = default
        self._open: dict[str, Cluster] = {}
        self._locks = {name: asyncio.Lock() for name in names}
        self._refreshers: list[asyncio.Task[None]] = []

    @classmethod
    def from_settings(cls, settings: KubeSettings) -> Clusters:
        if settings.in_cluster:
            name = settings.default_cluster or IN_CLUSTER
            return cls(settings, (name,), name)
        try:
            contexts, current = list_kube_config_contexts(settings.kubeconfig or None)
        except (ConfigException, OSError) as exc:
            # No kubeconfig is not fatal: the other handlers still work, these say why they cannot.
            log.warning("no Kubernetes clusters: %s", exc)
            return cls(settings, (), None)
        available = [context["name"] for context in contexts]
        names = tuple(settings.contexts) or tuple(available)
        missing = [name for name in names if name not in available]
        if missing:
            raise ConfigError(f"kubeconfig has no context {', '.join(missing)}")  # fail at start-up, not in chat
        default = settings.default_cluster or (current or {}).get("name")
        if default not in names:
            default = names[0] if len(names) == 1 else None
        return cls(settings, names, default)

    def resolve(self, name: object) -> str:
        """The cluster a chat parameter names (case-insensitive), or the default; InputError otherwise."""
        if not self.names:
            raise InputError("No Kubernetes clusters are configured for this bot.")
        if name in (None, ""):
            if self.default is None:
                raise InputError(f"Which cluster? I know {', '.join(self.names)}.")
            return self.default
        text = str(name).strip()
        matches = [known for known in self.names if known == text] or [
            known for known in self.names if known.lower() == text.lower()
        ]
        if len(matches) != 1:
            raise InputError(f"I don't know a cluster called {text!r}; I know {', '.join(self.names)}.")
        return matches[0]

    async def get(self, name: object = None) -> Cluster:
        """The named (or default) cluster's client, opening it on first use."""
        resolved = self.resolve(name)
        async with self._locks[resolved]:
            if resolved not in self._open:
                self._open[resolved] = Cluster(resolved, await self._connect(resolved), timeout=self.settings.timeout_seconds)
        return self._open[resolved]

    async def _connect(self, name: str) -> ApiClient:
        configuration = Configuration()
        try:
            if self.settings.in_cluster:
                load_incluster_config(client_configuration=configuration)  # not a coroutine, unlike load_kube_config
            else:
                loader = await load_kube_config(
                    config_file=self.settings.kubeconfig or KUBE_CONFIG_DEFAULT_LOCATION,
                    context=name,
                    client_configuration=configuration,
                    persist_config=False,
                )
                # Tokens from exec plugins and the gcp provider expire; this renews them (and ends at once otherwise).
                self._refreshers.append(asyncio.create_task(refresh_token(loader, configuration)))
        except (ConfigException, OSError, ValueError) as exc:
            raise PermanentError(
                f"I could not load the credentials for cluster {name}.", detail=f"{name}: {type(exc).__name__}: {exc}"
            ) from exc
        return ApiClient(configuration)

    async def close(self) -> None:
        for task in self._refreshers:
            task.cancel()
        for task in self._refreshers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for cluster in self._open.values():
            await cluster.api.close()
        self._open.clear()
        self._refreshers.clear()


@asynccontextmanager
async def open_clusters(settings: Settings) -> AsyncIterator[Clusters]:
    """The resource factory the kube tables register: clusters live as long as the app."""
    clusters = Clusters.from_settings(settings.kube)
    try:
        yield clusters
    finally:
        await clusters.close()
