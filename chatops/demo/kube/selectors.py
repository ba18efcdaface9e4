"""Server-side label and field selector matching (written apart from the bot's own parser on purpose)."""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

Matcher = Callable[[Mapping[str, Any]], bool]


class SelectorError(ValueError):
    """A selector the server cannot parse (answered with 400 BadRequest)."""


_SET = re.compile(r"^\s*(\S+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part for part in parts if part.strip()]


def label_matcher(selector: str | None) -> Matcher:
    """A predicate over an object's labels for a label selector string."""
    checks = [_label_check(part) for part in _split_top_level(selector or "")]
    return lambda labels: all(check(labels) for check in checks)


def _label_check(part: str) -> Matcher:
    text = part.strip()
    set_match = _SET.match(text)
    if set_match:
        key, op, raw = set_match.groups()
        values = {value.strip() for value in raw.split(",")}
        if op == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    if text.startswith("!"):
        key = text[1:].strip()
        return lambda labels: key not in labels
    for op in ("!=", "==", "="):
        if op in text:
            key, value = (piece.strip() for piece in text.split(op, 1))
            if not key:
                raise SelectorError(f"unable to parse requirement: {text!r}")
            if op == "!=":
                return lambda labels: labels.get(key) != value
            return lambda labels: labels.get(key) == value
    if not re.fullmatch(r"[A-Za-z0-9./_-]+", text):
        raise SelectorError(f"unable to parse requirement: {text!r}")
    return lambda labels: text in labels


def field_value(obj: Mapping[str, Any], path: str) -> str:
    current: Any = obj
    for part in path.split("."):
        current = current.get(part) if isinstance(current, Mapping) else None
    return "" if current is None else str(current)


def field_matcher(selector: str | None, supported: tuple[str, ...]) -> Matcher:
    """A predicate over whole objects for a field selector; unknown fields are a 400 as on the real server."""
    checks: list[Matcher] = []
    for part in _split_top_level(selector or ""):
        match = re.fullmatch(r"\s*([\w.]+)\s*(==|=|!=)\s*(\S*)\s*", part)
        if not match:
            raise SelectorError(f"invalid selector: {part!r}")
        path, op, value = match.groups()
        if path not in ("metadata.name", "metadata.namespace", *supported):
            raise SelectorError(f'field label not supported: {path}')
        checks.append(_field_check(path, op, value))
    return lambda obj: all(check(obj) for check in checks)


def _field_check(path: str, op: str, value: str) -> Matcher:
    if op == "!=":
        return lambda obj: field_value(obj, path) != value
    return lambda obj: field_value(obj, path) == value
