"""secrets: AWS SSM Parameter Store from chat - get, list, history, and put (rotation) with confirmation.

A SecureString value leaves this module only in a ``Visibility.SECRET`` reply's
text: never in ``Reply.data``, contexts or a plan, and it is registered for
redaction before anything could log it. Deleting is not offered from chat.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

from chatops.config import Settings
from chatops.fulfillment import HandlerCall, HandlerTable, InputError, OutputContext, Reply, Visibility, register_secret
from handlers.ssm_client import SECURE_STRING, ParameterInfo, SsmClient, open_ssm_client
from handlers.ssm_paths import listing_resource, parameter_name, parameter_path, writable_name

table = HandlerTable("secrets")

TYPES = {"string": "String", "stringlist": "StringList", "securestring": SECURE_STRING}
TYPE_SYNONYMS = {"list": "StringList", "secure": SECURE_STRING, "secret": SECURE_STRING, "encrypted": SECURE_STRING}
YES = frozenset({"true", "yes", "y", "1", "on", "decrypt", "decrypted", "decrypt it", "plaintext"})
NO = frozenset({"false", "no", "n", "0", "off", ""})
HISTORY_SHOWN = 20
LISTED = 50


@table.resource(SsmClient)
def ssm_client(settings: Settings) -> AbstractAsyncContextManager[SsmClient]:
    return open_ssm_client(settings.aws)


def _follow_up(name: str) -> tuple[OutputContext, ...]:
    # Lets "show its history" or "rotate it" refer back to the parameter (its name only).
    return (OutputContext("ssm-parameter", lifespan=5, parameters={"path": name}),)


def wants_decryption(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw if raw is not None else "").strip().lower()
    if text in YES or text in NO:
        return text in YES
    raise InputError("Should I decrypt it? Answer yes or no.")


def parameter_type(raw: Any) -> str | None:
    """``String``, ``StringList`` or ``SecureString`` from what was typed; None when not given."""
    if raw in (None, ""):
        return None
    key = str(raw).strip().lower().replace(" ", "").replace("-", "").replace("_", "")
    found = TYPES.get(key) or TYPE_SYNONYMS.get(key)
    if found is None:
        raise InputError(f"{raw!r} is not an SSM parameter type; use String, StringList or SecureString.")
    return found


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "unknown time"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _summary(info: ParameterInfo) -> dict[str, Any]:
    return {"name": info.name, "type": info.type, "version": info.version}


@table.action("secrets.get", access="ssm:get", resource=lambda p: parameter_name(p.get("path")))
async def secrets_get(call: HandlerCall) -> Reply:
    """A parameter's value; a SecureString only when decryption was asked, and only privately."""
    name = parameter_name(call.param("path"))
    decrypt = wants_decryption(call.param("decrypt", False))
    found = await call.resources.get(SsmClient).get(name, decrypt=decrypt)
    if found.type != SECURE_STRING:
        return Reply(
            text=f"{found.name} ({found.type}, version {found.version}): {found.value}",
            data={**_summary(found), "value": found.value},
            contexts=_follow_up(name),
        )
    if not decrypt:
        # Without decryption SSM sends ciphertext (moto: the value behind a prefix); show neither.
        return Reply(
            text=f"{found.name} is a SecureString (version {found.version}). "
            "Ask me to decrypt it and I will send the value to you privately.",
            data=_summary(found),
            contexts=_follow_up(name),
        )
    register_secret(found.value)
    return Reply(
        text=f"{found.name} (SecureString, version {found.version}): {found.value}",
        visibility=Visibility.SECRET,
        data=_summary(found),
        contexts=_follow_up(name),
    )


@table.action("secrets.list", access="ssm:list", resource=lambda p: listing_resource(p.get("path")))
async def secrets_list(call: HandlerCall) -> Reply:
    """The parameters under a path, recursively: names, types and versions, no values."""
    path = parameter_path(call.param("path"))
    found, more = await call.resources.get(SsmClient).list(path, limit=LISTED)
    if not found:
        return Reply(text=f"There are no parameters under {path}.", data={"path": path, "parameters": [], "truncated": False})
    lines = [f"• {p.name} ({p.type}, version {p.version})" for p in found]
    head = f"Parameters under {path} ({len(found)}{'+' if more else ''}):"
    tail = [f"Showing the first {LISTED}; name a deeper path to see the rest."] if more else []
    return Reply(
        text="\n".join([head, *lines, *tail]),
        data={"path": path, "parameters": [_summary(p) for p in found], "truncated": more},
    )


@table.action("secrets.history", access="ssm:history", resource=lambda p: parameter_name(p.get("path")))
async def secrets_history(call: HandlerCall) -> Reply:
    """A parameter's versions, newest first: when, by whom, labels; never the values."""
    name = parameter_name(call.param("path"))
    versions = list(reversed(await call.resources.get(SsmClient).history(name)))
    lines = []
    for v in versions[:HISTORY_SHOWN]:
        labels = f" [{', '.join(v.labels)}]" if v.labels else ""
        lines.append(f"• version {v.version} ({v.type}) {_when(v.last_modified)} by {v.modified_by}{labels}")
    older = len(versions) - HISTORY_SHOWN
    tail = [f"…and {_count(older, 'older version')}."] if older > 0 else []
    return Reply(
        text="\n".join([f"History of {name} ({_count(len(versions), 'version')}, newest first):", *lines, *tail]),
        data={"name": name, "versions": [{"version": v.version, "type": v.type, "labels": list(v.labels)} for v in versions]},
        contexts=_follow_up(name),
    )


def _put_request(call: HandlerCall) -> tuple[str, str, str | None]:
    name = writable_name(call.param("path"))
    value = str(call.param("value", "")).strip()
    if not value:
        raise InputError(f"What should the new value of {name} be?")
    # Registered before any request: SSM's validation errors can echo the value back.
    register_secret(value)
    return name, value, parameter_type(call.param("type"))


async def plan_put(call: HandlerCall) -> Reply:
    """What a put will change: the version and type, never the value."""
    name, _, kind = _put_request(call)
    current = await call.resources.get(SsmClient).describe(name)
    if current is None:
        kind = kind or SECURE_STRING
        text = f"I will create {name} as a {kind} (version 1)."
        data = {"name": name, "type": kind, "current_version": None, "next_version": 1}
    else:
        kind = kind or current.type
        change = f" Its type changes from {current.type} to {kind}." if kind != current.type else ""
        text = (
            f"I will write a new value to {name} ({kind}): version {current.version} becomes "
            f"version {current.version + 1}; the old value stays in its history.{change}"
        )
        data = {"name": name, "type": kind, "current_version": current.version, "next_version": current.version + 1}
    return Reply(text=f"{text} The value is not shown.", data=data)


@table.action(
    "secrets.put", access="ssm:put", confirm=True, plan=plan_put, resource=lambda p: writable_name(p.get("path"))
)
async def secrets_put(call: HandlerCall) -> Reply:
    """Write a new value (a new version: rotation); new parameters default to SecureString."""
    name, value, kind = _put_request(call)
    client = call.resources.get(SsmClient)
    if kind is None:
        current = await client.describe(name)
        kind = current.type if current else SECURE_STRING
    version = await client.put(name, value, kind=kind)
    return Reply(
        text=f"Done: {name} is now at version {version} ({kind}). The value is not shown.",
        data={"name": name, "type": kind, "version": version},
        contexts=_follow_up(name),
    )
