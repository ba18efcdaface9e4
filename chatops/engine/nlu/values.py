"""A gazetteer of slot values seen in annotated training phrases, a feature for the slot tagger.

A value seen before ("Boston" as a city) is strong evidence when it comes back.
Training on phrases whose own values are always in the gazetteer would teach the
tagger to trust it blindly, so training features come from a gazetteer built on
the other half of the phrases (two-fold jackknife), as at prediction time a value
may or may not have been seen.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Sequence

from chatops.engine.nlu.text import Token

MAX_WORDS = 6


class ValueGazetteer:
    def __init__(self, values: Iterable[tuple[tuple[str, ...], str]] = ()) -> None:
        self.slots: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for words, slot in values:
            if 0 < len(words) <= MAX_WORDS:
                self.slots[words].add(slot)
        # Value lengths by first word: most tokens start no value, and cost one dictionary miss.
        sizes: dict[str, set[int]] = defaultdict(set)
        for words in self.slots:
            sizes[words[0]].add(len(words))
        self.sizes = {word: tuple(lengths) for word, lengths in sizes.items()}

    def hints(self, tokens: Sequence[Token]) -> list[list[str]]:
        """Per token, "v:slot" for every seen value of ``slot`` covering it (longest values first)."""
        lowered, n = [t.lower for t in tokens], len(tokens)
        result: list[list[str]] = [[] for _ in tokens]
        found = [
            (size, i, slots) for i, word in enumerate(lowered) if word in self.sizes
            for size in self.sizes[word]
            if i + size <= n and (slots := self.slots.get(tuple(lowered[i : i + size])))
        ]
        covered = [False] * len(tokens)
        for size, i, slots in sorted(found, key=lambda f: (-f[0], f[1])):
            if any(covered[i : i + size]):
                continue
            for j in range(i, i + size):
                covered[j] = True
                result[j].extend(f"v:{slot}" for slot in sorted(slots))
        return result
