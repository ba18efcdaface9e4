"""The outbound call to the agent's own fulfillment webhook, with ES's deadline and credentials.

Whatever goes wrong (no answer within the deadline, a refused connection, a
non-2xx status, a body that is not a JSON object) the call answers None and the
intent's static response stands, as in ES. Such failures are logged with the
status or error kind only: an upstream body or the URL (which may carry a
token) never reaches the log.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

import aiohttp

from chatops.config import FulfillmentSettings
from chatops.engine.agent import WebhookSpec
from chatops.errors import ConfigError
from chatops.fulfillment import webhook_v1
from chatops.security.masking import is_secret_name, register_secret

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookTarget:
    """Where and how to call: the agent's agent.yaml, overridden field by field by the settings."""

    url: str
    headers: tuple[tuple[str, str], ...] = ()
    username: str = ""
    password: str = field(default="", repr=False)
    protocol: str = "v2"
    deadline_seconds: float = 5.0

    @classmethod
    def resolve(cls, spec: WebhookSpec, settings: FulfillmentSettings) -> WebhookTarget | None:
        """None when neither names a URL: no intent is fulfilled by a webhook then."""
        url = settings.url or spec.url
        if not url:
            return None
        protocol = settings.protocol or spec.protocol
        if protocol not in ("v2", "v1"):
            raise ConfigError(f"CHATOPS_FULFILLMENT_PROTOCOL must be v2 or v1, got {protocol!r}")
        headers = dict(spec.headers) | dict(_header(item) for item in settings.headers)
        return cls(
            url=url, headers=tuple(headers.items()), username=settings.username or spec.username,
            password=settings.password or spec.password, protocol=protocol, deadline_seconds=settings.deadline_seconds,
        )


def _header(item: str) -> tuple[str, str]:
    name, colon, value = item.partition(":")
    if not colon or not name.strip():
        raise ConfigError("CHATOPS_FULFILLMENT_HEADERS: expected 'Name: value', got an entry without a name and colon")
    return name.strip(), value.strip()


class WebhookClient:
    """POSTs WebhookRequests (v2 bodies; translated when the target speaks v1) on one aiohttp session."""

    def __init__(self, target: WebhookTarget, session: aiohttp.ClientSession) -> None:
        self.target = target
        self.session = session
        self.headers = dict(target.headers)
        if target.username or target.password:
            credentials = base64.b64encode(f"{target.username}:{target.password}".encode()).decode()
            self.headers["Authorization"] = f"Basic {credentials}"
        # The credentials (a password, an API key header) are masked wherever they might surface.
        register_secret(target.password)
        for name, value in self.headers.items():
            if name.lower() == "authorization" or is_secret_name(name):
                register_secret(value)

    async def post(self, body: dict[str, Any], *, action: str) -> dict[str, Any] | None:
        """The v2 WebhookResponse, or None when the static response must stand (the reason is logged)."""
        v1 = self.target.protocol == "v1"
        try:
            async with asyncio.timeout(self.target.deadline_seconds):
                async with self.session.post(
                    self.target.url, json=webhook_v1.request_from_v2(body) if v1 else body,
                    headers=self.headers,
                ) as response:
                    if not 200 <= response.status < 300:
                        log.warning("fulfillment webhook answered HTTP %d for %s; the static response answers", response.status, action)
                        return None
                    answer = await response.json(content_type=None)
        except TimeoutError:
            log.warning("fulfillment webhook took over %.1fs for %s; the static response answers", self.target.deadline_seconds, action)
            return None
        except (aiohttp.ClientError, ValueError) as exc:
            log.warning("fulfillment webhook call for %s failed (%s); the static response answers", action, type(exc).__name__)
            return None
        if not isinstance(answer, dict):
            log.warning("fulfillment webhook answered a non-object for %s; the static response answers", action)
            return None
        return webhook_v1.response_to_v2(answer) if v1 else answer


@asynccontextmanager
async def open_webhook_client(target: WebhookTarget) -> AsyncIterator[WebhookClient]:
    async with aiohttp.ClientSession() as session:
        yield WebhookClient(target, session)
