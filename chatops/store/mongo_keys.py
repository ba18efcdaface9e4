"""Documents whose keys MongoDB (and FerretDB) accept, for maps with arbitrary keys.

MongoDB field names may not contain ``.`` or start with ``$``; FerretDB v1 is
stricter still. Handler data carries such keys (Kubernetes labels like
``app.kubernetes.io/name``), so a map with any unsafe key is stored as a list of
``{"k": key, "v": value}`` pairs under the single field ``_kv``: the keys
become values. A map whose own keys include ``_kv`` is always stored that way,
so reading back is unambiguous.
"""

from __future__ import annotations

from typing import Any

PAIRS = "_kv"


def _unsafe(key: str) -> bool:
    return not key or "." in key or key.startswith("$") or "\0" in key or key == PAIRS


def encode(value: Any) -> Any:
    """``value`` with every map that has an unsafe key turned into a list of pairs."""
    if isinstance(value, dict):
        items = {str(k): encode(v) for k, v in value.items()}
        if any(_unsafe(k) for k in items):
            return {PAIRS: [{"k": k, "v": v} for k, v in items.items()]}
        return items
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def decode(value: Any) -> Any:
    """The inverse of ``encode``."""
    if isinstance(value, dict):
        if set(value) == {PAIRS} and isinstance(value[PAIRS], list):
            return {pair["k"]: decode(pair["v"]) for pair in value[PAIRS]}
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value
