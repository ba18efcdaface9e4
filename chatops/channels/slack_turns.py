"""Slack turns: run as tracked background tasks after Slack has been acknowledged, then post the answer.

Bolt listeners only translate a payload into a ``SlackTarget`` and a text (or a
button click, or a shared CSV file), with the payload's ``response_url`` when it
has one, and call ``start``/``start_answer``/``start_upload``; everything slow
happens here. A turn with a trusted ``response_url`` answers through it.
"""

from __future__ import annotations

import html
import logging
import re
import time
from typing import Any, Awaitable, Mapping, Sequence

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from chatops.channels import texts
from chatops.channels.dataset_request import csv_header, name_from_file, read_request, resolve, suggestion
from chatops.channels.slack_delivery import Delivery, slack_error
from chatops.channels.slack_files import download_csv, download_url, label, pick_csv
from chatops.channels.slack_render import SlackTarget, uploads
from chatops.channels.slack_respond import Origin, ResponseUrl, response_url
from chatops.config import Settings
from chatops.errors import ChatOpsError, PermanentError, StoreUnavailable
from chatops.fulfillment import texts as fulfillment_texts
from chatops.fulfillment.prematched import MatchedQuery, MatchedResult
from chatops.models import Principal, Query, QueryResult, Reply
from chatops.server_keys import RuntimeSlot

log = logging.getLogger(__name__)

MENTION = re.compile(r"<@([A-Z0-9]+)(\|[^>]*)?>")
EMAIL_CACHE_SECONDS = 3600.0
UPLOAD_ACTION = "prices.upload_dataset"


def utterance(text: str, bot_user: str | None) -> str:
    """The message as the user meant it: the bot's mention dropped, Slack's escaping undone."""
    cleaned = MENTION.sub(lambda m: "" if m.group(1) == bot_user else m.group(0), text)
    return html.unescape(" ".join(cleaned.split())).strip(" ,:")


