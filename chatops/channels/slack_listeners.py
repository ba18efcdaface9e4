"""The bolt app: signature check (bolt's, kept on), retry de-duplication, and listeners that only translate.

Mentions, direct messages and ``/chatops`` become a ``SlackTarget`` and a text
(with the command's or the click's ``response_url``, which answers where the bot is not a member);
a CSV shared in a direct message or a mention becomes a data set upload; button
clicks become an answer to a confirmation or a quick reply. Each listener
returns at once (bolt acknowledges Slack) after handing the work to ``SlackTurns``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from typing import Any, Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from chatops.channels import texts
from chatops.channels.dataset_request import mentions_dataset
from chatops.channels.slack_files import is_csv
from chatops.channels.slack_render import (
    CANCEL_ACTION,
    CONFIRM_ACTION,
    LINK_PATTERN,
    QUICK_REPLY_PATTERN,
    SlackTarget,
    read_value,
)
from chatops.channels.slack_respond import Origin
from chatops.channels.slack_turns import SlackTurns, utterance
from chatops.errors import StoreUnavailable

log = logging.getLogger(__name__)

COMMAND = "/chatops"
ANY_EVENT = re.compile(r".+")
# Slack retries an unacknowledged event three times within about an hour.
EVENT_TTL_SECONDS = 3600.0

Ack = Callable[..., Awaitable[None]]

# bolt logs the whole body of a request with a bad signature at INFO; bodies stay out of our logs.
BOLT_LOG = logging.getLogger("chatops.channels.slack.bolt")
BOLT_LOG.setLevel(logging.WARNING)


def from_a_bot(event: dict[str, Any]) -> bool:
    return bool(event.get("bot_id")) or event.get("subtype") == "bot_message" or "bot_profile" in event


def shares_dataset(text: str, files: list[dict[str, Any]]) -> bool:
    """A message with files is an upload when one is a CSV, or when its text speaks of a data set."""
    return bool(files) and (any(is_csv(f) for f in files) or mentions_dataset(text))


def build_bolt_app(turns: SlackTurns, client: AsyncWebClient, *, signing_secret: str) -> AsyncApp:
    # process_before_response: listeners only hand work to tracked tasks, so running them before
    # answering costs nothing and leaves no untracked future behind.
    app = AsyncApp(
        client=client, signing_secret=signing_secret, request_verification_enabled=True,
        process_before_response=True, logger=BOLT_LOG,
    )

    async def dedupe(body: dict[str, Any], resp: BoltResponse, next: Callable[[], Awaitable[None]]) -> BoltResponse:
        # After bolt's signature check, so a forged request cannot poison the record of seen events.
        if body.get("type") == "url_verification":  # answered with its challenge every time it comes
            await next()
            return resp
        # A body without an event id (a slash command, a click) is known by its digest: Slack's retry
        # sends the same bytes, while a second click or command differs in its trigger id.
        event_id = body.get("event_id")
        if not isinstance(event_id, str) or not event_id:
            event_id = "sha256-" + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        try:
            first = await turns.slot.runtime.store.remember_event(f"slack:{event_id}", EVENT_TTL_SECONDS)
        except StoreUnavailable:
            first = True  # the turn itself will tell the user the store is down
        if not first:
            log.info("slack event %s was already handled; retry ignored", event_id)
            return BoltResponse(status=200, body="")
        await next()
        return resp

    async def on_mention(event: dict[str, Any], context: AsyncBoltContext) -> None:
        if from_a_bot(event) or not event.get("user"):
            return
        target = SlackTarget(event["channel"], event.get("thread_ts") or event["ts"], event["user"])
        said(target, event, context)

    async def on_message(event: dict[str, Any], context: AsyncBoltContext) -> None:
        # Channel messages reach the bot as app_mention; here only direct messages count (with a file or not).
        if event.get("channel_type") != "im" or event.get("subtype") not in (None, "file_share"):
            return
        if from_a_bot(event) or not event.get("user"):
            return
        said(SlackTarget(event["channel"], event.get("thread_ts"), event["user"]), event, context)

    def said(target: SlackTarget, event: dict[str, Any], context: AsyncBoltContext) -> None:
        text, files = utterance(event.get("text", ""), context.bot_user_id), event.get("files") or []
        if shares_dataset(text, files):
            turns.start_upload(target, text, files)
        else:
            turns.start(target, text)

    async def on_command(ack: Ack, command: dict[str, Any]) -> None:
        text = (command.get("text") or "").strip()
        if not text:
            await ack(text=texts.SLACK_EMPTY)
            return
        await ack()
        turns.start(SlackTarget(command["channel_id"], None, command["user_id"]), text, via=command.get("response_url"))

    async def on_answer(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        value = read_value(action.get("value"))
        target = SlackTarget.from_session(str(value.get("session", "")))
        container = body.get("container") or {}
        if target is None or not value.get("token") or not container.get("message_ts"):
            log.warning("a confirmation click without a usable value was ignored")
            return
        origin = Origin(
            str(container.get("channel_id") or target.channel), str(container["message_ts"]),
            ephemeral=container.get("is_ephemeral") is True,
        )
        turns.start_answer(
            target, yes=action["action_id"] == CONFIRM_ACTION, token=str(value["token"]),
            clicker=body["user"]["id"], origin=origin, via=body.get("response_url"),
        )

    async def on_quick_reply(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        value = read_value(action.get("value"))
        channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")
        if not channel or not isinstance(value.get("say"), str):
            return
        target = SlackTarget(channel, value.get("thread") or None, body["user"]["id"])
        turns.start(target, value["say"], via=body.get("response_url"))

    async def on_link(ack: Ack) -> None:
        await ack()  # a URL button opens in the browser; Slack still wants the click acknowledged

    async def on_other_event() -> None:
        """Other subscribed events are acknowledged (bolt answers 404 otherwise, and Slack retries)."""

    app.middleware(dedupe)
    app.event("app_mention")(on_mention)
    app.event("message")(on_message)
    app.command(COMMAND)(on_command)
    app.action(CONFIRM_ACTION)(on_answer)
    app.action(CANCEL_ACTION)(on_answer)
    app.action(QUICK_REPLY_PATTERN)(on_quick_reply)
    app.action(LINK_PATTERN)(on_link)
    app.event(ANY_EVENT)(on_other_event)  # last: the first matching listener wins
    return app
