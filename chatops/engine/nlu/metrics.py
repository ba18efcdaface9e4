"""Scores of an evaluation: intent accuracy and F1, fallback rates, entity span precision/recall/F1."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from chatops.engine.nlu.dataset import Example


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def intent_scores(gold: Sequence[str | None], predicted: Sequence[str | None]) -> dict[str, float | None]:
    """Accuracy over all examples ("no intent" included); F1 over the real intents.

    Micro F1 counts a prediction of an intent as a positive and a gold intent as a
    relevant item, so answering "no intent" costs recall but not precision.
    """
    correct = sum(g == p for g, p in zip(gold, predicted))
    labels = sorted({label for label in [*gold, *predicted] if label is not None})
    hits = Counter(g for g, p in zip(gold, predicted) if g == p and g is not None)
    gold_counts = Counter(g for g in gold if g is not None)
    predicted_counts = Counter(p for p in predicted if p is not None)
    per_label = [_f1(_ratio(hits[l], predicted_counts[l]), _ratio(hits[l], gold_counts[l])) for l in labels]
    micro_p = _ratio(sum(hits.values()), sum(predicted_counts.values()))
    micro_r = _ratio(sum(hits.values()), sum(gold_counts.values()))
    return {
        "intent_accuracy": _ratio(correct, len(gold)),
        "intent_macro_f1": _ratio(sum(per_label), len(per_label)),
        "intent_micro_f1": _f1(micro_p, micro_r),
        **fallback_rates(gold, predicted),
    }


def fallback_rates(gold: Sequence[str | None], predicted: Sequence[str | None]) -> dict[str, float | None]:
    """How often "no intent" was answered, on in-scope and on out-of-scope examples (None: there were none)."""
    in_scope = [p for g, p in zip(gold, predicted) if g is not None]
    out_of_scope = [p for g, p in zip(gold, predicted) if g is None]
    return {
        "in_scope_fallback": sum(p is None for p in in_scope) / len(in_scope) if in_scope else None,
        "out_of_scope_fallback": sum(p is None for p in out_of_scope) / len(out_of_scope) if out_of_scope else None,
    }


def entity_scores(gold: Sequence[Example], predicted: Sequence[Sequence[tuple[str, int, int]]]) -> dict[str, float]:
    """Micro scores where an entity counts only with its type and exact span."""
    gold_sets = [{(s.entity, s.start, s.end) for s in example.spans} for example in gold]
    predicted_sets = [set(spans) for spans in predicted]
    hits = sum(len(g & p) for g, p in zip(gold_sets, predicted_sets))
    precision = _ratio(hits, sum(len(p) for p in predicted_sets))
    recall = _ratio(hits, sum(len(g) for g in gold_sets))
    return {"entity_precision": precision, "entity_recall": recall, "entity_f1": _f1(precision, recall)}
