"""Confidence among candidates: the intents whose input contexts are active.

Among candidates the scores are shares of the candidates and the out-of-scope
class, as if the others did not exist. But when nearly all the probability is
on intents that are not candidates (a follow-up said out of its context, an
intent whose context is gone), ES would match nothing: the shares shrink
towards zero, and the fallback answers. A non-candidate trained on the same
phrases as a candidate (the "- yes" follow-ups of different parents) gives its
share to that candidate instead.

How the probabilities flow is a matrix per set of candidates, built the first
time the set is seen: an agent's contexts make few distinct sets, and a turn
then costs two small products instead of a loop over the intents.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from chatops.engine.agent import Intent

# The share of the probability on intents that are not candidates from which an utterance counts as theirs, not a candidate's.
OUT_OF_CONTEXT_SHARE = 0.9
CACHED_SETS = 1024  # distinct candidate sets whose flows are kept; past that the cache starts again


def phrase_twins(intents: Iterable[Intent]) -> dict[str, set[str]]:
    """Intent -> the other intents trained on one of its phrases (ES gives every "- yes" follow-up the same ones)."""
    by_phrase: dict[str, set[str]] = {}
    for intent in intents:
        for phrase in intent.phrases:
            by_phrase.setdefault(phrase.text.strip().lower(), set()).add(intent.name)
    twins: dict[str, set[str]] = {}
    for names in by_phrase.values():
        for name in names:
            twins.setdefault(name, set()).update(names - {name})
    return {name: others for name, others in twins.items() if others}


class CandidateShares:
    """The classifier's probabilities over all its intents, turned into confidences of a set of candidates."""

    def __init__(self, intents: Sequence[str], twins: dict[str, set[str]]) -> None:
        self.intents = list(intents)
        self.twins = twins
        self._flows: dict[frozenset[str], tuple[list[str], np.ndarray, np.ndarray]] = {}

    def confidences(self, probs: np.ndarray, candidates: frozenset[str]) -> tuple[list[str], np.ndarray]:
        """The candidates (in the classifier's order) and their confidences, from every intent's probability."""
        names, flow, lost = self._flow(candidates)
        shares = probs @ flow
        in_scope = float(shares.sum()) + max(0.0, 1.0 - float(probs.sum()))  # the out-of-scope class stays in
        shrink = min(1.0, (1.0 - float(probs @ lost)) / (1.0 - OUT_OF_CONTEXT_SHARE))
        return names, shares * (shrink / in_scope if in_scope > 0 else 0.0)

    def _flow(self, candidates: frozenset[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        cached = self._flows.get(candidates)
        if cached is None:
            if len(self._flows) >= CACHED_SETS:
                self._flows.clear()
            cached = self._flows[candidates] = self._build(candidates)
        return cached

    def _build(self, candidates: frozenset[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Each intent's row: all of it to itself if a candidate, else shared by its candidate twins, else lost."""
        names = [name for name in self.intents if name in candidates]
        column = {name: j for j, name in enumerate(names)}
        flow = np.zeros((len(self.intents), len(names)))
        lost = np.zeros(len(self.intents))
        for i, name in enumerate(self.intents):
            to = [name] if name in column else [twin for twin in self.twins.get(name, ()) if twin in column]
            for twin in to:
                flow[i, column[twin]] = 1.0 / len(to)
            if not to:
                lost[i] = 1.0
        return names, flow, lost
