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

HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


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
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        async with self._session.request(request.method, self.upstream + request.path_qs, headers=headers, data=body) as upstream:
            content = await upstream.read()
            return web.Response(status=upstream.status, body=content, content_type=upstream.content_type)

    async def start(self) -> SsmFaultProxy:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()
