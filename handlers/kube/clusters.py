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
import os
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

from chatops.config import KubeSettings, Settings
from chatops.errors import ConfigError
from chatops.fulfillment import InputError, PermanentError
from handlers.kube import k8s

log = logging.getLogger(__name__)

IN_CLUSTER = "in-cluster"
DEFAULT_KUBECONFIG = "~/.kube/config"


class Cluster:
    """One cluster's API client, with the call timeout from settings."""

    def __init__(self, name: str, api: k8s.ApiClient, *, timeout: float) -> None:
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
            raise k8s.ApiException(http_resp=k8s.RESTResponse(response, body))
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
        # No kubeconfig is not fatal: the other handlers still work, these say why they cannot.
        path = settings.kubeconfig or DEFAULT_KUBECONFIG
        if not kubeconfig_files(path):
            # Looked for before the client is imported, so a service without clusters never loads it.
            log.warning("no Kubernetes clusters: no kubeconfig file at %s", path)
            return cls(settings, (), None)
        try:
            contexts, current = k8s.list_kube_config_contexts(path)
        except (k8s.ConfigException, OSError) as exc:
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

    async def _connect(self, name: str) -> k8s.ApiClient:
        configuration = k8s.Configuration()
        try:
            if self.settings.in_cluster:
                k8s.load_incluster_config(client_configuration=configuration)  # not a coroutine, unlike load_kube_config
            else:
                loader = await k8s.load_kube_config(
                    config_file=self.settings.kubeconfig or DEFAULT_KUBECONFIG,
                    context=name,
                    client_configuration=configuration,
                    persist_config=False,
                )
                # Tokens from exec plugins and the gcp provider expire; this renews them (and ends at once otherwise).
                self._refreshers.append(asyncio.create_task(k8s.refresh_token(loader, configuration)))
        except (k8s.ConfigException, OSError, ValueError) as exc:
            raise PermanentError(
                f"I could not load the credentials for cluster {name}.", detail=f"{name}: {type(exc).__name__}: {exc}"
            ) from exc
        return k8s.ApiClient(configuration)

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


def kubeconfig_files(path: str) -> list[Path]:
    """The files of a kubeconfig path that exist; like KUBECONFIG, it may list several (the client merges them)."""
    candidates = (Path(part).expanduser() for part in path.split(os.pathsep) if part)
    return [candidate for candidate in candidates if candidate.exists()]


@asynccontextmanager
async def open_clusters(settings: Settings) -> AsyncIterator[Clusters]:
    """The resource factory the kube tables register: clusters live as long as the app."""
    clusters = Clusters.from_settings(settings.kube)
    try:
        yield clusters
    finally:
        await clusters.close()
