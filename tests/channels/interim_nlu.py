"""INTERIM, until the real NLU lands in main: a word-overlap classifier so channel tests can run.

Installed only when ``chatops.engine.nlu.model`` is missing; delete this module then.
"""

from __future__ import annotations

import importlib.util
import re
from typing import Any, Collection

import pytest

from chatops.engine.agent import Agent
from chatops.engine.nlu import EntityMatch, IntentScore


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


class WordOverlapNLU:
    def __init__(self, agent: Agent) -> None:
        self.phrases = {name: [_words(p.text) for p in i.phrases] for name, i in agent.intents.items()}

    def classify(self, text: str, *, candidates: Collection[str] | None = None) -> list[IntentScore]:
        words = _words(text)
        scores = []
        for name in candidates if candidates is not None else self.phrases:
            best = max((len(words & p) / len(words | p) for p in self.phrases.get(name, []) if p), default=0.0)
            scores.append(IntentScore(name, best))
        return sorted(scores, key=lambda s: s.confidence, reverse=True)

    def extract(self, text: str, *, intent: str | None = None) -> list[EntityMatch]:
        return []

    def resolve(self, text: str, entity: str) -> EntityMatch | None:
        return None


def install_if_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    if importlib.util.find_spec("chatops.engine.nlu.model") is None:
        def train(agent: Agent, **options: Any) -> WordOverlapNLU:
            return WordOverlapNLU(agent)

        monkeypatch.setattr("chatops.runtime.train_nlu", train)