class SlackTurns:
    def __init__(self, slot: RuntimeSlot, client: AsyncWebClient, settings: Settings, *, http: aiohttp.ClientSession) -> None:
        self.slot = slot
        self.client = client
        self.http = http
        self.settings = settings
        self.delivery = Delivery(client, http)
        self._emails: dict[str, tuple[str | None, float]] = {}

    def start(self, target: SlackTarget, text: str, *, via: object = None) -> None:
        """A turn; ``via`` is the payload's ``response_url`` (any value: only a link to Slack is used)."""
        self._spawn(self.turn(target, text, via=self._link(via)), f"slack-turn-{target.channel}-{target.thread}")

    def start_answer(self, target: SlackTarget, *, yes: bool, token: str, clicker: str, origin: Origin, via: object) -> None:
        coro = self.answer(target, yes=yes, token=token, clicker=clicker, origin=origin, via=self._link(via))
        self._spawn(coro, f"slack-confirm-{target.channel}-{target.thread}")

    def start_upload(self, target: SlackTarget, text: str, files: Sequence[Mapping[str, Any]]) -> None:
        self._spawn(self.upload(target, text, files), f"slack-upload-{target.channel}-{target.thread}")

    def _link(self, raw: object) -> ResponseUrl | None:
        return response_url(raw, api_base_url=self.settings.slack.api_base_url)

    def _spawn(self, coro: Awaitable[None], name: str) -> None:
        self.slot.runtime.tasks.spawn(self._guarded(coro), name=name)

    async def _guarded(self, coro: Awaitable[None]) -> None:
        try:
            await coro
        except SlackApiError as exc:
            log.warning("a Slack call failed: %s", slack_error(exc))

    async def principal(self, target: SlackTarget) -> Principal:
        return Principal(id=target.user, channel="slack", email=await self._email(target.user), channel_id=target.channel)

    async def _email(self, user: str) -> str | None:
        # users.info needs the users:read.email scope; without it the principal simply has no email.
        cached = self._emails.get(user)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        try:
            info = await self.client.users_info(user=user)
            email = (info.get("user") or {}).get("profile", {}).get("email") or None
        except SlackApiError as exc:
            log.info("no email for %s: %s", user, slack_error(exc))
            email = None
        self._emails[user] = (email, time.monotonic() + EMAIL_CACHE_SECONDS)
        return email

    async def turn(self, target: SlackTarget, text: str, *, via: ResponseUrl | None = None) -> None:
        if not text:
            await self.delivery.send(target, Reply(text=texts.SLACK_EMPTY), via=via)
            return
        limit = self.settings.server.max_utterance_chars
        if len(text) > limit:
            await self.delivery.tell(target, texts.TOO_LONG.format(limit=limit), via=via)
            return
        query = Query(session=target.session, text=text, principal=await self.principal(target))
        await self._converse(target, self.slot.runtime.conversation.handle(query), via=via)

    async def upload(self, target: SlackTarget, text: str, files: Sequence[Mapping[str, Any]]) -> None:
        """A CSV shared with the bot: download it, read the name and columns from the message, store it."""
        try:
            file = pick_csv([await self._complete(f) for f in files])
            csv_text = await download_csv(
                self.http, file, token=self.settings.slack.bot_token,
                limit=self.settings.server.max_body_bytes, api_base_url=self.settings.slack.api_base_url,
            )
        except ChatOpsError as exc:
            log.info("a file shared in %s was not read: %s", target.channel, exc.detail)
            await self.delivery.send(target, Reply(text=exc.user_message))
            return
        request = read_request(text, default_name=name_from_file(label(file)))
        header = csv_header(csv_text)
        x, y = resolve(request.x, header), resolve(request.y, header)
        if x is None or y is None or not any(header):
            await self.delivery.send(target, Reply(text=_which_columns(label(file), header, request.name, csv_text)))
            return
        matched = MatchedQuery(
            session=target.session, intent=UPLOAD_ACTION, action=UPLOAD_ACTION, principal=await self.principal(target),
            parameters={"name": request.name, "csv": csv_text, "x": x, "y": y}, text=text,
        )
        await self._converse(target, self.slot.runtime.conversation.handle_matched(matched))

    async def _converse(
        self, target: SlackTarget, work: Awaitable[QueryResult | MatchedResult], *, via: ResponseUrl | None = None
    ) -> None:
        """Post a turn's replies (queued notifications first); a failure becomes a short note to the asker."""
        try:
            result = await work
        except StoreUnavailable:
            await self.delivery.tell(target, fulfillment_texts.STORE_DOWN, via=via)
            return
        except Exception:
            log.exception("slack turn in %s failed", target.channel)
            await self.delivery.tell(target, texts.SOMETHING_WRONG, via=via)
            return
        for reply in (*result.notifications, result.reply):
            await self.delivery.send(target, reply, via=via)

    async def _complete(self, file: Mapping[str, Any]) -> Mapping[str, Any]:
        """The file with its download link: a Slack Connect share carries only its id (``mode: file_access``)."""
        if download_url(file) or not file.get("id"):
            return file
        try:
            info = await self.client.files_info(file=str(file["id"]))
        except SlackApiError as exc:
            problem = f"files.info answered {slack_error(exc)}"
            raise PermanentError(texts.UPLOAD_FORBIDDEN.format(name=label(file), problem=problem)) from exc
        return {**file, **(info.get("file") or {})}

    async def answer(
        self, target: SlackTarget, *, yes: bool, token: str, clicker: str, origin: Origin, via: ResponseUrl | None
    ) -> None:
        """A Confirm/Cancel click: only the requester's counts, and the question is replaced by the outcome."""
        if clicker != target.user:
            await self.delivery.tell(SlackTarget(target.channel, target.thread, clicker), texts.SLACK_ONLY_REQUESTER, via=via)
            return
        action = "confirm.yes" if yes else "confirm.no"
        matched = MatchedQuery(
            session=target.session, intent=action, action=action, principal=await self.principal(target),
            text="yes" if yes else "no", confirmation=token,
        )
        try:
            result = await self.slot.runtime.conversation.handle_matched(matched)
        except StoreUnavailable:
            await self.delivery.tell(target, fulfillment_texts.STORE_DOWN, via=via)
            return
        answered = texts.SLACK_CONFIRMED if yes else texts.SLACK_CANCELLED
        status = texts.SLACK_STALE if result.stale else answered.format(user=clicker)
        reply = result.reply
        if not await self.delivery.replace(origin, status=status, reply=reply, target=target, via=via):
            await self.delivery.send(target, reply, via=via)
        else:  # the replaced question holds the reply's text; its images follow
            for image in uploads(reply):
                await self.delivery.send(target, Reply(text="", parts=(image,), visibility=reply.visibility), via=via)
        for note in result.notifications:
            await self.delivery.send(target, note, via=via)

    async def sink(self, session: str, reply: Reply) -> bool:
        """Conversation sink: a reply outside a turn (a job's result) for a Slack session is posted to its thread."""
        target = SlackTarget.from_session(session)
        if target is None:
            return False
        try:
            await self.delivery.send(target, reply)
        except SlackApiError as exc:
            log.warning("could not post a notification to %s: %s", target.channel, slack_error(exc))
            return False
        return True



def _which_columns(name: str, header: list[str], dataset: str, csv_text: str) -> str:
    """The answer to a CSV shared without its columns: the header, and what to say."""
    if not any(header):
        return texts.UPLOAD_EMPTY.format(name=name)
    columns = ", ".join(h for h in header if h)
    return texts.UPLOAD_COLUMNS.format(name=name, columns=columns, example=suggestion(dataset, csv_text))
