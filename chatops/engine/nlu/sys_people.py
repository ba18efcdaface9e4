"""@sys.given-name, @sys.last-name and @sys.person from the US Census' public-domain name lists.

``given_names.txt`` holds the 1990 census's 1,000 most frequent male and
1,500 most frequent female first names (further down come "Ok", "In", "So"),
``last_names.txt`` its 5,000 most frequent surnames.
A given name written in lower case counts unless it is also a word ("will",
"mark", "may"); a surname always needs its capital, as most of them are words
too ("Brown", "Young", "Price").
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from chatops.engine.nlu import EntityMatch
from chatops.engine.nlu.lexicon import Lexicon, build, common_words, word_list
from chatops.engine.nlu.text import Token

TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir"})


@lru_cache(maxsize=1)
def given_names() -> Lexicon:
    return build(word_list("given_names.txt"), cased=common_words())


@lru_cache(maxsize=1)
def last_names() -> Lexicon:
    names = word_list("last_names.txt")
    return build(names, cased=frozenset(name.lower() for name in names))


def find_persons(text: str, tokens: Sequence[Token], lenient: bool) -> list[EntityMatch]:
    """A given name with the capitalised word after it ("John Smith"), or a title and a surname ("Dr. Lee").

    In a whole answer to a prompt a known surname needs no capital ("john smith").
    ES's value is ``{"name": ...}``, the name as written without its title.
    """
    spans = []  # (first token of the match, first token of the name, last token)
    for hit in given_names().find(tokens, lenient=lenient):
        spans.append((hit.first, hit.first, hit.last + 1 if _surname(tokens, hit.last + 1, lenient) else hit.last))
    for i, token in enumerate(tokens[:-1]):
        surname = i + 2 if tokens[i + 1].text == "." else i + 1
        if token.lower in TITLES and _surname(tokens, surname, lenient):
            spans.append((i, surname, surname))
    return [
        EntityMatch("sys.person", tokens[a].start, tokens[c].end, text[tokens[a].start : tokens[c].end],
                    {"name": text[tokens[b].start : tokens[c].end]})
        for a, b, c in sorted(spans)
    ]


def _surname(tokens: Sequence[Token], i: int, lenient: bool) -> bool:
    """A capitalised word right after a given name or a title, known or not ("Kowalczyk")."""
    if i >= len(tokens) or not tokens[i].text.isalpha():
        return False
    return tokens[i].text[0].isupper() or (lenient and (tokens[i].lower,) in last_names().names)
