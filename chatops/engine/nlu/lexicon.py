"""Closed lists of names (cities, countries, given names, languages) found in text with capitalisation rules.

Names match whatever their case ("paris", "Paris"), with two exceptions that
keep ordinary words from turning into names: a name that is also a common
English word ("may", "turkey", "chad", "china", "will") counts only when
written with a capital and not as the first word of a sentence, and an
abbreviation ("US", "U.S.", "UK", "CA") only as written. A whole answer to a
prompt ("Which country?" "china") is read leniently: the question says what
the word is.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Iterable, Sequence

from chatops.engine.nlu import EntityMatch
from chatops.engine.nlu.text import TOKEN, Token

SENTENCE_END = frozenset(".!?")
ABBREVIATION_LETTERS = 3


@lru_cache(maxsize=None)
def word_list(name: str) -> tuple[str, ...]:
    """A bundled list under ``nlu/data/``, one entry a line, read once on first use."""
    text = resources.files("chatops.engine.nlu").joinpath("data", name).read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case English words that are also names (public-domain dictionary entries)."""
    return frozenset(word_list("common_words.txt"))


def unaccented(word: str) -> str:
    """"são" as "sao": people type names without their accents."""
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


@dataclass(frozen=True)
class Hit:
    """A name found over ``tokens[first:last + 1]``."""

    first: int
    last: int
    value: str


@dataclass
class Lexicon:
    """Names keyed by their lower-cased tokens; abbreviations keyed by their tokens as written."""

    names: dict[tuple[str, ...], str] = field(default_factory=dict)
    exact: dict[tuple[str, ...], str] = field(default_factory=dict)
    # Lower-cased single words that need a capital (and not at a sentence start) to count.
    cased: frozenset[str] = frozenset()
    # The most tokens of a name starting with a word (lower-cased or as written), so most words cost one probe.
    longest: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, value: str | None = None) -> None:
        """A name; one in capitals with at most three letters is an abbreviation ("US", "U.S.")."""
        tokens = (name,) if name.isalnum() else tuple(TOKEN.findall(name))  # most names are one plain word
        if not tokens:
            return
        if name.isupper() and sum(c.isalpha() for c in name) <= ABBREVIATION_LETTERS:
            keys, table = {tokens}, self.exact
        else:
            lowered = tuple(t.lower() for t in tokens)
            keys, table = {lowered, lowered if name.isascii() else tuple(map(unaccented, lowered))}, self.names
        for key in keys:
            table.setdefault(key, value or name)
            self.longest[key[0]] = max(self.longest.get(key[0], 0), len(key))

    def find(self, tokens: Sequence[Token], *, lenient: bool = False) -> list[Hit]:
        """Longest names first, left to right, without overlaps."""
        hits: list[Hit] = []
        i = 0
        while i < len(tokens):
            hit = self._at(tokens, i, lenient)
            if hit is None:
                i += 1
                continue
            hits.append(hit)
            i = hit.last + 1
        return hits

    def _at(self, tokens: Sequence[Token], i: int, lenient: bool) -> Hit | None:
        longest = max(self.longest.get(tokens[i].text, 0), self.longest.get(tokens[i].lower, 0))
        for size in range(min(longest, len(tokens) - i), 0, -1):
            window = tokens[i : i + size]
            value = self.exact.get(tuple(t.text for t in window))
            if value is None:
                value = self.names.get(tuple(t.lower for t in window))
                if value is not None and not lenient and size == 1 and not self._counts(tokens, i):
                    value = None
            if value is not None:
                return Hit(i, i + size - 1, value)
        return None

    def _counts(self, tokens: Sequence[Token], i: int) -> bool:
        token = tokens[i]
        if token.lower not in self.cased:
            return True
        sentence_start = i == 0 or tokens[i - 1].text in SENTENCE_END
        return token.text[0].isupper() and not sentence_start


def build(names: Iterable[str | tuple[str, str]], *, cased: frozenset[str] = frozenset()) -> Lexicon:
    """A lexicon of ``names`` (a name, or a (name, value) pair such as ("Holland", "Netherlands"))."""
    lexicon = Lexicon(cased=cased)
    for item in names:
        name, value = (item, item) if isinstance(item, str) else item
        lexicon.add(name, value)
    return lexicon


def entity_matches(entity: str, text: str, tokens: Sequence[Token], hits: Iterable[Hit]) -> list[EntityMatch]:
    """Hits as matches of ``entity``, the value being the name's canonical spelling."""
    return [
        EntityMatch(entity, tokens[h.first].start, tokens[h.last].end, text[tokens[h.first].start : tokens[h.last].end], h.value)
        for h in hits
    ]
