"""``chatops shell``: a multi-turn chat in the terminal on an in-process runtime."""

from __future__ import annotations

import asyncio
from typing import TextIO

from chatops.config import Settings
from chatops.models import Card, Confirmation, Image, Principal, Query, QuickReplies, Reply, Visibility
from chatops.runtime import Runtime

PROMPT = "you> "


def format_reply(reply: Reply) -> str:
    """A reply as terminal text: the text, then its rich parts as plain lines."""
    lines = [f"bot> {line}" for line in (reply.text or "").splitlines() or [""]]
    if reply.visibility is not Visibility.PUBLIC:
        lines[0] = f"{lines[0]}  [{reply.visibility.value}]"
    for part in reply.parts:
        if isinstance(part, QuickReplies):
            lines.append("     options: " + " | ".join(part.options))
        elif isinstance(part, Card):
            lines.append(f"     [{part.title}] {part.subtitle or ''} {part.text or ''}".rstrip())
        elif isinstance(part, Image):
            lines.append(f"     (image: {part.alt})")
        elif isinstance(part, Confirmation):
            lines.append(f"     say '{part.confirm_text}' to confirm or '{part.cancel_text}' to cancel")
    return "\n".join(lines)


async def run_shell(settings: Settings, *, user: str, stdin: TextIO, stdout: TextIO) -> int:
    principal = Principal(id=user, channel="cli")
    async with Runtime.open(settings) as runtime:
        stdout.write("chatops shell: type a message, or Ctrl-D to leave.\n")
        welcome = await runtime.conversation.handle(Query(session="shell", event="WELCOME", principal=principal))
        stdout.write(format_reply(welcome.reply) + "\n")
        while True:
            stdout.write(PROMPT)
            stdout.flush()
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                stdout.write("\n")
                return 0
            if not line.strip():
                continue
            result = await runtime.conversation.handle(Query(session="shell", text=line.strip(), principal=principal))
            for note in result.notifications:
                stdout.write(format_reply(note) + "\n")
            stdout.write(format_reply(result.reply) + "\n")
            stdout.flush()
