"""Tokens with character offsets, shared by the classifier, the gazetteers and the tagger."""

from __future__ import annotations

import re
from typing import NamedTuple, Sequence

# Split at every punctuation mark so that an annotated span always starts and
# ends on a token boundary ("[Chicago]'s", "[kube-system]").
TOKEN = re.compile(r"\w+|[^\w\s]")
DIGIT = re.compile(r"\d")
WORD = re.compile(r"\w+")


class Token(NamedTuple):
    """A tuple, not a frozen dataclass: every utterance and training phrase makes a dozen, and a frozen
    dataclass's ``__init__`` (``object.__setattr__`` per field) made tokenising 25% slower."""

    text: str
    start: int
    end: int
    lower: str


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end(), m.group().lower()) for m in TOKEN.finditer(text)]


def normalize(word: str) -> str:
    """Lower case with digits folded to 0, so "5 pods" and "7 pods" share features."""
    return DIGIT.sub("0", word.lower())


# Punctuation that joins the parts of one item written without spaces: kube-system, app=redis,tier=cache,
# app.kubernetes.io/name. An apostrophe does not: "[Chicago]'s".
JOINERS = frozenset("-_./:=@+,")


def _joins(token: Token) -> bool:
    return token.text in JOINERS or bool(WORD.fullmatch(token.text))


def items(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Per token, the token range [first, last] of the glued item it is part of, from word to word ((i, i): none)."""
    result: list[tuple[int, int]] = [(i, i) for i in range(len(tokens))]
    i = 0
    while i + 1 < len(tokens):
        j = i
        while j + 1 < len(tokens) and tokens[j].end == tokens[j + 1].start and _joins(tokens[j]) and _joins(tokens[j + 1]):
            j += 1
        words = [k for k in range(i, j + 1) if WORD.fullmatch(tokens[k].text)] if j > i else ()
        for k in range(words[0], words[-1] + 1) if words else ():
            result[k] = (words[0], words[-1])
        i = j + 1
    return result
