"""More annotated phrases for intents that have few: the same sentences with other slot values.

With a handful of phrases a tagger learns the values themselves ("kube-system")
rather than where values sit ("pods in ___"). Swapping in other values of the
same parameter - from other phrases, from the entity's synonyms, or made-up
words for free-form text - makes the context the reliable clue.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

import numpy as np

from chatops.engine.agent import Agent, Intent, PhrasePart, TrainingPhrase

SMALL_INTENT = 60  # phrases; larger intents have enough variety of their own
COPIES = 3
SHARED_VALUES = 2  # one value in common may be chance ("default" namespace and default content)
# Made-up values that end in a number (shop-v2, web2, blog-2024), as names often do: without them, a free-form
# slot whose own phrases hold the only such names (a target "payments-v2") claims every digit-bearing name.
NUMBERED = 0.3
SYLLABLES = ("ka", "lo", "mi", "ter", "sun", "ax", "vo", "re", "pin", "dex", "ul", "gra")


def value_pools(agent: Agent, intents: Iterable[Intent]) -> dict[str, list[str]]:
    """Parameter name -> values seen annotated for it anywhere, plus its entity's synonyms."""
    pools: dict[str, set[str]] = defaultdict(set)
    for intent in intents:
        for phrase in intent.phrases:
            for part in phrase.parts:
                if part.parameter:
                    pools[part.parameter].add(part.text)
        for parameter in intent.parameters:
            entity = agent.entities.get(parameter.entity)
            if entity is not None and not entity.regexp:
                pools[parameter.name].update(s for e in entity.entries for s in e.synonyms)
    return {name: sorted(values) for name, values in _kinds(pools).items()}


def _kinds(pools: dict[str, set[str]]) -> dict[str, set[str]]:
    """Parameters sharing values are one kind of thing and share one pool.

    The source and the target of a migration are both clusters: a cluster seen only as a target
    must also be swapped in as a source, or the tagger learns the name instead of "from ___".
    """
    merged = {name: set(values) for name, values in pools.items()}
    names = list(merged)
    for a in names:
        for b in names:
            if a < b and merged[a] is not merged[b] and len(merged[a] & merged[b]) >= SHARED_VALUES:
                union = merged[a] | merged[b]
                for name in names:
                    if merged[name] is merged[a] or merged[name] is merged[b]:
                        merged[name] = union
    return merged


def _made_up(rng: np.random.Generator) -> str:
    words = ["".join(SYLLABLES[int(i)] for i in rng.integers(0, len(SYLLABLES), size=int(rng.integers(1, 4))))
             for _ in range(int(rng.integers(1, 3)))]
    value = "-".join(words) if rng.random() < 0.5 else words[0]
    if rng.random() < NUMBERED:
        digits = str(int(rng.integers(1, 10 ** int(rng.integers(1, 5)))))
        value += ("-" if rng.random() < 0.5 else "") + ("v" if rng.random() < 0.3 else "") + digits
    return value


def augment(intent: Intent, pools: dict[str, list[str]], *, free_form: set[str], seed: int = 0) -> list[TrainingPhrase]:
    """Copies of the intent's annotated phrases with swapped values; none for a large intent."""
    if len(intent.phrases) >= SMALL_INTENT:
        return []
    rng = np.random.default_rng(seed)
    copies = []
    for phrase in intent.phrases:
        if not any(part.parameter for part in phrase.parts):
            continue
        for _ in range(COPIES):
            parts = []
            for part in phrase.parts:
                if part.parameter is None:
                    parts.append(part)
                    continue
                pool = pools.get(part.parameter) or [part.text]
                use_made_up = part.parameter in free_form and rng.random() < 0.6
                text = _made_up(rng) if use_made_up else pool[int(rng.integers(0, len(pool)))]
                parts.append(PhrasePart(text, part.parameter))
            copies.append(TrainingPhrase(tuple(parts)))
    return copies
