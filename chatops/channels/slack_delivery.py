"""Posting replies through the Slack Web API, honouring their visibility.

Public replies go to the thread with ``chat.postMessage``; ephemeral and secret
ones with ``chat.postEphemeral`` (seen only by the asker, never kept in the
channel). Generated images go through ``files_upload_v2``: into the thread when
public, into a direct message otherwise, since a file cannot be ephemeral.
Slack previews only raster images, so an SVG goes as its PNG rendition.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from chatops.channels import texts
from chatops.channels.slack_render import SHOWN_IMAGES, SlackTarget, escape, file_name, render_blocks, section, uploads
from chatops.models import Image, Reply, Visibility

log = logging.getLogger(__name__)


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code, or the HTTP status when the answer was not Slack's JSON (never the whole body)."""
    data = exc.response.data
    return str(data.get("error")) if isinstance(data, dict) else f"HTTP {exc.response.status_code}"


class Delivery:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def send(self, target: SlackTarget, reply: Reply) -> None:
        blocks = render_blocks(reply, target)
        images = uploads(reply)
        fallback = reply.text or (images[0].alt if images else " ")
        if reply.visibility is Visibility.PUBLIC:
            if blocks:
                await self.client.chat_postMessage(channel=target.channel, thread_ts=target.thread, text=fallback, blocks=blocks)
            for image in images:
                await self._upload(target.channel, target.thread, image)
            return
        if images:
            blocks += section(texts.SLACK_IMAGE_PRIVATE)
        if blocks:
            await self.client.chat_postEphemeral(
                channel=target.channel, user=target.user, thread_ts=target.thread, text=fallback, blocks=blocks
            )
        if images:
            opened = await self.client.conversations_open(users=target.user)
            for image in images:
                await self._upload(opened["channel"]["id"], None, image)

    async def tell(self, target: SlackTarget, text: str) -> None:
        """A short ephemeral note from the channel itself (not a handler's reply)."""
        await self.client.chat_postEphemeral(channel=target.channel, user=target.user, thread_ts=target.thread, text=text)

    async def replace(self, channel: str, ts: str, *, status: str, reply: Reply | None, target: SlackTarget) -> None:
        """Replace a question's message with its outcome: a status line, then the public reply if there is one."""
        blocks: list[dict[str, Any]] = [{"type": "context", "elements": [{"type": "mrkdwn", "text": status}]}]
        text = status
        if reply is not None and reply.visibility is Visibility.PUBLIC:
            blocks += render_blocks(reply, target)
            text = f"{status} {escape(reply.text)}".strip()
        await self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)

    async def _upload(self, channel: str, thread: str | None, image: Image) -> None:
        if image.mime not in SHOWN_IMAGES and image.png is not None:
            image = Image(alt=image.alt, data=await asyncio.to_thread(image.png), mime="image/png")
        await self.client.files_upload_v2(
            channel=channel, thread_ts=thread, content=image.data, filename=file_name(image), title=image.alt, alt_txt=image.alt,
        )
