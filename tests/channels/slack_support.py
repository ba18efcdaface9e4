"""Signed Slack request bodies built from the captured payloads in tests/payloads/slack/, and the workspace they happen in."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import json
import time
import urllib.parse
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from chatops.config import Settings
from chatops.server_keys import RUNTIME
from tests.channels.support import with_group
from tests.fakes.slack import BOT_TOKEN, BOT_USER, FakeSlack
from tests.fakes.slack_workspace import Workspace

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads" / "slack"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
USER = "U123"
OTHER = "U999"
CHANNEL = "C042"
DM = "D0123"


def joined_workspace() -> Workspace:
    """Where the captured payloads happen: #ops (C042) with alice, a colleague and the bot; alice's DM with the bot."""
    workspace = Workspace()
    workspace.add_channel(CHANNEL, USER, OTHER, BOT_USER)
    workspace.add_im(DM, USER)
    return workspace


def payload(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / name).read_text())


def slack_settings(settings: Settings, fake: FakeSlack, **values: Any) -> Settings:
    values = {"bot_token": BOT_TOKEN, "signing_secret": SIGNING_SECRET, "api_base_url": fake.base_url, **values}
    return with_group(settings, "slack", **values)


def signed(body: bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None, content_type: str) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}", "Content-Type": content_type}


def event(name: str = "app_mention.json", *, event_id: str = "Ev0001", **fields: Any) -> dict[str, Any]:
    body = copy.deepcopy(payload(name))
    body["event_id"] = event_id
    body["event"].update(fields)
    return body


def command(text: str, **fields: str) -> bytes:
    """A ``/chatops`` body; pass ``response_url=fake.response_url(channel, user)`` for one the fake answers."""
    body = {**payload("slash_command.json"), "text": text, **fields}
    return urllib.parse.urlencode(body).encode()


def click(action_id: str, value: dict[str, Any], *, user: str = USER, message_ts: str = "1700000000.000001",
          thread: str | None = "1700000001.000100", channel: str = CHANNEL, ephemeral: bool = False,
          response_url: str | None = None) -> bytes:
    """A button click on message ``message_ts``; with ``response_url``, the click's link (else the payload's dead one)."""
    body = copy.deepcopy(payload("block_actions.json"))
    body["user"]["id"] = user
    body["container"].update(message_ts=message_ts, thread_ts=thread, channel_id=channel, is_ephemeral=ephemeral)
    body["channel"]["id"] = channel
    body["message"].update(ts=message_ts, thread_ts=thread)
    body["actions"][0].update(action_id=action_id, value=json.dumps(value))
    if response_url is not None:
        body["response_url"] = response_url
    return urllib.parse.urlencode({"payload": json.dumps(body)}).encode()


async def post_event(client: TestClient, body: dict[str, Any], **headers: str) -> tuple[int, str]:
    raw = json.dumps(body).encode()
    return await post_raw(client, raw, {**signed(raw, content_type="application/json"), **headers})


async def post_form(client: TestClient, raw: bytes, **headers: str) -> tuple[int, str]:
    return await post_raw(client, raw, {**signed(raw, content_type="application/x-www-form-urlencoded"), **headers})


async def post_raw(client: TestClient, raw: bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with client.post("/slack/events", data=raw, headers=headers) as resp:
        return resp.status, await resp.text()


async def settled(client: TestClient, timeout: float = 5.0) -> None:
    """Wait until no background turn is running (answers have been posted)."""
    tasks = client.server.app[RUNTIME].runtime.tasks
    deadline = asyncio.get_running_loop().time() + timeout
    while len(tasks):
        assert asyncio.get_running_loop().time() < deadline, "background turns did not finish"
        await asyncio.sleep(0.02)
