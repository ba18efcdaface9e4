"""Answering through a payload's ``response_url``: how Slack lets an app reply where its bot is not a member.

A slash command or a button click carries a ``response_url``. It takes no token,
accepts at most five messages within thirty minutes, posts them ``in_channel`` or
``ephemeral`` (seen by the one who typed or clicked), and for a click can replace
the message that carried the button, which is the only way to change an ephemeral
message. Slack answers anything it refuses (spent, expired) with a non-200 status.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_sdk.webhook.async_client import AsyncWebhookClient

from chatops.channels.slack_files import trusted

log = logging.getLogger(__name__)

USES = 5
LIFETIME_SECONDS = 30 * 60
TIMEOUT_SECONDS = 10
# slack_sdk logs each request body at DEBUG; a secret reply goes through here, so its logger stays quiet.
QUIET = logging.getLogger("chatops.channels.slack.webhook")
QUIET.setLevel(logging.WARNING)


@dataclass
class ResponseUrl:
    """One payload's ``response_url`` and what is left of it (counted here, enforced by Slack)."""

    url: str
    issued: float = field(default_factory=time.monotonic)
    used: int = 0

    def usable(self, now: float | None = None) -> bool:
        age = (time.monotonic() if now is None else now) - self.issued
        return self.used < USES and age < LIFETIME_SECONDS


@dataclass(frozen=True)
class Origin:
    """The message a button was clicked on: where it is, and whether only the clicker sees it."""

    channel: str
    ts: str
    ephemeral: bool = False


def response_url(raw: object, *, api_base_url: str) -> ResponseUrl | None:
    """The payload's link when it points at Slack (or the configured API host); None otherwise.

    The body is signed, but the link is still where replies (secret ones too) would go: only Slack's hosts get them.
    """
    if not isinstance(raw, str) or not raw:
        return None
    if not trusted(raw, api_base_url):
        log.warning("a response_url outside Slack was ignored")
        return None
    return ResponseUrl(raw)


async def respond(http: aiohttp.ClientSession, link: ResponseUrl, message: dict[str, Any]) -> bool:
    """Post ``message`` to the link; False when it is spent, expired or refused, so that the caller falls back."""
    if not link.usable():
        return False
    link.used += 1
    client = AsyncWebhookClient(link.url, session=http, timeout=TIMEOUT_SECONDS, logger=QUIET)
    try:
        answer = await client.send_dict(message)
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("the response_url did not answer: %s", type(exc).__name__)
        return False
    if answer.status_code != 200:
        # Slack's answer is a short code (used_url, expired_url...), never a message's content.
        log.info("the response_url refused the reply: HTTP %d %s", answer.status_code, answer.body[:40])
        return False
    return True
