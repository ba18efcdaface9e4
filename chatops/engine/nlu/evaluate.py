"""Train a fresh model on an evaluation set's train half and score it on the test half."""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chatops.engine.nlu.dataset import Dataset, to_agent
from chatops.engine.nlu.metrics import entity_scores, intent_scores
from chatops.engine.nlu.model import NLUModel, train

DEFAULT_THRESHOLD = 0.3


@dataclass(frozen=True)
class Prediction:
    text: str
    intent: str | None
    confidence: float
    entities: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "intent": self.intent, "confidence": round(self.confidence, 6), "entities": self.entities}


def predict(model: NLUModel, text: str, *, threshold: float = DEFAULT_THRESHOLD) -> Prediction:
    """The intent (None below the threshold, as the fallback answers) and its slots."""
    scores = model.classify(text, at_least=threshold)  # as the engine asks: no ranking of the unlikely
    if not scores or scores[0].confidence < threshold:
        return Prediction(text, None, scores[0].confidence if scores else 0.0)
    best = scores[0]
    entities = [
        {"entity": m.slot, "start": m.start, "end": m.end, "value": m.text}
        for m in model.extract(text, intent=best.intent) if m.slot is not None
    ]
    return Prediction(text, best.intent, best.confidence, entities)


def evaluate(dataset: Dataset, *, threshold: float = DEFAULT_THRESHOLD) -> tuple[dict[str, Any], list[Prediction]]:
    started = time.perf_counter()
    model = train(to_agent(dataset.train, name=dataset.name))
    training_seconds = time.perf_counter() - started
    predictions, latencies = [], []
    for example in dataset.test:
        started = time.perf_counter()
        predictions.append(predict(model, example.text, threshold=threshold))
        latencies.append(time.perf_counter() - started)
    report: dict[str, Any] = {"dataset": dataset.name, "train_examples": len(dataset.train), "test_examples": len(dataset.test)}
    report.update(intent_scores([e.intent for e in dataset.test], [p.intent for p in predictions]))
    spans = [[(e["entity"], e["start"], e["end"]) for e in p.entities] for p in predictions]
    report.update(entity_scores(dataset.test, spans))
    millis = np.asarray(latencies) * 1000 if latencies else np.zeros(1)
    report.update({
        "training_seconds": training_seconds,
        "latency_p50_ms": float(np.percentile(millis, 50)),
        "latency_p99_ms": float(np.percentile(millis, 99)),
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    })
    return report, predictions
