"""Out-of-scope utterances that teach the classifier its "none of these" class.

An agent only shows what its intents look like. To learn what they do not look
like, the classifier also sees (1) made-up utterances: nonsense words mixed with
function words that several intents share, so those words alone point nowhere
(words that carry one intent, or make up a whole training phrase such as "yes",
are never used); and (2) everyday requests from ``data/out_of_scope.txt`` whose
content words the agent never uses, so they cannot contradict its phrases.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Sequence

import numpy as np

from chatops.engine.nlu.text import TOKEN

FUNCTION_WORDS = tuple(
    "the a an to of in on at for with from by about is are was be do does can could would will should "
    "i you it we they me my your this that these those what which who how when where why please and or "
    "but some any all just so there here get give tell show make know want like need have has am not".split()
)
CONSONANTS = "bcdfghjklmnprstvwxz"
VOWELS = "aeiouy"


def shared_words(phrases: Sequence[tuple[str, str]]) -> list[str]:
    """Function words that are not the signature of a single intent; ``phrases`` are (intent, text)."""
    owners: dict[str, set[str]] = defaultdict(set)
    whole: set[str] = set()
    for intent, text in phrases:
        words = [w.lower() for w in TOKEN.findall(text)]
        if len(words) == 1:
            whole.add(words[0])
        for word in words:
            owners[word].add(intent)
    return [w for w in FUNCTION_WORDS if w not in whole and len(owners.get(w, ())) != 1]


def _nonsense(rng: np.random.Generator, count: int) -> list[str]:
    """``count`` made-up words, half pronounceable, half keyboard mash ("asdfgh"), drawn as arrays at once."""
    lengths = rng.integers(2, 10, size=count)
    word_of = np.repeat(np.arange(count), lengths)
    starts = np.cumsum(lengths) - lengths
    position = np.arange(len(word_of)) - starts[word_of]
    mash = (rng.random(count) < 0.5)[word_of]
    vowel = (position + rng.integers(0, 2, size=count)[word_of]) % 2 == 1
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
    vowels, consonants = np.frombuffer(VOWELS.encode(), dtype=np.uint8), np.frombuffer(CONSONANTS.encode(), dtype=np.uint8)
    n = len(word_of)
    spoken = np.where(vowel, vowels[rng.integers(0, len(vowels), size=n)], consonants[rng.integers(0, len(consonants), size=n)])
    text = np.where(mash, letters[rng.integers(0, 26, size=n)], spoken).astype(np.uint8).tobytes().decode("ascii")
    return [text[a : a + size] for a, size in zip(starts.tolist(), lengths.tolist())]


def out_of_scope(phrases: Sequence[tuple[str, str]], count: int, *, seed: int = 0) -> list[str]:
    """``count`` nonsense utterances of one to eight words; two in five words are shared function words."""
    rng = np.random.default_rng(seed)
    shared = shared_words(phrases)
    sizes = rng.integers(1, 9, size=count)
    words = _nonsense(rng, int(sizes.sum()))
    if shared:
        chosen = np.flatnonzero(rng.random(len(words)) < 0.4)
        for i, pick in zip(chosen.tolist(), rng.integers(0, len(shared), size=len(chosen)).tolist()):
            words[i] = shared[pick]
    ends = np.cumsum(sizes).tolist()
    return [" ".join(words[a:b]) for a, b in zip([0, *ends[:-1]], ends)]


@cache
def everyday_requests() -> tuple[str, ...]:
    lines = (Path(__file__).parent / "data" / "out_of_scope.txt").read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def unrelated_requests(phrases: Sequence[tuple[str, str]]) -> list[str]:
    """The everyday requests that share no content word with the agent's phrases."""
    vocabulary = {w.lower() for _, text in phrases for w in TOKEN.findall(text)}
    function = set(FUNCTION_WORDS)
    kept = []
    for request in everyday_requests():
        content = {w for w in TOKEN.findall(request) if w not in function}
        if content and not content & vocabulary:
            kept.append(request)
    return kept
