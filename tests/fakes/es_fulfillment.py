"""A loopback ES fulfillment webhook, written the way Google's ES sample webhooks are.

    async with FakeFulfillment(username="df", password="pw") as webhook:
        webhook.intents["order pizza"] = lambda request: {"fulfillmentText": "..."}
        settings ... CHATOPS_FULFILLMENT_URL=webhook.url

Like the samples, it dispatches on ``queryResult.intent.displayName`` (an intent
map), reads ``queryResult.action`` and ``parameters``, and answers a v2
WebhookResponse. It is as strict as the WebhookRequest reference: POST with a
JSON body, ``session`` a ``projects/<p>/agent/sessions/<s>`` path, every output
context named under that session, the documented queryResult fields present;
anything else is a 400. Configured basic auth or headers missing: 401. Queued
faults are served first (a 500, or a delay past the caller's deadline). Every
request and its headers is recorded. ``protocol="v1"`` serves the legacy v1
webhook instead: ``result`` with ``resolvedQuery``, ``metadata.intentName`` and
``contexts`` named by their short names.
"""

from __future__ import annotations

import asyncio
import base64
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import web
from tests.fakes.loopback import serve_on_loopback

SESSION = re.compile(r"^projects/[^/]+/agent/sessions/[^/]+$")
QUERY_RESULT_FIELDS = {
    "queryText": str, "action": str, "parameters": dict, "allRequiredParamsPresent": bool,
    "outputContexts": list, "intent": dict, "languageCode": str,
}


@dataclass(frozen=True)
class WebhookRequest:
    """The parts of a request an ES sample webhook reads (``agent.parameters`` and the like)."""

    body: dict[str, Any]

    @property
    def session(self) -> str:
        return str(self.body.get("session") or self.body.get("sessionId"))

    @property
    def result(self) -> dict[str, Any]:
        return dict(self.body.get("queryResult") or self.body["result"])

    @property
    def intent(self) -> str:
        result = self.result
        return str(result["intent"]["displayName"] if "intent" in result else result["metadata"]["intentName"])

    @property
    def action(self) -> str:
        return str(self.result["action"])

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self.result["parameters"])

    def context(self, name: str) -> dict[str, Any] | None:
        """An input context by its short name, as the samples' ``agent.context.get`` finds it."""
        full = f"{self.session}/contexts/{name}"
        return next((c for c in self.result["outputContexts"] if c["name"] == full), None)


@dataclass
class Fault:
    """``500`` answers an error page; ``slow`` answers after ``delay`` seconds."""

    kind: str
    delay: float = 0.0


Handler = Callable[[WebhookRequest], dict[str, Any]]


@dataclass
class FakeFulfillment:
    username: str | None = None
    password: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    intents: dict[str, Handler] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: list[WebhookRequest] = field(default_factory=list)
    received_headers: list[dict[str, str]] = field(default_factory=list)
    protocol: str = "v2"
    url: str = ""

    async def __aenter__(self) -> FakeFulfillment:
        app = web.Application()
        app.router.add_post("/fulfillment", self._handle)
        self._runner, port = await serve_on_loopback(app)
        self.url = f"http://127.0.0.1:{port}/fulfillment"
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._runner.cleanup()

    def calls(self, intent: str) -> list[WebhookRequest]:
        return [r for r in self.requests if r.intent == intent]

    async def _handle(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.Response(status=401, text="unauthorized")
        if request.content_type != "application/json":
            return web.Response(status=400, text="expected application/json")
        body = await request.json()
        problem = _invalid_v1(body) if self.protocol == "v1" else _invalid(body)
        if problem:
            return web.Response(status=400, text=problem)
        self.requests.append(WebhookRequest(body))
        self.received_headers.append(dict(request.headers))
        if self.faults:
            fault = self.faults.pop(0)
            if fault.kind == "500":
                return web.Response(status=500, text="<html>Internal Server Error</html>", content_type="text/html")
            await asyncio.sleep(fault.delay)
        handler = self.intents.get(WebhookRequest(body).intent)
        if handler is None:  # the samples' intentMap has no entry: the library answers an error
            return web.Response(status=500, text="No handler for requested intent")
        return web.json_response(handler(WebhookRequest(body)))

    def _authorized(self, request: web.Request) -> bool:
        if any(request.headers.get(name) != value for name, value in self.headers.items()):
            return False
        if self.username is None:
            return True
        expected = base64.b64encode(f"{self.username}:{self.password or ''}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"


def _invalid(body: Any) -> str:
    """What a WebhookRequest lacks, per the v2 reference; empty when it is well formed."""
    if not isinstance(body, dict) or not isinstance(body.get("responseId"), str) or not body["responseId"]:
        return "responseId is required"
    session = body.get("session")
    if not isinstance(session, str) or not SESSION.match(session):
        return "session must be projects/<project>/agent/sessions/<session>"
    result = body.get("queryResult")
    if not isinstance(result, dict):
        return "queryResult is required"
    for name, kind in QUERY_RESULT_FIELDS.items():
        if not isinstance(result.get(name), kind):
            return f"queryResult.{name} must be a {kind.__name__}"
    if not result["intent"].get("displayName") or not str(result["intent"].get("name", "")).startswith("projects/"):
        return "queryResult.intent needs name and displayName"
    for context in result["outputContexts"]:
        if not str(context.get("name", "")).startswith(f"{session}/contexts/") or not isinstance(context.get("lifespanCount", 0), int):
            return "an output context is not named under the session"
    return ""


def _invalid_v1(body: Any) -> str:
    """What a v1 webhook request lacks; empty when it is well formed."""
    if not isinstance(body, dict) or not body.get("id") or not isinstance(body.get("sessionId"), str):
        return "id and sessionId are required"
    result = body.get("result")
    if not isinstance(result, dict) or not isinstance(result.get("resolvedQuery"), str):
        return "result.resolvedQuery is required"
    if not isinstance(result.get("metadata"), dict) or not result["metadata"].get("intentName"):
        return "result.metadata.intentName is required"
    if any("/" in str(c.get("name", "")) or not isinstance(c.get("lifespan"), int) for c in result.get("contexts", [])):
        return "v1 contexts carry short names and a lifespan"
    return ""
