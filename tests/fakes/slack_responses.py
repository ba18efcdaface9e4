"""The fake's ``response_url`` endpoint: what Slack does with the link a slash command or a click carries.

- At most five posts per link, only within thirty minutes of the payload; after
  that Slack answers 404 ``used_url`` or ``expired_url``. The time is the fake's
  clock, which a test moves on with ``advance``.
- The body is JSON with ``text`` or ``blocks`` (400 ``no_text``); blocks are
  checked as the Web API checks them (400 ``invalid_blocks``).
- ``response_type`` is ``ephemeral`` (the default: only the user who typed or
  clicked sees it) or ``in_channel`` (the whole conversation, bot member or not).
- ``replace_original`` replaces the message that carried the button, keeping its
  visibility (an ephemeral message stays ephemeral); ``delete_original`` deletes
  it. A slash command's link has no original message: Slack documents no code
  for replacing one, so this fake answers 400 ``no_original_message``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.slack_workspace import BOT_USER, Conversation, SlackError, Workspace, blocks_of

USES = 5
LIFETIME_SECONDS = 30 * 60
RESPONSE_TYPES = ("ephemeral", "in_channel")


@dataclass
class Link:
    channel: str
    user: str
    issued: float
    original: str | None = None  # the ts of the message the button was on
    original_ephemeral: bool = False
    uses: int = 0


@dataclass
class Posted:
    key: str
    body: Any
    status: int
    answer: str


@dataclass
class ResponseUrls:
    links: dict[str, Link] = field(default_factory=dict)
    posted: list[Posted] = field(default_factory=list)
    offset: float = 0.0

    def now(self) -> float:
        return time.monotonic() + self.offset

    def issue(self, key: str, channel: str, user: str, *, original: str | None, ephemeral: bool) -> None:
        self.links[key] = Link(channel, user, self.now(), original, ephemeral)

    def handle(self, ws: Workspace, key: str, body: Any, *, ts: str) -> tuple[int, str]:
        """Slack's answer to a post on the link ``key``: HTTP status and body (``ok`` or an error code)."""
        try:
            self._apply(ws, key, body, ts)
            status, answer = 200, "ok"
        except LinkRefused as exc:
            status, answer = exc.status, exc.code
        self.posted.append(Posted(key, body, status, answer))
        return status, answer

    def _apply(self, ws: Workspace, key: str, body: Any, ts: str) -> None:
        link = self.links.get(key)
        if link is None:
            raise LinkRefused(404, "invalid_url")
        if self.now() - link.issued >= LIFETIME_SECONDS:
            raise LinkRefused(404, "expired_url")
        if link.uses >= USES:
            raise LinkRefused(404, "used_url")
        link.uses += 1
        if not isinstance(body, dict):
            raise LinkRefused(400, "invalid_payload")
        conversation = ws.conversations.get(link.channel)
        if conversation is None:
            raise LinkRefused(404, "channel_not_found")
        if body.get("delete_original") is True:
            self._original(conversation, link, delete=True)
            return
        try:
            message = {"text": body.get("text") or "", "blocks": blocks_of(body), "user": BOT_USER, "via": "response_url"}
        except SlackError as exc:
            raise LinkRefused(400, exc.code) from None
        if not message["text"] and not message["blocks"]:
            raise LinkRefused(400, "no_text")
        kind = body.get("response_type") or "ephemeral"
        if kind not in RESPONSE_TYPES:
            raise LinkRefused(400, "invalid_response_type")
        if body.get("replace_original") is True:
            self._original(conversation, link, delete=False).update(message)
        elif kind == "in_channel":
            conversation.messages[ts] = {**message, "ts": ts, "thread_ts": body.get("thread_ts")}
        else:
            conversation.ephemeral.append({**message, "ts": ts, "thread_ts": body.get("thread_ts"), "to": link.user})

    @staticmethod
    def _original(conversation: Conversation, link: Link, *, delete: bool) -> dict[str, Any]:
        if link.original is None:
            raise LinkRefused(400, "no_original_message")
        if link.original_ephemeral:
            found = next((m for m in conversation.ephemeral if m["ts"] == link.original), None)
        else:
            found = conversation.messages.get(link.original)
        if found is None:
            raise LinkRefused(404, "message_not_found")
        if delete and link.original_ephemeral:
            conversation.ephemeral.remove(found)
        elif delete:
            del conversation.messages[link.original]
        return found


class LinkRefused(Exception):
    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
