"""A fake Slack Web API (and Socket Mode link) on 127.0.0.1 that records every call, as strict as Slack's documentation.

It answers the methods the Slack channel uses: ``auth.test``, ``chat.postMessage``,
``chat.postEphemeral``, ``chat.update``, ``users.info``, ``conversations.open``,
the three steps of ``files_upload_v2`` (``files.getUploadURLExternal``, the
upload itself, ``files.completeUploadExternal``), ``files.info`` and
``apps.connections.open`` with a WebSocket that delivers Socket Mode envelopes;
and the ``response_url`` of slash commands and clicks. Arguments are read from the
query string, form and JSON bodies alike, as slack_sdk uses all three.

What each method checks lives with its state: ``slack_workspace`` (conversations,
membership, messages), ``slack_uploads`` (file uploads), ``slack_responses``
(``response_url``). Nothing is a member of anything until a test says so:
``slack.workspace.add_channel(CHANNEL, USER, BOT_USER)``. Rate limits are
``slack_ratelimit.RateLimitProxy``, put in front of this fake.

Files that users share (``share_file``) are served at their ``url_private`` and
``url_private_download`` as files.slack.com does: only to the bot token, and only
while the bot has the ``files:read`` scope; anything else gets a 403.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import WSMsgType, web
from tests.fakes.loopback import serve_on_loopback
from tests.fakes.slack_responses import Posted, ResponseUrls
from tests.fakes.slack_uploads import Upload, Uploads
from tests.fakes.slack_workspace import (
    BOT_USER,
    SlackError,
    Workspace,
    open_direct,
    post_ephemeral,
    post_message,
    update,
    users_info,
)

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
BOT_ID = "BBOT"
TEAM = "T0001"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str
    answer: dict[str, Any] = field(default_factory=dict)


@dataclass
class Download:
    file_id: str
    token: str
    status: int


@dataclass
class FakeSlack:
    """Start with ``async with FakeSlack() as slack``; ``slack.base_url`` ends with '/' as slack_sdk needs."""

    emails: dict[str, str] = field(default_factory=dict)
    workspace: Workspace = field(default_factory=Workspace)
    calls: list[Call] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    fail: dict[str, str] = field(default_factory=dict)
    refusals_expected: bool = False  # a test of refusals sets it; the channel tests' fixture checks there were none otherwise
    scopes: set[str] = field(default_factory=lambda: {"chat:write", "files:read", "files:write", "users:read"})
    files: dict[str, tuple[dict[str, Any], bytes]] = field(default_factory=dict)
    downloads: list[Download] = field(default_factory=list)
    filestore: Uploads = field(default_factory=Uploads)
    responses: ResponseUrls = field(default_factory=ResponseUrls)
    _ts: Any = field(default_factory=lambda: itertools.count(1))
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    port: int = 0

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/api/"

    @property
    def uploads(self) -> list[Upload]:
        """Every body posted to an upload URL."""
        return self.filestore.received

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{key}", self._respond)
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

    def succeeded(self, method: str) -> list[Call]:
        return [c for c in self.called(method) if c.answer.get("ok")]

    def refused(self) -> list[Call]:
        """Calls Slack would have refused: a test that expects none checks this is empty."""
        return [c for c in self.calls if not c.answer.get("ok")]

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

    # response_url

    def response_url(self, channel: str, user: str, *, original: str | None = None, ephemeral: bool = False) -> str:
        """A link as a payload carries it: for a slash command (no ``original``) or a click on message ``original``."""
        key = secrets.token_hex(8)
        self.responses.issue(key, channel, user, original=original, ephemeral=ephemeral)
        return f"{self.origin}/response/{key}"

    def advance(self, seconds: float) -> None:
        """Move the fake's clock on (response_url links expire thirty minutes after their payload)."""
        self.responses.offset += seconds

    async def wait_for_responses(self, count: int = 1, timeout: float = 5.0) -> list[Posted]:
        await self.wait_until(lambda: len(self.responses.posted) >= count, timeout)
        return self.responses.posted

    # shared files

    def share_file(self, name: str, data: bytes, *, filetype: str = "csv", mimetype: str = "text/csv") -> dict[str, Any]:
        """A file a user shared: its object as Slack puts it in a message's ``files``, served at its private URLs."""
        file_id = f"F{next(self._ts):05d}"
        base = f"{self.origin}/files-pri/{TEAM}-{file_id}"
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
        call = Call(method, args, token)
        self.calls.append(call)
        call.answer = self._answer(method, args, token)
        return web.json_response(call.answer)

    def _answer(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        if method in self.fail:
            return {"ok": False, "error": self.fail[method]}
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != expected:
            return {"ok": False, "error": "invalid_auth"}
        ts = f"1700000000.{next(self._ts):06d}"
        try:
            return self._method(method, args, token, ts)
        except SlackError as exc:
            return exc.answer()

    def _method(self, method: str, args: dict[str, Any], token: str, ts: str) -> dict[str, Any]:
        ws = self.workspace
        if method == "auth.test":
            return {"ok": True, "url": "https://chatops-test.slack.com/", "team": "Test", "user": "chatops",
                    "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID}
        if method == "chat.postMessage":
            return post_message(ws, args, ts)
        if method == "chat.postEphemeral":
            return post_ephemeral(ws, args, ts)
        if method == "chat.update":
            return update(ws, args)
        if method == "users.info":
            return users_info(ws, args, self.emails)
        if method == "conversations.open":
            return open_direct(ws, args)
        if method == "files.getUploadURLExternal":
            return self.filestore.get_url(args, file_id=f"F{next(self._ts):05d}", token=token, base=self.origin)
        if method == "files.completeUploadExternal":
            return self.filestore.complete(ws, args, token=token)
        if method == "files.info":
            if "files:read" not in self.scopes:
                return {"ok": False, "error": "missing_scope", "needed": "files:read"}
            shared = self.files.get(str(args.get("file")))
            return {"ok": True, "file": shared[0]} if shared else {"ok": False, "error": "file_not_found"}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": False, "error": "unknown_method"}

    async def _upload(self, request: web.Request) -> web.Response:
        status, text = self.filestore.receive(request.match_info["file_id"], await request.read())
        return web.Response(status=status, text=text)

    async def _respond(self, request: web.Request) -> web.Response:
        try:
            body = await request.json() if request.content_type == "application/json" else None
        except ValueError:
            body = None
        ts = f"1700000000.{next(self._ts):06d}"
        status, text = self.responses.handle(self.workspace, request.match_info["key"], body, ts=ts)
        return web.Response(status=status, text=text)

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
