"""SSM parameter names and paths as typed in chat: cleaned, checked against SSM's rules, explained when wrong.

The bot only works with hierarchical names (``/development/db/password``):
the access policy scopes permissions by path, so a name must say where it lives.
"""

from __future__ import annotations

import re
from typing import Any

from chatops.fulfillment import InputError

SEGMENT = re.compile(r"[A-Za-z0-9_.\-]+")
MAX_LEVELS = 15
MAX_NAME_LENGTH = 1011
RESERVED_PREFIXES = ("aws", "ssm")
EXAMPLE = "/development/db/password"


def _clean(raw: Any, what: str) -> str:
    # Chat wraps names in backticks or quotes and ends sentences with punctuation.
    text = str(raw or "").strip().rstrip("?!,;").strip("`'\"").strip()
    if not text:
        raise InputError(f"Which {what}? Give its full path, like {EXAMPLE}.")
    return text


def _segments(text: str, what: str) -> list[str]:
    if not text.startswith("/"):
        raise InputError(f"{text!r} is not a full {what} path: it must start with '/', like {EXAMPLE}.")
    segments = text.strip("/").split("/") if text != "/" else []
    for segment in segments:
        if not SEGMENT.fullmatch(segment):
            raise InputError(
                f"{text!r} is not a valid SSM {what}: use letters, digits, '.', '-', '_' between single slashes."
            )
    if len(segments) > MAX_LEVELS:
        raise InputError(f"{text!r} has {len(segments)} levels; SSM allows at most {MAX_LEVELS}.")
    if len(text) > MAX_NAME_LENGTH:
        raise InputError(f"That {what} is {len(text)} characters long; SSM allows at most {MAX_NAME_LENGTH}.")
    return segments


def parameter_name(raw: Any) -> str:
    """A parameter's full name, like ``/development/db/password``."""
    text = _clean(raw, "parameter")
    if text.endswith("/"):
        raise InputError(f"{text!r} ends with '/': that is a path; name a parameter inside it, like {EXAMPLE}.")
    _segments(text, "parameter")
    return text


def writable_name(raw: Any) -> str:
    """A parameter name that may be created: SSM reserves names starting with aws or ssm."""
    name = parameter_name(raw)
    if name.lstrip("/").lower().startswith(RESERVED_PREFIXES):
        raise InputError(f"{name!r} is reserved by AWS: names starting with 'aws' or 'ssm' cannot be written.")
    return name


def parameter_path(raw: Any) -> str:
    """A path to list under, without its trailing slash (``/`` for the root)."""
    text = _clean(raw, "path")
    _segments(text, "path")
    return "/" + text.strip("/") if text != "/" else "/"


def listing_resource(raw: Any) -> str:
    """What listing a path acts on, for the policy: ``/production/`` is matched by ``/production/*``."""
    path = parameter_path(raw)
    return path if path == "/" else path + "/"
