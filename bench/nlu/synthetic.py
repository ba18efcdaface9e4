"""A made-up evaluation set of any size, to time training at scale (64 intents, 10k utterances)."""

from __future__ import annotations

import numpy as np

from chatops.engine.nlu.dataset import Dataset, Example, Span

SYLLABLES = ["ba", "ko", "ri", "tel", "mun", "sa", "pe", "lo", "vin", "dra", "gu", "che", "fo", "nix", "ta", "re"]


def _word(rng: np.random.Generator) -> str:
    return "".join(SYLLABLES[int(i)] for i in rng.integers(0, len(SYLLABLES), size=int(rng.integers(1, 4))))


def synthetic(n_intents: int = 64, n_train: int = 10_000, n_test: int = 640, *, seed: int = 0) -> Dataset:
    """Intents with their own keywords over a shared vocabulary, one free-form slot each."""
    rng = np.random.default_rng(seed)
    shared = [_word(rng) for _ in range(1500)]
    keywords = [[_word(rng) for _ in range(12)] for _ in range(n_intents)]
    cues = [_word(rng) for _ in range(n_intents)]

    def example(intent: int) -> Example:
        words = [shared[int(i)] for i in rng.integers(0, len(shared), size=int(rng.integers(2, 7)))]
        for _ in range(int(rng.integers(2, 4))):
            words.insert(int(rng.integers(0, len(words) + 1)), keywords[intent][int(rng.integers(0, 12))])
        value = _word(rng)
        position = int(rng.integers(0, len(words) + 1))
        words[position:position] = [cues[intent], value]
        text = " ".join(words)
        start = len(" ".join(words[: position + 1])) + 1
        return Example(text, f"intent{intent}", (Span("thing", start, start + len(value)),))

    train = [example(i % n_intents) for i in range(n_train)]
    test = [example(i % n_intents) for i in range(n_test)]
    return Dataset(f"synthetic-{n_intents}x{n_train}", train, test)
