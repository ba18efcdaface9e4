"""Typed keys for what the aiohttp app holds.

The runtime is opened at start-up, after the app is frozen, so the app holds a
slot that start-up fills rather than gaining a new key.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from chatops.config import Settings
from chatops.errors import ChatOpsError
from chatops.runtime import Runtime


@dataclass
class RuntimeSlot:
    current: Runtime | None = None

    @property
    def runtime(self) -> Runtime:
        if self.current is None:
            raise ChatOpsError("The service is still starting; try again in a moment.")
        return self.current


SETTINGS = web.AppKey("settings", Settings)
RUNTIME = web.AppKey("runtime", RuntimeSlot)
# The id the observe middleware gave the request: channels read it here, not from a header on a clone of the request.
REQUEST_ID_KEY = web.RequestKey("request_id", str)
