"""Whether a signed Slack body has the shape its listeners read, so a malformed one is a 400 and never a 500.

A signature proves the body came with the signing secret, not that it is well
formed: a 5xx makes Slack retry the same body, and a listener that trips on a
missing key would do so on every retry. The fields checked are the ones bolt's
middleware and our listeners read, with the types Slack documents for them.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.request.internals import parse_body

from chatops.channels.untrusted import check_tree
from chatops.errors import InputError

TOP_STRINGS = ("type", "challenge", "event_id", "team_id", "api_app_id", "token", "trigger_id", "response_url")
EVENT_STRINGS = ("type", "subtype", "user", "bot_id", "text", "channel", "channel_type", "ts", "thread_ts")
# What the listeners of these event types read unconditionally (a message without a user is ignored earlier).
EVENT_REQUIRED = {"app_mention": ("channel", "ts"), "message": ("channel", "ts")}
COMMAND_STRINGS = ("command", "text", "channel_id", "user_id", "team_id", "response_url")
FILE_STRINGS = ("id", "name", "title", "filetype", "mimetype", "url_private", "url_private_download")


def unreadable(body: str, content_type: str) -> str | None:
    """Why a signed body cannot be an Events API, slash command or interactivity request; None when it can."""
    try:
        # bolt's own reading of the body, so that what passes here is what bolt will see.
        doc = parse_body(body, content_type)
        check_tree(doc)
    except RecursionError:
        return "The body is nested too deeply."
    except ValueError:
        return "The body (or its payload) is not valid JSON."
    except InputError as exc:
        return exc.user_message
    if not isinstance(doc, dict):
        return "The body must be a JSON object."
    if "command" in doc:
        return _strings(doc, COMMAND_STRINGS, "") or _required(doc, ("channel_id", "user_id"), "")
    if doc.get("type") == "block_actions":
        return _block_actions(doc)
    return _strings(doc, TOP_STRINGS, "") or _event(doc.get("event", {}))


def _event(event: Any) -> str | None:
    if not isinstance(event, dict):
        return "'event' must be a JSON object."
    problem = _strings(event, EVENT_STRINGS, "event.")
    if problem:
        return problem
    if event.get("user") is not None:
        problem = _required(event, EVENT_REQUIRED.get(str(event.get("type")), ()), "event.")
    files = event.get("files")
    if problem is None and files is not None:
        if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
            return "'event.files' must be a list of objects."
        problem = next((p for f in files if (p := _strings(f, FILE_STRINGS, "event.files[]."))), None)
    return problem


def _block_actions(doc: dict[str, Any]) -> str | None:
    user, actions = doc.get("user"), doc.get("actions")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
        return "'user.id' must be a string."
    if not isinstance(actions, list) or not actions:
        return "'actions' must be a non-empty list."
    for action in actions:
        if not isinstance(action, dict) or not isinstance(action.get("action_id"), str):
            return "every action needs a string 'action_id'."
        problem = _strings(action, ("value", "block_id", "type"), "actions[].")
        if problem:
            return problem
    for key in ("container", "channel", "message"):
        if doc.get(key) is not None and not isinstance(doc[key], dict):
            return f"'{key}' must be a JSON object."
    return _strings(doc.get("container") or {}, ("channel_id", "message_ts", "thread_ts"), "container.") or _strings(
        doc.get("channel") or {}, ("id",), "channel."
    )


def _strings(doc: dict[str, Any], keys: tuple[str, ...], prefix: str) -> str | None:
    wrong = next((key for key in keys if doc.get(key) is not None and not isinstance(doc[key], str)), None)
    return f"'{prefix}{wrong}' must be a string." if wrong else None


def _required(doc: dict[str, Any], keys: tuple[str, ...], prefix: str) -> str | None:
    missing = next((key for key in keys if not doc.get(key)), None)
    return f"'{prefix}{missing}' is required." if missing else None
