"""NLU benchmark: our engine against a tf-idf + linear SVM reference, measured in the same run.

    /root/.cache/chatops/venv/bin/python bench/nlu/run.py [DATA.json ...] [--folds K] [--per-intent N] [--repeat N]

Without files it runs the Snips sets from ../shared/benchmarks/nlu and a
synthetic 64-intent, 10k-utterance set (training time at scale). Each system
runs in its own single-core process; with --repeat, figures are medians.
With --folds K, each set's train and test are pooled and split into K
stratified folds, and every figure is the mean ± standard deviation over the
folds; --per-intent N keeps N training phrases per intent (the few-shot
regime). Every test gets the held-out out-of-scope lines of
data/out_of_scope_test.txt (--out-of-scope '' leaves them out).
Needs scikit-learn (a development dependency of this benchmark only).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from chatops.engine.nlu.dataset import Dataset, load_dataset  # noqa: E402

from folds import few_shot, folds, with_out_of_scope, write  # noqa: E402
from synthetic import synthetic  # noqa: E402

HERE = Path(__file__).resolve().parent
ROWS = [
    ("intent accuracy", "intent_accuracy", "{:.4f}", True),
    ("intent macro F1", "intent_macro_f1", "{:.4f}", True),
    ("intent micro F1", "intent_micro_f1", "{:.4f}", True),
    ("in-scope fallback", "in_scope_fallback", "{:.4f}", False),
    ("out-of-scope fallb", "out_of_scope_fallback", "{:.4f}", True),
    ("entity precision", "entity_precision", "{:.4f}", True),
    ("entity recall", "entity_recall", "{:.4f}", True),
    ("entity F1", "entity_f1", "{:.4f}", True),
    ("training seconds", "training_seconds", "{:.2f}", False),
    ("latency p50 ms", "latency_p50_ms", "{:.3f}", False),
    ("latency p99 ms", "latency_p99_ms", "{:.3f}", False),
    ("peak memory MB", "peak_memory_mb", "{:.0f}", False),
]
SUMMARY = ["intent_accuracy", "intent_macro_f1", "entity_f1", "in_scope_fallback", "out_of_scope_fallback",
           "training_seconds", "latency_p50_ms"]
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


def measure(system: str, data: Path, repeat: int) -> dict:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    runs = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, str(HERE / "system.py"), system, str(data)], capture_output=True, text=True, env=env)
        if done.returncode != 0:
            sys.exit(f"{system} on {data} failed:\n{done.stderr}")
        runs.append(json.loads(done.stdout))
    median = dict(runs[0])
    for key in runs[0]:
        if isinstance(runs[0][key], float):
            median[key] = statistics.median(r[key] for r in runs)
    return median


def spread(runs: list[dict], key: str) -> tuple[float, float] | None:
    values = [r[key] for r in runs if r[key] is not None]
    if not values:
        return None
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def cell(figure: tuple[float, float] | None, fmt: str, folds: int) -> str:
    if figure is None:
        return "-"
    return fmt.format(figure[0]) + (f" ± {fmt.format(figure[1])}" if folds > 1 else "")


def table(name: str, ours: list[dict], baseline: list[dict]) -> str:
    targets = TARGETS.get(name, {})
    width = 18 if len(ours) > 1 else 10
    lines = [f"{name}: {ours[0]['train_examples']} train / {ours[0]['test_examples']} test"
             + (f", mean ± sd over {len(ours)} folds" if len(ours) > 1 else ""),
             f"  {'figure':<20}{'ours':>{width}}{'baseline':>{width}}{'ratio':>8}  target"]
    for label, key, fmt, higher_better in ROWS:
        mine, theirs = spread(ours, key), spread(baseline, key)
        ratio = mine[0] / theirs[0] if mine and theirs and theirs[0] else float("nan")
        target, verdict = targets.get(key), ""
        if target is not None and mine:
            met = mine[0] >= target if higher_better else mine[0] <= target
            verdict = f"{'>=' if higher_better else '<='} {target}  {'met' if met else 'NOT met'}"
        lines.append(f"  {label:<20}{cell(mine, fmt, len(ours)):>{width}}{cell(theirs, fmt, len(ours)):>{width}}{ratio:>8.2f}  {verdict}")
    return "\n".join(lines)


def summary_row(name: str, system: str, runs: list[dict]) -> str:
    formats = {key: fmt for _, key, fmt, _ in ROWS}
    return "| " + " | ".join([name, system, *(cell(spread(runs, k), formats[k], len(runs)) for k in SUMMARY)]) + " |"


def datasets(data: str, args: argparse.Namespace) -> tuple[str, list[Dataset]]:
    dataset = synthetic(seed=args.seed) if data == "synthetic" else load_dataset(data)
    name = dataset.name + (f" {args.per_intent}/intent" if args.per_intent else "")
    if args.folds > 1:
        splits = folds(dataset, args.folds, per_intent=args.per_intent, seed=args.seed)
    else:
        splits = [few_shot(dataset, args.per_intent, seed=args.seed) if args.per_intent else dataset]
    if args.out_of_scope and data != "synthetic":  # test only: never pooled into a fold's training part
        splits = [with_out_of_scope(split, Path(args.out_of_scope)) for split in splits]
    return name, splits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="*", help="evaluation sets (default: Snips 2017 and synthetic)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per system; figures are medians")
    parser.add_argument("--folds", type=int, default=0, help="k-fold cross-validation over train + test (0: the set's split)")
    parser.add_argument("--per-intent", type=int, default=0, help="keep this many training phrases per intent (0: all)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the folds, the subsamples and the synthetic set")
    parser.add_argument("--out-of-scope", default=str(HERE / "data" / "out_of_scope_test.txt"),
                        help="out-of-scope lines added to every test ('' for none)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for data in args.data or default_sets():
            name, splits = datasets(data, args)
            ours, baseline = [], []
            for i, split in enumerate(splits):
                path = Path(scratch) / f"split{i}.json"
                write(split, path)
                ours.append(measure("ours", path, args.repeat))
                baseline.append(measure("baseline", path, args.repeat))
            print(table(name, ours, baseline), flush=True)
            print()
            rows += [summary_row(name, "ours", ours), summary_row(name, "baseline", baseline)]
    print("| set | system | accuracy | intent macro F1 | entity F1 | in-scope fallback | out-of-scope fallback | training s | p50 ms |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
