"""Rendering a Reply as Slack Block Kit, and where a Slack conversation lives.

Buttons carry what their click needs in their ``value`` (a small JSON object):
a quick reply its text and thread; Confirm/Cancel the session (which names who
asked) and the token of the question. Slack signs the click, and the dispatcher still checks
the requester and the token.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from chatops.models import Card, Confirmation, Image, Part, QuickReplies, Reply

SESSION_PREFIX = "slack:"
QUICK_REPLY_ACTION = "chatops_reply_{index}"
QUICK_REPLY_PATTERN = re.compile(r"^chatops_reply_\d+$")
LINK_ACTION = "chatops_link_{index}"
LINK_PATTERN = re.compile(r"^chatops_link_\d+$")
CONFIRM_ACTION = "chatops_confirm"
CANCEL_ACTION = "chatops_cancel"
SECTION_LIMIT = 3000  # Slack's limit on a section's text
BUTTON_LIMIT = 75  # ... on a button's label
MAX_BLOCKS = 50
# The file types Slack previews in the conversation; others arrive as a download.
SHOWN_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif"})


@dataclass(frozen=True)
class SlackTarget:
    """Where a turn's answer goes: a channel, the thread in it (None: not threaded), and who asked.

    The session id encodes all three, so a reply that arrives outside a turn (a
    job's result) finds its way back to the same thread, and privately to the asker.
    """

    channel: str
    thread: str | None
    user: str

    @property
    def session(self) -> str:
        return f"{SESSION_PREFIX}{self.channel}:{self.thread or '-'}:{self.user}"

    @classmethod
    def from_session(cls, session: str) -> SlackTarget | None:
        if not session.startswith(SESSION_PREFIX):
            return None
        parts = session[len(SESSION_PREFIX):].split(":")
        if len(parts) != 3 or not all(parts):
            return None
        channel, thread, user = parts
        return cls(channel, None if thread == "-" else thread, user)


def escape(text: str) -> str:
    """Slack reads &, < and > as markup; a handler's text is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:BUTTON_LIMIT] or " ", "emoji": True}


def section(text: str) -> list[dict[str, Any]]:
    chunks = [text[i:i + SECTION_LIMIT] for i in range(0, len(text), SECTION_LIMIT)]
    return [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}} for chunk in chunks]


def quick_reply_button(index: int, label: str, said: str, target: SlackTarget) -> dict[str, Any]:
    value = json.dumps({"say": said, "thread": target.thread or ""})
    return {"type": "button", "text": plain(label), "action_id": QUICK_REPLY_ACTION.format(index=index), "value": value}


def _quick_replies(part: QuickReplies, target: SlackTarget) -> list[dict[str, Any]]:
    blocks = section(escape(part.title)) if part.title else []
    buttons = [quick_reply_button(i, option, option, target) for i, option in enumerate(part.options[:25])]
    return blocks + [{"type": "actions", "elements": buttons}]


def _card(part: Card, target: SlackTarget) -> list[dict[str, Any]]:
    lines = [f"*{escape(part.title)}*"] + [escape(t) for t in (part.subtitle, part.text) if t]
    block: dict[str, Any] = section("\n".join(lines))[0]
    if part.image_url:
        block["accessory"] = {"type": "image", "image_url": part.image_url, "alt_text": part.title}
    buttons = []
    for i, button in enumerate(part.buttons[:25]):
        if button.url:
            buttons.append({"type": "button", "text": plain(button.text), "url": button.url,
                            "action_id": LINK_ACTION.format(index=i)})
        else:
            buttons.append(quick_reply_button(i, button.text, button.postback or button.text, target))
    return [block] + ([{"type": "actions", "elements": buttons}] if buttons else [])


def confirmation_buttons(part: Confirmation, target: SlackTarget) -> dict[str, Any]:
    value = json.dumps({"session": target.session, "token": part.token})
    return {
        "type": "actions",
        "block_id": "chatops_confirmation",
        "elements": [
            {"type": "button", "text": plain("Confirm"), "style": "primary", "action_id": CONFIRM_ACTION, "value": value},
            {"type": "button", "text": plain("Cancel"), "style": "danger", "action_id": CANCEL_ACTION, "value": value},
        ],
    }


def render_part(part: Part, target: SlackTarget) -> list[dict[str, Any]]:
    """Blocks for one part; an image without a URL has none (it is uploaded as a file)."""
    if isinstance(part, QuickReplies):
        return _quick_replies(part, target)
    if isinstance(part, Card):
        return _card(part, target)
    if isinstance(part, Image):
        return [{"type": "image", "image_url": part.url, "alt_text": part.alt}] if part.url else []
    if isinstance(part, Confirmation):
        return [confirmation_buttons(part, target)]
    raise TypeError(f"unknown reply part {type(part).__name__}")


def render_blocks(reply: Reply, target: SlackTarget) -> list[dict[str, Any]]:
    blocks = section(escape(reply.text)) if reply.text else []
    for part in reply.parts:
        blocks.extend(render_part(part, target))
    return blocks[:MAX_BLOCKS]


def uploads(reply: Reply) -> list[Image]:
    """Images with bytes and no URL: they go through files_upload_v2."""
    return [p for p in reply.parts if isinstance(p, Image) and p.data and not p.url]


def file_name(image: Image) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", image.alt).strip("-").lower() or "image"
    return f"{stem}.{image.mime.rsplit('/', 1)[-1]}"


def read_value(raw: object) -> dict[str, Any]:
    """A button's JSON value; anything else reads as empty."""
    try:
        value = json.loads(raw) if isinstance(raw, str) else {}
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
