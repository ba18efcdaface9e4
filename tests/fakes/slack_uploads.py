"""The fake's side of ``files_upload_v2``: the three steps Slack documents, in order, with their checks.

1. ``files.getUploadURLExternal`` needs ``filename`` and ``length`` (a positive
   integer: 0 is ``missing_argument``) and answers an ``upload_url`` and a ``file_id``.
2. The bytes are POSTed to that URL; Slack answers 200. Here a body of another
   length than announced is refused (400), as is an unknown URL (404).
3. ``files.completeUploadExternal`` needs ``files`` (``[{"id", "title"}]``), each
   an id this token was given and has uploaded to (``file_not_found`` otherwise,
   and once completed it cannot be completed again); ``channel_id`` (or
   ``channels``) must be a conversation the bot is in; ``thread_ts`` needs one channel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.slack_workspace import SlackError, Workspace, required


@dataclass
class Upload:
    file_id: str
    data: bytes


@dataclass
class Pending:
    filename: str
    length: int
    alt_txt: str
    token: str
    data: bytes | None = None


@dataclass
class Shared:
    """A completed upload and where it was shared (None: private to the bot)."""

    file_id: str
    filename: str
    title: str
    alt_txt: str
    data: bytes
    channel: str | None
    thread_ts: str | None


@dataclass
class Uploads:
    pending: dict[str, Pending] = field(default_factory=dict)
    received: list[Upload] = field(default_factory=list)
    shared: list[Shared] = field(default_factory=list)

    def get_url(self, args: dict[str, Any], *, file_id: str, token: str, base: str) -> dict[str, Any]:
        required(args, "filename", "length")
        try:
            length = int(args["length"])
        except (TypeError, ValueError):
            raise SlackError("invalid_arguments", "[ERROR] length must be an integer") from None
        if length <= 0:
            raise SlackError("missing_argument")
        self.pending[file_id] = Pending(str(args["filename"]), length, str(args.get("alt_txt") or ""), token)
        return {"ok": True, "upload_url": f"{base}/upload/{file_id}", "file_id": file_id}

    def receive(self, file_id: str, data: bytes) -> tuple[int, str]:
        """The upload URL's answer: HTTP status and body."""
        pending = self.pending.get(file_id)
        if pending is None:
            return 404, "not found"
        self.received.append(Upload(file_id, data))
        if len(data) != pending.length:
            return 400, f"expected {pending.length} bytes, got {len(data)}"
        pending.data = data
        return 200, f"OK - {len(data)}"

    def complete(self, ws: Workspace, args: dict[str, Any], *, token: str) -> dict[str, Any]:
        required(args, "files")
        files = _files(args["files"])
        channels = [c for c in [args.get("channel_id"), *str(args.get("channels") or "").split(",")] if c]
        if args.get("thread_ts") and len(channels) != 1:
            raise SlackError("invalid_arguments", "[ERROR] thread_ts needs exactly one channel")
        for channel in channels:
            ws.postable(channel)
        ready = [(f, self.pending.get(str(f["id"]))) for f in files]
        for f, pending in ready:
            if pending is None or pending.token != token or pending.data is None:
                raise SlackError("file_not_found", f"[ERROR] file {f['id']} was not uploaded to its upload_url")
        answer = []
        for f, pending in ready:
            assert pending is not None and pending.data is not None
            del self.pending[str(f["id"])]
            title = str(f.get("title") or pending.filename)
            for channel in channels or [None]:
                self.shared.append(Shared(str(f["id"]), pending.filename, title, pending.alt_txt, pending.data, channel,
                                          args.get("thread_ts")))
            answer.append({"id": f["id"], "name": pending.filename, "title": title})
        return {"ok": True, "files": answer}


def _files(raw: object) -> list[dict[str, Any]]:
    try:
        files = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        files = None
    if not isinstance(files, list) or not files or not all(isinstance(f, dict) and f.get("id") for f in files):
        raise SlackError("invalid_arguments", "[ERROR] files must be a non-empty array of objects with an id")
    return files
