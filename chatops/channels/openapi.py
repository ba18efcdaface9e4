"""The OpenAPI document of the HTTP API, kept as data in ``openapi.yaml`` and served at ``/api/openapi.json``.

The document is hand-written (the routes are plain aiohttp handlers, nothing to
generate it from); tests hold it to the app: every route is documented, and
real responses validate against its schemas. Limits that come from settings
are filled in when the app is built.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from aiohttp import web

from chatops import __version__
from chatops.config import Settings
from chatops.server_keys import SETTINGS

PATH = "/api/openapi.json"


@lru_cache(maxsize=1)
def _template() -> dict[str, Any]:
    text = resources.files("chatops.channels").joinpath("openapi.yaml").read_text(encoding="utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    return document


def document(settings: Settings) -> dict[str, Any]:
    """The document for a service running with ``settings``."""
    doc = copy.deepcopy(_template())
    doc["info"]["version"] = __version__
    query = doc["components"]["schemas"]["QueryRequest"]["properties"]
    query["text"]["maxLength"] = settings.server.max_utterance_chars
    header = settings.dialogflow.header_name
    if header:
        doc["components"]["securitySchemes"]["dialogflowHeader"]["name"] = header
    return doc


def setup(app: web.Application) -> None:
    body: bytes | None = None

    async def serve(request: web.Request) -> web.Response:
        nonlocal body
        if body is None:  # settings are in the app by the first request; the document never changes after
            body = json.dumps(document(request.app[SETTINGS]), separators=(",", ":")).encode()
        return web.Response(body=body, content_type="application/json")

    app.router.add_get(PATH, serve)
