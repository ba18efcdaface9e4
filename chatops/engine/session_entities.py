"""Session entities: entries of a developer entity that a fulfillment webhook set for one session.

ES's WebhookResponse may carry ``sessionEntityTypes`` (the customer's own
accounts, today's menu): for the rest of the session an override replaces the
entity's entries, a supplement adds to them. They are kept in the session's
memory, so they last as long as the session and reach every worker through the
store, and they are matched here, over what the agent's NLU found: the NLU is
trained once for every session and cannot learn one session's values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chatops.engine.nlu import EntityMatch
from chatops.engine.session import SessionState
from chatops.models import SessionEntityType

# The key in the session's memory: entity name -> {"override": bool, "entries": [[value, synonym, ...], ...]}.
MEMORY_KEY = "es.sessionEntityTypes"


def remember(state: SessionState, types: tuple[SessionEntityType, ...]) -> None:
    """Keep a reply's session entities: each replaces what the session had for its entity."""
    if not types:
        return
    kept = dict(state.memory.get(MEMORY_KEY) or {})
    for t in types:
        kept[t.entity] = {"override": t.override, "entries": [[value, *synonyms] for value, synonyms in t.entries]}
    state.memory[MEMORY_KEY] = kept


@dataclass(frozen=True)
class _Entity:
    override: bool
    # Lower-cased synonym (the value is one) -> the entry's value, longest synonyms first.
    synonyms: tuple[tuple[str, str], ...]

    @classmethod
    def read(cls, stored: dict[str, Any]) -> _Entity:
        pairs = {s.lower(): entry[0] for entry in stored.get("entries", []) for s in entry if s}
        return cls(bool(stored.get("override", True)), tuple(sorted(pairs.items(), key=lambda p: -len(p[0]))))


class SessionEntities:
    """One session's entities, read from its state for a turn."""

    def __init__(self, state: SessionState) -> None:
        stored = state.memory.get(MEMORY_KEY) or {}
        self._entities = {name: _Entity.read(value) for name, value in stored.items()}

    def __bool__(self) -> bool:
        return bool(self._entities)

    def apply(self, text: str, matches: list[EntityMatch]) -> list[EntityMatch]:
        """The NLU's matches with an overridden entity's removed and the session's entries matched in ``text``."""
        kept = [m for m in matches if not self.overrides(m.entity)]
        for name, entity in self._entities.items():
            taken: list[tuple[int, int]] = []
            for synonym, value in entity.synonyms:
                # Case-blind on the text itself: spans of a lower-cased copy can shift ("İ" lowers to two characters).
                for found in re.finditer(rf"(?<!\w){re.escape(synonym)}(?!\w)", text, re.IGNORECASE):
                    start, end = found.span()
                    if not any(start < e and s < end for s, e in taken):
                        taken.append((start, end))
                        kept.append(EntityMatch(name, start, end, text[start:end], value))
        return sorted(kept, key=lambda m: (m.start, -m.end))

    def resolve(self, text: str, entity: str) -> EntityMatch | None:
        """The whole answer ``text`` as one of the session's entries of ``entity``, if it is one."""
        stripped = text.strip()
        found = self._entities.get(entity)
        value = dict(found.synonyms).get(stripped.lower()) if found else None
        return None if value is None else EntityMatch(entity, 0, len(stripped), stripped, value)

    def overrides(self, entity: str) -> bool:
        """Whether the session replaced ``entity``'s own entries (its NLU matches no longer count)."""
        found = self._entities.get(entity)
        return found is not None and found.override
