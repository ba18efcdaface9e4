"""NLU benchmark: our engine against a tf-idf + linear SVM reference, measured in the same run.

    /root/.cache/chatops/venv/bin/python bench/nlu/run.py [DATA.json ...] [--repeat N]

Without files it runs the Snips sets from ../shared/benchmarks/nlu and a
synthetic 64-intent, 10k-utterance set (training time at scale). Each system
runs in its own single-core process; with --repeat, figures are medians.
Needs scikit-learn (a development dependency of this benchmark only).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROWS = [
    ("intent accuracy", "intent_accuracy", "{:.4f}", True),
    ("intent macro F1", "intent_macro_f1", "{:.4f}", True),
    ("intent micro F1", "intent_micro_f1", "{:.4f}", True),
    ("entity precision", "entity_precision", "{:.4f}", True),
    ("entity recall", "entity_recall", "{:.4f}", True),
    ("entity F1", "entity_f1", "{:.4f}", True),
    ("training seconds", "training_seconds", "{:.2f}", False),
    ("latency p50 ms", "latency_p50_ms", "{:.3f}", False),
    ("latency p99 ms", "latency_p99_ms", "{:.3f}", False),
    ("peak memory MB", "peak_memory_mb", "{:.0f}", False),
]
TARGETS = {
    "snips2017-full": {"intent_accuracy": 0.995, "entity_f1": 0.93, "training_seconds": 10.0, "latency_p50_ms": 0.5},
    "snips2017": {"intent_accuracy": 0.99, "entity_f1": 0.88, "latency_p50_ms": 0.5},
    "synthetic-64x10000": {"training_seconds": 3.0},
}


def default_sets() -> list[str]:
    for parent in [HERE, *HERE.parents]:
        folder = parent / "shared" / "benchmarks" / "nlu"
        if folder.is_dir():
            return [str(folder / "snips2017.json"), str(folder / "snips2017-full.json"), "synthetic"]
    sys.exit("cannot find shared/benchmarks/nlu; pass the evaluation files as arguments")


def measure(system: str, data: str, repeat: int) -> dict:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    runs = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, str(HERE / "system.py"), system, data], capture_output=True, text=True, env=env)
        if done.returncode != 0:
            sys.exit(f"{system} on {data} failed:\n{done.stderr}")
        runs.append(json.loads(done.stdout))
    median = dict(runs[0])
    for key in runs[0]:
        if isinstance(runs[0][key], float):
            median[key] = statistics.median(r[key] for r in runs)
    return median


def table(ours: dict, baseline: dict) -> str:
    targets = TARGETS.get(ours["dataset"], {})
    lines = [f"{ours['dataset']}: {ours['train_examples']} train / {ours['test_examples']} test",
             f"  {'figure':<18}{'ours':>10}{'baseline':>10}{'ratio':>8}  target"]
    for label, key, fmt, higher_better in ROWS:
        ratio = ours[key] / baseline[key] if baseline[key] else float("nan")
        target = targets.get(key)
        verdict = ""
        if target is not None:
            met = ours[key] >= target if higher_better else ours[key] <= target
            verdict = f"{'>=' if higher_better else '<='} {target}  {'met' if met else 'NOT met'}"
        lines.append(f"  {label:<18}{fmt.format(ours[key]):>10}{fmt.format(baseline[key]):>10}{ratio:>8.2f}  {verdict}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="*", help="evaluation sets (default: Snips 2017 and synthetic)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per system; figures are medians")
    args = parser.parse_args()
    for data in args.data or default_sets():
        ours, baseline = measure("ours", data, args.repeat), measure("baseline", data, args.repeat)
        print(table(ours, baseline), flush=True)
        print()


if __name__ == "__main__":
    main()
