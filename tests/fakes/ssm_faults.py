"""A loopback proxy in front of a moto SSM server that injects AWS failures on demand.

Moto never throttles or denies, so this proxy answers chosen operations with
the error responses AWS sends (the JSON protocol's ``__type`` bodies, or a
bare HTTP 403) a given number of times, and forwards everything else.
It records the operation of every request it received.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from tests.fakes.loopback import forward, serve_on_loopback



@dataclass
class Fault:
    operation: str
    times: int
    status: int
    code: str | None  # None: an empty body, as a gateway's bare 403


class SsmFaultProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.received: list[str] = []
        self._faults: list[Fault] = []
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    def fail(self, operation: str, *, times: int, status: int = 400, code: str | None = "ThrottlingException") -> None:
        """Answer the next ``times`` requests for ``operation`` (``GetParameter``...) with this error."""
        self._faults.append(Fault(operation, times, status, code))

    def count(self, operation: str) -> int:
        return self.received.count(operation)

    async def _handle(self, request: web.Request) -> web.Response:
        operation = request.headers.get("X-Amz-Target", "").rpartition(".")[2]
        self.received.append(operation)
        body = await request.read()
        for fault in self._faults:
            if fault.operation == operation and fault.times > 0:
                fault.times -= 1
                payload = json.dumps({"__type": fault.code, "message": "injected by the test"}) if fault.code else ""
                return web.Response(status=fault.status, text=payload, content_type="application/x-amz-json-1.1")
        assert self._session is not None
        return await forward(self._session, request, self.upstream + request.path_qs, body)

    async def start(self) -> SsmFaultProxy:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner, port = await serve_on_loopback(app, access_log=None)
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()
