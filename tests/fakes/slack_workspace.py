"""The state behind the fake Slack Web API, and the rules Slack's documentation gives for the methods the app calls.

A workspace has users and conversations; a conversation has members (the bot's
user among them only where it was added, as in a real workspace) and the
messages posted to it. Each method checks what the real one checks: required
arguments (``invalid_arguments`` with ``response_metadata.messages``, as Slack
answers them), ``no_text``, ``invalid_blocks``, ``msg_too_long``, unknown
conversations (``channel_not_found``), membership (``not_in_channel``, and for
``chat.postEphemeral`` ``user_not_in_channel``), and only the bot's own messages
can be updated (``cant_update_message``). None of these methods paginates
(``users.info``, ``conversations.open``, ``files.info`` return one object), so no
cursor is involved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

BOT_USER = "UBOT"
MAX_BLOCKS = 50
MAX_TEXT = 40_000  # chat.postMessage truncates past 40,000 characters; msg_too_long beyond that


class SlackError(Exception):
    """A Web API refusal: ``{"ok": false, "error": code}`` and, when Slack says more, ``response_metadata``."""

    def __init__(self, code: str, *messages: str) -> None:
        super().__init__(code)
        self.code = code
        self.messages = messages

    def answer(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"ok": False, "error": self.code}
        if self.messages:
            answer["response_metadata"] = {"messages": list(self.messages)}
        return answer


@dataclass
class Conversation:
    id: str
    members: set[str]
    is_im: bool = False
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)  # ts -> message
    ephemeral: list[dict[str, Any]] = field(default_factory=list)  # each with the user who sees it ("to")


@dataclass
class Workspace:
    """Set up explicitly by each test: ``add_channel("C042", "U123", BOT_USER)``, ``add_im("D0123", "U123")``."""

    users: set[str] = field(default_factory=set)
    conversations: dict[str, Conversation] = field(default_factory=dict)

    def add_channel(self, channel: str, *members: str) -> Conversation:
        self.users.update(m for m in members if m != BOT_USER)
        self.conversations[channel] = Conversation(channel, set(members))
        return self.conversations[channel]

    def add_im(self, channel: str, user: str) -> Conversation:
        """The direct message between ``user`` and the bot."""
        self.users.add(user)
        self.conversations[channel] = Conversation(channel, {user, BOT_USER}, is_im=True)
        return self.conversations[channel]

    def conversation(self, channel: object) -> Conversation:
        found = self.conversations.get(str(channel))
        if found is None:
            raise SlackError("channel_not_found")
        return found

    def postable(self, channel: object) -> Conversation:
        """A conversation the bot may post to: it exists, and the bot is in it."""
        found = self.conversation(channel)
        if BOT_USER not in found.members:
            raise SlackError("not_in_channel")
        return found

    def direct(self, user: str) -> tuple[Conversation, bool]:
        """The bot's DM with ``user`` (opened if needed), and whether it was already open."""
        if user not in self.users:
            raise SlackError("user_not_found")
        for conversation in self.conversations.values():
            if conversation.is_im and conversation.members == {user, BOT_USER}:
                return conversation, True
        return self.add_im(f"D{user}", user), False


def required(args: dict[str, Any], *names: str) -> None:
    missing = [name for name in names if args.get(name) in (None, "")]
    if missing:
        raise SlackError("invalid_arguments", *(f"[ERROR] missing required field: {name}" for name in missing))


def blocks_of(args: dict[str, Any]) -> list[Any]:
    """The ``blocks`` argument (a list in JSON bodies, a JSON string in forms), checked as Slack checks its shape."""
    raw = args.get("blocks")
    if raw in (None, ""):
        return []
    try:
        blocks = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        raise SlackError("invalid_blocks_format") from None
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
        raise SlackError("invalid_blocks", f"[ERROR] must be an array of at most {MAX_BLOCKS} blocks")
    for i, block in enumerate(blocks):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            raise SlackError("invalid_blocks", f"[ERROR] missing required field: type [json-pointer:/blocks/{i}]")
    return blocks


def message_of(args: dict[str, Any]) -> dict[str, Any]:
    """The text and blocks of a message; one of them is required."""
    text, blocks = args.get("text") or "", blocks_of(args)
    if not text and not blocks and not args.get("attachments"):
        raise SlackError("no_text")
    if len(str(text)) > MAX_TEXT:
        raise SlackError("msg_too_long")
    return {"text": text, "blocks": blocks}


def post_message(ws: Workspace, args: dict[str, Any], ts: str) -> dict[str, Any]:
    required(args, "channel")
    conversation = ws.postable(args["channel"])
    message = {**message_of(args), "user": BOT_USER, "ts": ts, "thread_ts": args.get("thread_ts")}
    conversation.messages[ts] = message
    return {"ok": True, "channel": conversation.id, "ts": ts, "message": message}


def post_ephemeral(ws: Workspace, args: dict[str, Any], ts: str) -> dict[str, Any]:
    required(args, "channel", "user")
    message = message_of(args)
    conversation = ws.postable(args["channel"])
    if args["user"] not in conversation.members:
        raise SlackError("user_not_in_channel")
    conversation.ephemeral.append({**message, "user": BOT_USER, "to": args["user"], "ts": ts, "thread_ts": args.get("thread_ts")})
    return {"ok": True, "message_ts": ts}


def update(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """Only a message the bot posted, never an ephemeral one (those are not kept: ``message_not_found``)."""
    required(args, "channel", "ts")
    conversation = ws.postable(args["channel"])
    message = conversation.messages.get(str(args["ts"]))
    if message is None:
        raise SlackError("message_not_found")
    if message["user"] != BOT_USER:
        raise SlackError("cant_update_message")
    message.update(message_of(args))
    return {"ok": True, "channel": conversation.id, "ts": message["ts"], "text": message["text"]}


def users_info(ws: Workspace, args: dict[str, Any], emails: dict[str, str]) -> dict[str, Any]:
    required(args, "user")
    user = str(args["user"])
    if user not in ws.users:
        raise SlackError("user_not_found")
    profile = {"email": emails[user]} if user in emails else {}
    return {"ok": True, "user": {"id": user, "profile": profile}}


def open_direct(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    if not args.get("users") and not args.get("channel"):
        raise SlackError("users_list_not_supplied")
    if args.get("channel"):
        return {"ok": True, "channel": {"id": ws.conversation(args["channel"]).id}}
    users = str(args["users"]).split(",")
    if len(users) != 1:  # a group DM is another kind of conversation, which the app never opens
        raise SlackError("invalid_arguments", "[ERROR] this fake opens one-to-one direct messages only")
    conversation, existed = ws.direct(users[0])
    return {"ok": True, "no_op": existed, "already_open": existed, "channel": {"id": conversation.id}}
