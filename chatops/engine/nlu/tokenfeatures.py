"""Per-token features for the slot tagger: the word, its shape and affixes, its neighbours, and gazetteer hits."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from chatops.engine.nlu.text import Token, items

SHAPE_RUNS = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def shape(word: str) -> str:
    """"Kube-system" -> "Xx-x", "v1.2" -> "xd.d": the kind of characters, runs collapsed."""
    kinds = "".join("X" if c.isupper() else "x" if c.isalpha() else "d" if c.isdigit() else c for c in word)
    return SHAPE_RUNS.sub(r"\1", kinds)


def item_shape(tokens: Sequence[Token], first: int, last: int) -> str:
    return shape("".join(t.text for t in tokens[first : last + 1]))


@lru_cache(maxsize=65536)
def _own(text: str) -> tuple[str, tuple[str, ...]]:
    """A token's shape and the features of the word alone, the same wherever it occurs."""
    word, kind = text.lower(), shape(text)
    return kind, (f"w={word}", f"s={kind}", f"p2={word[:2]}", f"p3={word[:3]}", f"x2={word[-2:]}", f"x3={word[-3:]}")


def token_features(tokens: Sequence[Token], hints: Sequence[Sequence[str]]) -> list[list[str]]:
    """Feature names per token; ``hints`` are per-token gazetteer/system tags ("g:cluster", "sys.number")."""
    words = ["<s2>", "<s>", *(t.lower for t in tokens), "</s>", "</s2>"]
    spans = items(tokens)
    result = []
    for i, token in enumerate(tokens):
        j = i + 2
        word, before, after = words[j], words[j - 1], words[j + 1]
        kind, own = _own(token.text)
        features = [
            *own,
            f"w-1={before}", f"w+1={after}", f"w-2={words[j - 2]}", f"w+2={words[j + 2]}",
            f"b-={before}|{word}", f"b+={word}|{after}", f"c={before}|{after}",
            f"ws-1={before}|{kind}",
        ]
        if i > 0 and tokens[i - 1].end == token.start:
            features.append("glued")  # no space before: part of a larger item such as kube-system
        # The item's shape and the words around it, shared by a plain word and every piece of a compound,
        # so "in namespace ___" carries over from monitoring to an unseen gatekeeper-system.
        first, last = spans[i]
        whole = kind if first == last else item_shape(tokens, first, last)
        # The two words before it tell "into namespace ___" (the target) from "migrate namespace ___" (the source).
        features += [
            f"is={whole}", f"iw-1={words[first + 1]}", f"iw+1={words[last + 3]}",
            f"ib-={words[first]}|{words[first + 1]}",
        ]
        features.extend(f"h={hint}" for hint in hints[i])
        if i:
            features.extend(f"h-1={hint}" for hint in hints[i - 1])
        if i + 1 < len(tokens):
            features.extend(f"h+1={hint}" for hint in hints[i + 1])
        result.append(features)
    return result
