"""Dialogue state of one session: active contexts with lifespans, and a pending prompt."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chatops.models import Context


@dataclass
class Pending:
    """An intent waiting for required parameters (slot filling)."""

    intent: str
    parameters: dict[str, Any]
    asking: str
    attempts: int = 0


@dataclass
class SessionState:
    """What the engine reads and changes in a turn; the conversation layer persists it."""

    id: str
    contexts: dict[str, Context] = field(default_factory=dict)
    pending: Pending | None = None
    memory: dict[str, Any] = field(default_factory=dict)
    updated_at: float = 0.0

    def active(self, name: str) -> bool:
        return name.lower() in self.contexts

    def context_parameter(self, context: str, parameter: str) -> Any:
        ctx = self.contexts.get(context.lower())
        return None if ctx is None else ctx.parameters.get(parameter)

    def decrement(self) -> None:
        """A turn has passed: every context loses one turn of life, and dies at zero."""
        self.contexts = {
            name: Context(name, ctx.lifespan - 1, ctx.parameters)
            for name, ctx in self.contexts.items()
            if ctx.lifespan > 1
        }

    def set_context(self, name: str, lifespan: int, parameters: dict[str, Any] | None = None) -> None:
        """Set (or with lifespan 0, remove) a context; parameters merge into the ones it had."""
        key = name.lower()
        if lifespan <= 0:
            self.contexts.pop(key, None)
            return
        merged = dict(self.contexts[key].parameters) if key in self.contexts else {}
        merged.update(parameters or {})
        self.contexts[key] = Context(key, lifespan, merged)

    def reset(self) -> None:
        self.contexts = {}
        self.pending = None

    def to_record(self) -> dict[str, Any]:
        return {
            "contexts": [
                {"name": c.name, "lifespan": c.lifespan, "parameters": dict(c.parameters)} for c in self.contexts.values()
            ],
            "pending": None if self.pending is None else vars(self.pending).copy(),
        }

    @classmethod
    def from_record(
        cls, session_id: str, contexts: list[dict[str, Any]], pending: dict[str, Any] | None, memory: dict[str, Any], updated_at: float
    ) -> SessionState:
        return cls(
            id=session_id,
            contexts={c["name"]: Context(c["name"], int(c["lifespan"]), c.get("parameters") or {}) for c in contexts},
            pending=None if pending is None else Pending(**pending),
            memory=memory,
            updated_at=updated_at,
        )
