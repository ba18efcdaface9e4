"""Developer entities: synonyms matched case-insensitively by whole tokens, optional typo tolerance, regexps."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatops.engine.agent import EntityType
from chatops.engine.nlu import EntityMatch
from chatops.engine.nlu.text import Token, tokenize

FUZZY_MIN_LENGTH = 5


def damerau_levenshtein(a: str, b: str) -> int:
    """Optimal string alignment distance (insertions, deletions, substitutions, adjacent swaps)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _close(word: str, wanted: str) -> bool:
    if word == wanted:
        return True
    if len(wanted) < FUZZY_MIN_LENGTH or abs(len(word) - len(wanted)) > 1:
        return False
    return damerau_levenshtein(word, wanted) <= 1


@dataclass(frozen=True)
class _Synonym:
    entity: str
    value: str
    words: tuple[str, ...]
    fuzzy: bool


class Gazetteer:
    """All developer entities of an agent, matched longest-first without overlaps per entity."""

    def __init__(self, entities: dict[str, EntityType]) -> None:
        self.synonyms: dict[str, list[_Synonym]] = {}
        self.patterns: list[tuple[str, re.Pattern[str]]] = []
        for entity in entities.values():
            for entry in entity.entries:
                for synonym in entry.synonyms:
                    if entity.regexp:
                        self.patterns.append((entity.name, re.compile(synonym, re.IGNORECASE)))
                        continue
                    words = tuple(t.lower for t in tokenize(synonym))
                    if words:
                        item = _Synonym(entity.name, entry.value, words, entity.fuzzy)
                        self.synonyms.setdefault(entity.name, []).append(item)
        for items in self.synonyms.values():
            items.sort(key=lambda s: -len(s.words))

    def find(self, text: str, tokens: list[Token] | None = None, *, only: str | None = None) -> list[EntityMatch]:
        tokens = tokenize(text) if tokens is None else tokens
        lowered = [t.lower for t in tokens]
        matches: list[EntityMatch] = []
        for entity, items in self.synonyms.items():
            if only is None or only == entity:
                matches.extend(self._scan(text, tokens, lowered, items))
        for entity, pattern in self.patterns:
            if only is None or only == entity:
                matches.extend(
                    EntityMatch(entity, m.start(), m.end(), m.group(), m.group())
                    for m in pattern.finditer(text) if m.end() > m.start()
                )
        return sorted(matches, key=lambda m: (m.start, -m.end))

    def _scan(self, text: str, tokens: list[Token], lowered: list[str], items: list[_Synonym]) -> list[EntityMatch]:
        found = []
        i = 0
        while i < len(tokens):
            hit = next((s for s in items if self._matches(lowered, i, s)), None)
            if hit is None:
                i += 1
                continue
            last = tokens[i + len(hit.words) - 1]
            found.append(EntityMatch(hit.entity, tokens[i].start, last.end, text[tokens[i].start : last.end], hit.value))
            i += len(hit.words)
        return found

    @staticmethod
    def _matches(lowered: list[str], i: int, synonym: _Synonym) -> bool:
        if i + len(synonym.words) > len(lowered):
            return False
        pairs = zip(lowered[i : i + len(synonym.words)], synonym.words)
        if synonym.fuzzy:
            return all(_close(word, wanted) for word, wanted in pairs)
        return all(word == wanted for word, wanted in pairs)
