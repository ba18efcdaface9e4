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
        self.longest = max((len(words) for words in self.slots), default=0)

    def hints(self, tokens: Sequence[Token]) -> list[list[str]]:
        """Per token, "v:slot" for every seen value of ``slot`` covering it (longest values first)."""
        lowered = [t.lower for t in tokens]
        result: list[list[str]] = [[] for _ in tokens]
        covered = [False] * len(tokens)
        for size in range(min(self.longest, len(tokens)), 0, -1):
            for i in range(len(tokens) - size + 1):
                slots = self.slots.get(tuple(lowered[i : i + size]))
                if not slots or any(covered[i : i + size]):
                    continue
                for j in range(i, i + size):
                    covered[j] = True
                    result[j].extend(f"v:{slot}" for slot in sorted(slots))
        return result
