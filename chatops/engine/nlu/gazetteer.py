"""Developer entities: synonyms matched case-insensitively by whole tokens, optional typo tolerance, regexps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from chatops.engine.agent import EntityType
from chatops.engine.nlu import EntityMatch
from chatops.engine.nlu.text import Token, tokenize

# The typo a word may hold scales with its length: none up to three letters, two swapped letters at
# four ("fcat" is fact, "fast" is not), any one edit from five.
FUZZY_MIN_LENGTH = 4
SUBSTITUTION_MIN_LENGTH = 5


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
    if len(wanted) < SUBSTITUTION_MIN_LENGTH:
        return sorted(word) == sorted(wanted) and damerau_levenshtein(word, wanted) == 1
    return damerau_levenshtein(word, wanted) <= 1


@dataclass(frozen=True)
class _Synonym:
    entity: str
    value: str
    words: tuple[str, ...]
    fuzzy: bool


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@lru_cache(maxsize=65536)
def _keys(word: str) -> frozenset[str]:
    """Index keys that any word within one edit of ``word`` shares with it (symmetric deletion)."""
    return frozenset({word} | _deletions(word) if len(word) >= FUZZY_MIN_LENGTH else {word})


class Gazetteer:
    """All developer entities of an agent, matched longest-first without overlaps per entity.

    Synonyms are indexed by their first word (and, for fuzzy entities, by that
    word's one-letter deletions), so a lookup costs a few dictionary probes per
    token whatever the size of the entities.
    """

    def __init__(self, entities: dict[str, EntityType]) -> None:
        self.index: dict[str, list[_Synonym]] = {}
        self.patterns: list[tuple[str, re.Pattern[str]]] = []
        self.fuzzy = any(entity.fuzzy and not entity.regexp for entity in entities.values())
        for entity in entities.values():
            for entry in entity.entries:
                for synonym in entry.synonyms:
                    if entity.regexp:
                        self.patterns.append((entity.name, re.compile(synonym, re.IGNORECASE)))
                        continue
                    for words in _spellings(tuple(t.lower for t in tokenize(synonym))):
                        self._add(_Synonym(entity.name, entry.value, words, entity.fuzzy))

    def _add(self, synonym: _Synonym) -> None:
        first = synonym.words[0]
        keys = _keys(first) if synonym.fuzzy and len(first) >= FUZZY_MIN_LENGTH else {first}
        for key in keys:
            self.index.setdefault(key, []).append(synonym)

    def find(self, text: str, tokens: list[Token] | None = None, *, only: str | None = None) -> list[EntityMatch]:
        if not self.index and not self.patterns:
            return []
        tokens = tokenize(text) if tokens is None else tokens
        lowered = [t.lower for t in tokens]
        hits: dict[str, list[tuple[int, _Synonym]]] = {}
        for i, word in enumerate(lowered):
            seen: set[int] = set()
            for key in _keys(word) if self.fuzzy else (word,):
                for synonym in self.index.get(key, ()):
                    if id(synonym) in seen or (only is not None and synonym.entity != only):
                        continue
                    seen.add(id(synonym))
                    if self._matches(lowered, i, synonym):
                        hits.setdefault(synonym.entity, []).append((i, synonym))
        matches = [m for entity_hits in hits.values() for m in self._longest(text, tokens, entity_hits)]
        for entity, pattern in self.patterns:
            if only is None or only == entity:
                matches.extend(
                    EntityMatch(entity, m.start(), m.end(), m.group(), m.group())
                    for m in pattern.finditer(text) if m.end() > m.start()
                )
        return sorted(matches, key=lambda m: (m.start, -m.end))

    @staticmethod
    def _longest(text: str, tokens: list[Token], hits: list[tuple[int, _Synonym]]) -> list[EntityMatch]:
        """Left to right, the longest synonym at each place, skipping overlaps."""
        found, free = [], 0
        for i, synonym in sorted(hits, key=lambda h: (h[0], -len(h[1].words), not _exact(h[1]))):
            if i < free:
                continue
            last = tokens[i + len(synonym.words) - 1]
            found.append(EntityMatch(synonym.entity, tokens[i].start, last.end, text[tokens[i].start : last.end], synonym.value))
            free = i + len(synonym.words)
        return found

    @staticmethod
    def _matches(lowered: list[str], i: int, synonym: _Synonym) -> bool:
        if i + len(synonym.words) > len(lowered):
            return False
        pairs = zip(lowered[i : i + len(synonym.words)], synonym.words)
        if synonym.fuzzy:
            return all(_close(word, wanted) for word, wanted in pairs)
        return all(word == wanted for word, wanted in pairs)


def _spellings(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    """A compound written with a hyphen, a space or as one word: "tune-up", "tune up", "tuneup"."""
    parts = tuple(w for w in words if w != "-")
    if not words or len(parts) < 2 or not all(w.isalnum() for w in parts):
        return {words} if words else set()
    hyphenated = tuple(token for part in parts for token in (part, "-"))[:-1]
    return {words, parts, hyphenated, ("".join(parts),)}


def _exact(synonym: _Synonym) -> bool:
    return not synonym.fuzzy
