"""Developer entities: synonyms matched case-insensitively by whole tokens, optional typo tolerance, regexps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from chatops.engine.agent import EntityType
from chatops.engine.nlu import EntityMatch
from chatops.engine.nlu.text import Token, tokenize

# The typo a word may hold scales with its length (the shorter of the two words): none up to three
# letters, one edit (an adjacent swap counts as one, "fcat" is fact) up to seven, two from eight.
FUZZY_MIN_LENGTH = 4
TWO_EDITS_MIN_LENGTH = 8
# A word this frequent in English (Zipf scale: 3 is once per million words) is what the user meant,
# not a typo: "fast" is never read as fact, nor "face".
COMMON_ZIPF = 3.0
CACHED_WORDS = 16384
CACHED_PAIRS = 65536


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


def edit_bound(length: int) -> int:
    return 0 if length < FUZZY_MIN_LENGTH else 1 if length < TWO_EDITS_MIN_LENGTH else 2


def distance(word: str, wanted: str) -> int | None:
    """The edits from ``word`` to ``wanted`` if within the bound of their lengths, else None."""
    if word == wanted:
        return 0
    bound = edit_bound(min(len(word), len(wanted)))
    if abs(len(word) - len(wanted)) > bound:
        return None
    edits = damerau_levenshtein(word, wanted)
    return edits if edits <= bound else None


@lru_cache(maxsize=65536)
def common_word(word: str) -> bool:
    from wordfreq import zipf_frequency  # 0.2 s to import: paid only where a typo is in question

    return zipf_frequency(word, "en", wordlist="small") >= COMMON_ZIPF


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
    """Index keys that any word within its edit bound of ``word`` shares with it (symmetric deletion)."""
    keys = {word}
    for _ in range(edit_bound(len(word))):
        keys |= {d for k in keys for d in _deletions(k)}
    return frozenset(keys)


class Gazetteer:
    """All developer entities of an agent, matched longest-first without overlaps per entity.

    Synonyms are indexed by their first word (and, for fuzzy entities, by that
    word's deletions within its edit bound), so a lookup costs a few dictionary probes per
    token whatever the size of the entities.
    """

    def __init__(self, entities: dict[str, EntityType]) -> None:
        self.index: dict[str, list[_Synonym]] = {}
        self.patterns: list[tuple[str, re.Pattern[str]]] = []
        self.fuzzy = any(entity.fuzzy and not entity.regexp for entity in entities.values())
        self.words: set[str] = set()  # every word of every synonym, never read as a typo of another
        # A chat's words come back turn after turn: each one's candidates are looked up once.
        self.candidates = lru_cache(maxsize=CACHED_WORDS)(self._candidates)
        # And a synonym's later words against the words after it: "a house" against "a joke" is an edit distance.
        self.word_edits = lru_cache(maxsize=CACHED_PAIRS)(self._word_edits)
        for entity in entities.values():
            for entry in entity.entries:
                for synonym in entry.synonyms:
                    if entity.regexp:
                        self.patterns.append((entity.name, re.compile(synonym, re.IGNORECASE)))
                        continue
                    for words in _spellings(tuple(t.lower for t in tokenize(synonym))):
                        self._add(_Synonym(entity.name, entry.value, words, entity.fuzzy))

    def _add(self, synonym: _Synonym) -> None:
        self.words.update(synonym.words)
        for key in _keys(synonym.words[0]) if synonym.fuzzy else (synonym.words[0],):
            self.index.setdefault(key, []).append(synonym)

    def find(self, text: str, tokens: list[Token] | None = None, *, only: str | None = None) -> list[EntityMatch]:
        if not self.index and not self.patterns:
            return []
        tokens = tokenize(text) if tokens is None else tokens
        lowered = [t.lower for t in tokens]
        hits: dict[str, list[_Hit]] = {}
        for i, word in enumerate(lowered):
            for synonym, edits in self.candidates(word):
                if only is not None and synonym.entity != only:
                    continue
                rest = self._edits(lowered, i, synonym)
                if rest is not None:
                    hits.setdefault(synonym.entity, []).append(_Hit(i, synonym, edits + rest))
        matches = [m for entity_hits in hits.values() for m in self._longest(text, tokens, entity_hits)]
        for entity, pattern in self.patterns:
            if only is None or only == entity:
                matches.extend(
                    EntityMatch(entity, m.start(), m.end(), m.group(), m.group())
                    for m in pattern.finditer(text) if m.end() > m.start()
                )
        return sorted(matches, key=lambda m: (m.start, -m.end))

    @staticmethod
    def _longest(text: str, tokens: list[Token], hits: list[_Hit]) -> list[EntityMatch]:
        """Left to right, the longest synonym at each place, the closest one there, skipping overlaps.

        A typo as close to two values as to each other is no match: guessing would make a false entity.
        """
        places: dict[tuple[int, int], list[_Hit]] = {}
        for hit in hits:
            places.setdefault((hit.at, len(hit.synonym.words)), []).append(hit)
        found, free = [], 0
        for (at, size), group in sorted(places.items(), key=lambda place: (place[0][0], -place[0][1])):
            best = min(group, key=lambda h: h.edits)
            if at < free or (best.edits and len({h.synonym.value for h in group if h.edits == best.edits}) > 1):
                continue
            start, end = tokens[at].start, tokens[at + size - 1].end
            found.append(EntityMatch(best.synonym.entity, start, end, text[start:end], best.synonym.value))
            free = at + size
        return found

    def _candidates(self, word: str) -> tuple[tuple[_Synonym, int], ...]:
        """The synonyms whose first word is ``word`` or has it as a typo, with the edits between them."""
        found: dict[int, tuple[_Synonym, int]] = {}
        for key in _keys(word) if self.fuzzy else (word,):
            for synonym in self.index.get(key, ()):
                if id(synonym) not in found:
                    edits = self._word_edits(word, synonym.words[0], synonym.fuzzy)
                    if edits is not None:
                        found[id(synonym)] = (synonym, edits)
        return tuple(found.values())

    def _word_edits(self, word: str, wanted: str, fuzzy: bool) -> int | None:
        """Only a word that is neither another synonym nor a common English word may be a typo."""
        if word == wanted:
            return 0
        if not fuzzy or word in self.words or common_word(word):
            return None
        return distance(word, wanted)

    def _edits(self, lowered: list[str], i: int, synonym: _Synonym) -> int | None:
        """The edits between the tokens after ``i`` and the synonym's words after its first, None if they differ."""
        if i + len(synonym.words) > len(lowered):
            return None
        total = 0
        for word, wanted in zip(lowered[i + 1 : i + len(synonym.words)], synonym.words[1:]):
            edits = self.word_edits(word, wanted, synonym.fuzzy)
            if edits is None:
                return None
            total += edits
        return total


@dataclass(frozen=True)
class _Hit:
    at: int  # token index
    synonym: _Synonym
    edits: int


def _spellings(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    """A compound written with a hyphen, a space or as one word: "tune-up", "tune up", "tuneup"."""
    parts = tuple(w for w in words if w != "-")
    if not words or len(parts) < 2 or not all(w.isalnum() for w in parts):
        return {words} if words else set()
    hyphenated = tuple(token for part in parts for token in (part, "-"))[:-1]
    return {words, parts, hyphenated, ("".join(parts),)}

