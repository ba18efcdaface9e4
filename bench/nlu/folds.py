"""Cross-validation folds of an evaluation set, few-shot subsamples, and held-out out-of-scope lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from chatops.engine.nlu.dataset import NONE_INTENT, Dataset, Example


def folds(dataset: Dataset, k: int, *, per_intent: int = 0, seed: int = 0) -> list[Dataset]:
    """``k`` stratified train/test splits of train + test; ``per_intent`` > 0 keeps that many training phrases per label."""
    rng = np.random.default_rng(seed)
    grouped: dict[str | None, list[Example]] = {}
    for example in [*dataset.train, *dataset.test]:
        grouped.setdefault(example.intent, []).append(example)
    shuffled = {label: [members[i] for i in rng.permutation(len(members))] for label, members in grouped.items()}
    result = []
    for fold in range(k):
        train, test = [], []
        for members in shuffled.values():
            test.extend(m for i, m in enumerate(members) if i % k == fold)
            kept = [m for i, m in enumerate(members) if i % k != fold]
            train.extend(kept[:per_intent] if per_intent else kept)
        result.append(Dataset(f"{dataset.name} fold {fold + 1}/{k}", train, test))
    return result


def few_shot(dataset: Dataset, per_intent: int, *, seed: int = 0) -> Dataset:
    """The set with its training phrases cut to ``per_intent`` per label (drawn at random), the test kept."""
    rng = np.random.default_rng(seed)
    grouped: dict[str | None, list[Example]] = {}
    for example in dataset.train:
        grouped.setdefault(example.intent, []).append(example)
    train = [members[i] for members in grouped.values() for i in sorted(rng.permutation(len(members))[:per_intent])]
    return Dataset(f"{dataset.name} {per_intent}/intent", train, dataset.test)


def with_out_of_scope(dataset: Dataset, path: Path) -> Dataset:
    """The set with every line of ``path`` (but comments) added to its test as "no intent"."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    extra = [Example(line, None) for line in lines if line and not line.startswith("#")]
    return Dataset(dataset.name, dataset.train, [*dataset.test, *extra])


def _raw(example: Example) -> dict[str, Any]:
    entities = [{"entity": s.entity, "start": s.start, "end": s.end, "value": example.text[s.start : s.end]} for s in example.spans]
    return {"text": example.text, "intent": example.intent or NONE_INTENT, "entities": entities}


def write(dataset: Dataset, path: Path) -> None:
    data = {"name": dataset.name, "train": [_raw(e) for e in dataset.train], "test": [_raw(e) for e in dataset.test]}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
