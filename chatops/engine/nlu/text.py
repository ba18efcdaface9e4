"""Tokens with character offsets, shared by the classifier, the gazetteers and the tagger."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Split at every punctuation mark so that an annotated span always starts and
# ends on a token boundary ("[Chicago]'s", "[kube-system]").
TOKEN = re.compile(r"\w+|[^\w\s]")
DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int
    lower: str


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end(), m.group().lower()) for m in TOKEN.finditer(text)]


def normalize(word: str) -> str:
    """Lower case with digits folded to 0, so "5 pods" and "7 pods" share features."""
    return DIGIT.sub("0", word.lower())
