"""Records to and from plain documents, shared by every backend.

A backend keeps a record as a JSON-able document; reading ignores fields a
newer version may have added, so documents written by another replica (or a
later release) still load.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from typing import Any, TypeVar

from chatops.errors import InputError
from chatops.store.base import JOB_STATES

R = TypeVar("R")


def to_doc(record: Any) -> dict[str, Any]:
    """The record's fields as a fresh dict (nested values are copied)."""
    return dataclasses.asdict(record)


def from_doc(cls: type[R], doc: dict[str, Any]) -> R:
    """Build ``cls`` from a document, keeping only the fields ``cls`` declares."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in doc.items() if k in names})


def check_state(state: str | None) -> None:
    """Reject job states outside ``JOB_STATES`` before they reach the store."""
    if state is not None and state not in JOB_STATES:
        raise InputError(f"unknown job state {state!r}; expected one of {', '.join(JOB_STATES)}")


def new_id() -> str:
    """A unique id for an audit record that arrived without one."""
    return uuid.uuid4().hex


def now() -> float:
    """Wall-clock seconds: leases and expiry are compared across replicas, so not a monotonic clock."""
    return time.time()
