"""Posting replies to Slack, honouring their visibility and where the bot may post.

A turn that came with a ``response_url`` (a slash command, a click) answers
through it: ``in_channel`` when public, ``ephemeral`` otherwise, so a command
works where the bot is not a member. Without one, or once it is spent, public
replies go to the thread with ``chat.postMessage`` and the others with
``chat.postEphemeral`` (seen only by the asker, never kept in the channel); a
conversation the bot may not post to gets the answer in a direct message
instead, saying why. Generated images go through ``files_upload_v2``, which no
``response_url`` carries: into the thread when public and allowed, into a
direct message otherwise, and before the text, which says where they went.
Slack previews only raster images, so an SVG goes as its PNG rendition.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from chatops.channels import texts
from chatops.channels.slack_render import SHOWN_IMAGES, SlackTarget, escape, file_name, render_blocks, section, uploads
from chatops.channels.slack_respond import Origin, ResponseUrl, respond
from chatops.models import Image, Reply, Visibility

log = logging.getLogger(__name__)

# What the Web API answers where the bot cannot post: not a member, a DM between other people, an archived channel.
UNREACHABLE = frozenset({"not_in_channel", "channel_not_found", "user_not_in_channel", "is_archived"})


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code, or the HTTP status when the answer was not Slack's JSON (never the whole body)."""
    data = exc.response.data
    return str(data.get("error")) if isinstance(data, dict) else f"HTTP {exc.response.status_code}"


@dataclass(frozen=True)
class Message:
    text: str  # the notification text; the blocks are what Slack shows
    blocks: list[dict[str, Any]]
    public: bool

    def body(self, target: SlackTarget, *, replace_original: bool = False) -> dict[str, Any]:
        """The message as a ``response_url`` takes it."""
        body: dict[str, Any] = {
            "text": self.text, "blocks": self.blocks, "replace_original": replace_original,
            "response_type": "in_channel" if self.public else "ephemeral",
        }
        return body | ({"thread_ts": target.thread} if target.thread else {})


class Delivery:
    def __init__(self, client: AsyncWebClient, http: aiohttp.ClientSession) -> None:
        self.client = client
        self.http = http

    async def send(self, target: SlackTarget, reply: Reply, *, via: ResponseUrl | None = None) -> None:
        blocks = render_blocks(reply, target)
        images = uploads(reply)
        if images and not await self._share(target, images, public=reply.visibility is Visibility.PUBLIC):
            blocks += section(texts.SLACK_IMAGE_PRIVATE)
        if blocks:
            fallback = reply.text or (images[0].alt if images else " ")
            await self._say(target, Message(fallback, blocks, reply.visibility is Visibility.PUBLIC), via)

    async def tell(self, target: SlackTarget, text: str, *, via: ResponseUrl | None = None) -> None:
        """A short ephemeral note from the channel itself (not a handler's reply)."""
        await self._say(target, Message(text, section(text), public=False), via)

    async def replace(
        self, origin: Origin, *, status: str, reply: Reply | None, target: SlackTarget, via: ResponseUrl | None
    ) -> bool:
        """Replace a question with its outcome: a status line, then the reply if the question's audience may see it.

        Returns whether the reply went in; otherwise the caller sends it on its own.
        """
        fits = reply is not None and (reply.visibility is Visibility.PUBLIC) != origin.ephemeral
        blocks: list[dict[str, Any]] = [{"type": "context", "elements": [{"type": "mrkdwn", "text": status}]}]
        text = status
        if fits and reply is not None:
            blocks += render_blocks(reply, target)
            text = f"{status} {escape(reply.text)}".strip()
        message = Message(text, blocks, public=not origin.ephemeral)
        if via is not None and await respond(self.http, via, message.body(target, replace_original=True)):
            return fits
        if origin.ephemeral:  # only its response_url can change an ephemeral message: the outcome comes as a new one
            await self._say(target, message, None)
            return fits
        try:
            await self.client.chat_update(channel=origin.channel, ts=origin.ts, text=text, blocks=blocks)
        except SlackApiError as exc:
            if slack_error(exc) not in UNREACHABLE:
                raise
            await self._say(target, replace(message, public=False), None)
        return fits

    async def _say(self, target: SlackTarget, message: Message, via: ResponseUrl | None) -> None:
        if via is not None:
            if await respond(self.http, via, message.body(target)):
                return
            message = Message(message.text, section(texts.SLACK_LINK_SPENT) + message.blocks, public=False)
        try:
            await self._post(target, message)
        except SlackApiError as exc:
            if slack_error(exc) not in UNREACHABLE:
                raise
            log.info("cannot post in %s (%s): answering in a direct message", target.channel, slack_error(exc))
            note = section(texts.SLACK_NOT_IN_CHANNEL.format(channel=target.channel))
            direct = await self._direct(target.user)
            await self.client.chat_postMessage(channel=direct, text=message.text, blocks=note + message.blocks)

    async def _post(self, target: SlackTarget, message: Message) -> None:
        if message.public:
            await self.client.chat_postMessage(
                channel=target.channel, thread_ts=target.thread, text=message.text, blocks=message.blocks
            )
        else:
            await self.client.chat_postEphemeral(
                channel=target.channel, user=target.user, thread_ts=target.thread, text=message.text, blocks=message.blocks
            )

    async def _share(self, target: SlackTarget, images: list[Image], *, public: bool) -> bool:
        """Upload the images; True when they went to the conversation itself, False when to the asker's DM."""
        if public:
            try:
                for image in images:
                    await self._upload(target.channel, target.thread, image)
                return True
            except SlackApiError as exc:
                if slack_error(exc) not in UNREACHABLE:
                    raise
        direct = await self._direct(target.user)
        for image in images:
            await self._upload(direct, None, image)
        return False

    async def _direct(self, user: str) -> str:
        opened = await self.client.conversations_open(users=user)
        return str(opened["channel"]["id"])

    async def _upload(self, channel: str, thread: str | None, image: Image) -> None:
        if image.mime not in SHOWN_IMAGES and image.png is not None:
            image = Image(alt=image.alt, data=await asyncio.to_thread(image.png), mime="image/png")
        await self.client.files_upload_v2(
            channel=channel, thread_ts=thread, content=image.data, filename=file_name(image), title=image.alt, alt_txt=image.alt,
        )
