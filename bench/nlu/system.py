"""One system on one evaluation set, in its own process (so peak memory is its own); prints JSON.

    python bench/nlu/system.py {ours|baseline} DATA.json
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

from chatops.engine.nlu.dataset import load_dataset  # noqa: E402
from chatops.engine.nlu.evaluate import evaluate  # noqa: E402
from chatops.engine.nlu.metrics import entity_scores, intent_scores  # noqa: E402


def run_baseline(dataset) -> dict:  # type: ignore[no-untyped-def]
    from baseline import Baseline  # a development dependency, imported only here

    started = time.perf_counter()
    model = Baseline(dataset)
    training = time.perf_counter() - started
    predictions, latencies = [], []
    for example in dataset.test:
        started = time.perf_counter()
        predictions.append(model.predict(example.text))
        latencies.append(time.perf_counter() - started)
    report = {"dataset": dataset.name, "train_examples": len(dataset.train), "test_examples": len(dataset.test)}
    report.update(intent_scores([e.intent for e in dataset.test], [p[0] for p in predictions]))
    report.update(entity_scores(dataset.test, [[(e["entity"], e["start"], e["end"]) for e in p[1]] for p in predictions]))
    millis = np.asarray(latencies) * 1000
    report.update({"training_seconds": training, "latency_p50_ms": float(np.percentile(millis, 50)),
                   "latency_p99_ms": float(np.percentile(millis, 99)),
                   "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
    return report


def main() -> None:
    system, data = sys.argv[1], sys.argv[2]
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the targets say
    dataset = load_dataset(data)
    report = evaluate(dataset)[0] if system == "ours" else run_baseline(dataset)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
