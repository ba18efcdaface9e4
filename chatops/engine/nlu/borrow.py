"""Phrases an intent's tagger borrows from the other intents that annotate the same slots.

A slot name such as "date" or "place_name" recurs across the intents of an
assistant, each with a dozen phrases; a tagger trained on its own intent's
phrases alone sees a slot's contexts ("on ___", "at ___") a few times and tags
few values it has not seen. Other intents' phrases hold the same slot in other
contexts, so a small intent's tagger trains on theirs too: a phrase that
annotates only slots the intent's own phrases annotate, from an intent whose
phrases also annotate every slot that shares a phrase with those. Its plain
text is then plain for the borrower too: the lender would have annotated a
value of those neighbours where it had one. A lender without them teaches
that values are none where they are ("paint the [fence] [red]" borrowing
"destroy the [castle]" learns that a thing ends the phrase, where a colour
does; a migration's "into namespace ___" is its target, though for every
intent without a target "namespace ___" is the namespace). Slots that never
share a phrase need no such lender: "set an alarm for [7am]" borrows the
times of reminders that know no alarm names.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from chatops.engine.agent import Intent, TrainingPhrase
from chatops.engine.nlu.augment import SMALL_INTENT

# Phrases at most an intent borrows. `bench/nlu/tune.py --tagger` on the training files, entity F1 at 3 and 10 phrases
# per intent: 0 0.302, 20 0.295, 60 0.307, 180 0.428, 540 0.414 (Snips 2017 the same at every cap, helpdesk 0.18 ->
# 0.22 at 3 per intent from 20 on; the synthetic set, whose intents all share one slot, makes the difference).
BORROWED = 180


class Lender:
    """The annotated phrases of all the intents, each with the set of slots it annotates, collected once."""

    def __init__(self, intents: Sequence[Intent]) -> None:
        self.phrases = [
            (intent.name, i, phrase, frozenset(p.parameter for p in phrase.parts if p.parameter))
            for intent in intents for i, phrase in enumerate(intent.phrases)
        ]
        self.slots: dict[str, set[str]] = {intent.name: set() for intent in intents}  # what an intent's phrases annotate
        for name, _, _, annotated in self.phrases:
            self.slots[name] |= annotated

    def borrowed(self, intent: Intent, *, seed: int = 0) -> list[tuple[int, TrainingPhrase]]:
        """(index in its own intent, phrase) of the other intents' phrases ``intent``'s tagger may learn from."""
        if len(intent.phrases) >= SMALL_INTENT:
            return []  # enough contexts of its own
        slots = self.slots[intent.name]
        beside: dict[str, set[str]] = {slot: set() for slot in slots}  # slot -> the slots sharing one of the intent's phrases
        for name, _, _, annotated in self.phrases:
            if name == intent.name:
                for slot in annotated:
                    beside[slot] |= annotated
        found = [
            (i, phrase) for name, i, phrase, annotated in self.phrases
            if name != intent.name and annotated and annotated <= slots
            and all(beside[slot] <= self.slots[name] for slot in annotated)
        ]
        if len(found) > BORROWED:
            picked = np.random.default_rng(seed).permutation(len(found))[:BORROWED]
            found = [found[i] for i in sorted(picked)]
        return found
