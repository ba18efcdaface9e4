"""Reading typed parameters from chat (DialogFlow sends strings, lists or numbers) with clear errors."""

from __future__ import annotations

from typing import Any

from chatops.fulfillment import HandlerCall, InputError
from handlers.kube.names import dns_label

ALL_NAMESPACES = ("all", "*", "all namespaces", "every namespace", "everywhere")


def _first(value: Any) -> Any:
    # A DialogFlow list parameter arrives as a list even when one value was said.
    return value[0] if isinstance(value, list) and value else value


def text(call: HandlerCall, name: str, default: str = "") -> str:
    value = _first(call.param(name, default))
    return str(value).strip() if value is not None else default


def namespace(call: HandlerCall, *, allow_all: bool = False, default: str = "default") -> str | None:
    """A namespace name; None means every namespace (only where ``allow_all``)."""
    value = text(call, "namespace", default)
    if allow_all and value.lower() in ALL_NAMESPACES:
        return None
    return dns_label(value, "namespace name")


def flag(call: HandlerCall, name: str) -> bool:
    value = _first(call.param(name, False))
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() in ("1", "true", "yes", "y", "on", name):
        return True
    if str(value).strip().lower() in ("0", "false", "no", "n", "off", ""):
        return False
    raise InputError(f"Please answer yes or no for {name}, not {value!r}.")


def integer(call: HandlerCall, name: str, default: int, *, low: int, high: int) -> int:
    value = _first(call.param(name, default))
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, not {value!r}.") from None
    if not low <= number <= high:
        raise InputError(f"{name} must be between {low} and {high}.")
    return number
