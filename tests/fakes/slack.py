"""A fake Slack Web API (and Socket Mode link) on 127.0.0.1 that records every call.

It answers the methods the Slack channel uses: ``auth.test``, ``chat.postMessage``,
``chat.postEphemeral``, ``chat.update``, ``users.info``, ``conversations.open``,
the three steps of ``files_upload_v2`` (``files.getUploadURLExternal``, the
upload itself, ``files.completeUploadExternal``), ``files.info`` and
``apps.connections.open`` with a WebSocket that delivers Socket Mode envelopes.
Arguments are read from the query string, form and JSON bodies alike, as
slack_sdk uses all three.

Files that users share (``share_file``) are served at their ``url_private`` and
``url_private_download`` as files.slack.com does: only to the bot token, and only
while the bot has the ``files:read`` scope; anything else gets a 403.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import WSMsgType, web
from tests.fakes.loopback import serve_on_loopback

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0001"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str


@dataclass
class Upload:
    file_id: str
    data: bytes


@dataclass
class Download:
    file_id: str
    token: str
    status: int


@dataclass
class FakeSlack:
    """Start with ``async with FakeSlack() as slack``; ``slack.base_url`` ends with '/' as slack_sdk needs."""

    emails: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    fail: dict[str, str] = field(default_factory=dict)
    scopes: set[str] = field(default_factory=lambda: {"chat:write", "files:read", "files:write", "users:read"})
    files: dict[str, tuple[dict[str, Any], bytes]] = field(default_factory=dict)
    downloads: list[Download] = field(default_factory=list)
    _ts: Any = field(default_factory=lambda: itertools.count(1))
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/files-pri/{key}/{name}", self._download)
        app.router.add_get("/files-pri/{key}/download/{name}", self._download)
        app.router.add_get("/socket", self._socket)
        self._runner, self.port = await serve_on_loopback(app, access_log=None)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for ws in list(self._sockets):
            await ws.close()
        assert self._runner is not None
        await self._runner.cleanup()

    # assertions

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Poll until ``method`` was called ``count`` times; fail with what was called instead."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.called(method)) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"expected {count} {method} call(s); got: {[c.method for c in self.calls]}")
            await asyncio.sleep(0.02)
        return self.called(method)

    async def wait_until(self, check: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not check():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.02)

    # shared files

    def share_file(self, name: str, data: bytes, *, filetype: str = "csv", mimetype: str = "text/csv") -> dict[str, Any]:
        """A file a user shared: its object as Slack puts it in a message's ``files``, served at its private URLs."""
        file_id = f"F{next(self._ts):05d}"
        base = f"http://127.0.0.1:{self.port}/files-pri/{TEAM}-{file_id}"
        meta = {
            "id": file_id, "created": 1700000000, "timestamp": 1700000000, "name": name, "title": name,
            "mimetype": mimetype, "filetype": filetype, "pretty_type": filetype.upper(), "user": "U123",
            "user_team": TEAM, "editable": False, "size": len(data), "mode": "hosted", "is_external": False,
            "is_public": False, "url_private": f"{base}/{name}", "url_private_download": f"{base}/download/{name}",
            "permalink": f"https://chatops-test.slack.com/files/U123/{file_id}/{name}",
        }
        self.files[file_id] = (meta, data)
        return dict(meta)

    # Socket Mode

    async def push_envelope(self, envelope: dict[str, Any]) -> None:
        """Send an envelope to the connected Socket Mode client (waits for it to connect)."""
        await self.wait_until(lambda: bool(self._sockets), timeout=10.0)
        await self._sockets[-1].send_str(json.dumps(envelope))

    # handlers

    async def _arguments(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(await request.post())
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._arguments(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or str(args.get("token", ""))
        self.calls.append(Call(method, args, token))
        if method in self.fail:
            return web.json_response({"ok": False, "error": self.fail[method]})
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != expected:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        answer = self._answer(method, args)
        return web.json_response(answer if answer is not None else {"ok": False, "error": "unknown_method"})

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any] | None:
        ts = f"1700000000.{next(self._ts):06d}"
        if method == "auth.test":
            return {"ok": True, "url": "https://chatops-test.slack.com/", "team": "Test", "user": "chatops",
                    "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID}
        if method == "chat.postMessage":
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": {"text": args.get("text"), "ts": ts}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts"), "text": args.get("text")}
        if method == "users.info":
            user = str(args.get("user"))
            profile = {"email": self.emails[user]} if user in self.emails else {}
            return {"ok": True, "user": {"id": user, "profile": profile}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": f"D{args.get('users')}"}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):05d}"
            return {"ok": True, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = json.loads(args.get("files", "[]"))
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
        if method == "files.info":
            if "files:read" not in self.scopes:
                return {"ok": False, "error": "missing_scope", "needed": "files:read"}
            shared = self.files.get(str(args.get("file")))
            return {"ok": True, "file": shared[0]} if shared else {"ok": False, "error": "file_not_found"}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return None

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads.append(Upload(request.match_info["file_id"], await request.read()))
        return web.Response(text=f"OK - {len(self.uploads[-1].data)}")

    async def _download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["key"].removeprefix(f"{TEAM}-")
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        shared = self.files.get(file_id)
        if token != BOT_TOKEN or "files:read" not in self.scopes:
            status = 403
        else:
            status = 200 if shared and shared[0]["name"] == request.match_info["name"] else 404
        self.downloads.append(Download(file_id, token, status))
        if status != 200 or shared is None:
            return web.Response(status=status, text="Forbidden" if status == 403 else "Not found")
        return web.Response(body=shared[1], content_type=shared[0]["mimetype"])

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}}))
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self.acks.append(json.loads(message.data))
        finally:
            self._sockets.remove(ws)
        return ws
