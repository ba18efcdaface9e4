"""Natural-language understanding: intent classification and entity extraction.

The dialogue layer depends only on this module's ``NLU`` protocol, the
``EntityMatch``/``IntentScore`` values and ``train_nlu``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Collection, Protocol

from chatops.engine.agent import Agent


@dataclass(frozen=True)
class IntentScore:
    intent: str
    confidence: float


@dataclass(frozen=True)
class EntityMatch:
    """An entity found in an utterance.

    ``entity`` is the type (``content``, ``sys.number``, or a learned slot type);
    ``slot`` names the intent parameter when a learned tagger assigned it;
    ``value`` is the resolved value in DialogFlow's shape (reference value,
    number, ISO 8601 string, ``{"amount", "unit"}``).
    """

    entity: str
    start: int
    end: int
    text: str
    value: Any
    slot: str | None = None


class NLU(Protocol):
    def classify(self, text: str, *, candidates: Collection[str] | None = None, at_least: float = 0.0) -> list[IntentScore]:
        """Intents sorted by confidence (highest first), restricted to ``candidates`` when given.

        Intents below ``at_least`` may be left out, but never the best one.
        """

    def extract(self, text: str, *, intent: str | None = None, now: datetime | None = None) -> list[EntityMatch]:
        """Entities in ``text``; ``intent`` lets a learned tagger use the intent's slots.

        ``now`` is the reference for relative dates ("tomorrow"); default: the current time.
        """

    def resolve(self, text: str, entity: str, *, now: datetime | None = None) -> EntityMatch | None:
        """Read the whole of ``text`` (an answer to a prompt) as one value of ``entity``."""


def train_nlu(agent: Agent, **options: Any) -> NLU:
    """Train the default NLU on the agent's training phrases and entities."""
    from chatops.engine.nlu.model import train

    return train(agent, **options)


__all__ = ["NLU", "EntityMatch", "IntentScore", "train_nlu"]
