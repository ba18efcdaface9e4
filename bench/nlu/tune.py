"""The intent classifier's defaults chosen by k-fold cross-validation on training files only.

    /root/.cache/chatops/venv/bin/python bench/nlu/tune.py [--folds 3] [--per-intent 2 3 5 10] [--seed 0] [--large]

Reads only the training part of each set (Snips 2017, data/helpdesk.json and
the synthetic set; never a test part, never data/out_of_scope_test.txt). Each
training file is split into K stratified folds; in fold f a rotating quarter
of the intents is left out of training, and their held-out phrases are the
out-of-scope test, beside the held-out phrases of the other intents. Each
fold's training part is cut to N phrases per intent (2 to 10: small agents).
Every grid point trains the classifier as the engine does and answers at the
default fallback threshold; its figure is the intent macro F1 (answering a
left-out intent's phrase is an error, as falling back on an in-scope one is),
averaged over the sets and N of a fold, then mean ± sd over the folds.

The grid: the squared hinge's AdaGrad rate (``linear.RATES``) against
``intents.SMALL_AGENT``, the median of phrases per intent up to which the
confidence is calibrated as "in scope". Each agent is trained in both
calibration modes and a value of SMALL_AGENT takes, per agent, the mode it
implies, so the grid costs two trainings per rate; its values are 0 and the
medians the folds have (below the next one, every value scores the same).
The best mean wins; on a tie, today's default, else the smallest value.

With --large the folds keep every phrase (Snips 2017, its full file and the
synthetic set: agents whose calibration folds are sampled) and compare the
losses those folds may choose from (``intents.SAMPLED_LOSSES``).

With --tagger it chooses the slot taggers' ``borrow.BORROWED`` (phrases a small
intent's tagger borrows from other intents annotating its slots; 0: none): per
seed, N phrases of each intent of a training file train, up to TAGGER_TEST of
the others are the test, the intent given, and the figure is the exact-span
entity F1 of the tagger, averaged over the sets and N, mean ± sd over the seeds.

With --penalty it chooses the linear models' L2 penalties (``linear.PENALTIES``:
a data set's penalty, spread over its rows) by the intent macro F1 of the
default run, on agents of N phrases per intent (pass --per-intent 1 2 3 5 10).
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # before numpy: two BLAS threads on a busy machine train five times slower

import argparse  # noqa: E402
import itertools  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

from chatops.engine.nlu import borrow, intents, linear  # noqa: E402
from chatops.engine.nlu.dataset import Example, load_dataset, to_agent  # noqa: E402
from chatops.engine.nlu.evaluate import DEFAULT_THRESHOLD  # noqa: E402
from chatops.engine.nlu.intents import IntentClassifier  # noqa: E402
from chatops.engine.nlu.metrics import entity_scores, intent_scores  # noqa: E402
from chatops.engine.nlu.model import train  # noqa: E402

from entities import split, tagged  # noqa: E402
from run import default_sets  # noqa: E402
from synthetic import synthetic  # noqa: E402

HERE = Path(__file__).resolve().parent
RATES = (0.03, 0.1, 0.3, 1.0)
MODES = {"right": 0, "in scope": 10**9}  # SMALL_AGENT values that force one calibration mode on every agent
LOSS_SETS = (("softmax",), ("softmax", "hinge"))  # what a sampled agent's folds may choose from
LEFT_OUT = 0.25  # share of the intents each fold leaves out of training as out of scope
CHOSEN: dict[str, str] = {}  # the loss the last training's folds chose
BORROW_CAPS = (0, 20, 60, 180, 540)
SOFTMAX_PENALTIES = (1e-4, 0.01, 0.03, 0.1, 0.3)  # the first: next to none, as before penalties scaled with the data
HINGE_PENALTIES = (1e-3, 0.3, 1.0, 3.0)
TAGGER_TEST = 1000  # held-out phrases per run at most: the synthetic file's would be 9,800


def _recording(*args: object) -> tuple[float, linear.Fit, object]:
    chosen = _calibrate(*args)
    CHOSEN["loss"] = chosen[1].loss
    return chosen


_calibrate, intents._calibrate = intents._calibrate, _recording  # type: ignore[assignment]


def training_sets(large: bool) -> dict[str, list[Example]]:
    snips, full, _ = default_sets()
    if large:
        return {"snips2017": load_dataset(snips).train, "snips2017-full": load_dataset(full).train, "synthetic": synthetic().train}
    return {"snips2017": load_dataset(snips).train, "helpdesk": load_dataset(HERE / "data" / "helpdesk.json").train,
            "synthetic": synthetic().train}


def splits(examples: list[Example], k: int, per_intent: int, seed: int) -> list[tuple[list[Example], list[Example]]]:
    """(train, test) per fold: N phrases per kept intent (0: all); held-out phrases, a left-out intent's as out of scope."""
    rng = np.random.default_rng(seed)
    grouped: dict[str, list[Example]] = {}
    for example in examples:
        if example.intent:
            grouped.setdefault(example.intent, []).append(example)
    names = [sorted(grouped)[i] for i in rng.permutation(len(grouped))]
    shuffled = {name: [grouped[name][i] for i in rng.permutation(len(grouped[name]))] for name in names}
    width = max(1, round(LEFT_OUT * len(names)))
    result = []
    for fold in range(k):
        left_out = {names[(fold * width + j) % len(names)] for j in range(width)}
        train, test = [], []
        for name, members in shuffled.items():
            held = [m for i, m in enumerate(members) if i % k == fold]
            if name in left_out:
                test.extend(Example(m.text, None) for m in held)
            else:
                test.extend(held)
                kept = [m for i, m in enumerate(members) if i % k != fold]
                train.extend(kept[:per_intent] if per_intent else kept)
        result.append((train, test))
    return result


def score(train: list[Example], test: list[Example], **settings: object) -> dict[str, float]:
    """The classifier trained with ``settings`` (module constants of ``intents``), answering at the default threshold."""
    for name, value in settings.items():
        setattr(intents, name, value)
    classifier = IntentClassifier.train([(e.intent, e.text) for e in train if e.intent])
    answers = []
    for example in test:
        best = classifier.classify(example.text)[0]
        answers.append(best.intent if best.confidence >= DEFAULT_THRESHOLD else None)
    counts = np.bincount(np.unique([e.intent for e in train], return_inverse=True)[1])
    return {**intent_scores([e.intent for e in test], answers), "median": float(np.median(counts)),
            "hinge": float(CHOSEN["loss"] == "hinge")}


def cell(values: list[float]) -> str:
    return f"{statistics.fmean(values):.4f} ± {statistics.stdev(values) if len(values) > 1 else 0.0:.4f}"


def small(args: argparse.Namespace) -> None:
    """The hinge rate x SMALL_AGENT grid on agents of 2 to 10 phrases per intent."""
    today = (linear.RATES["hinge"], intents.SMALL_AGENT)
    sets = training_sets(large=False)
    runs = []  # (set, N, fold, rate, mode, scores)
    for name, examples in sets.items():
        for n in args.per_intent:
            for fold, (train, test) in enumerate(splits(examples, args.folds, n, args.seed)):
                for rate in RATES:
                    linear.RATES = {**linear.RATES, "hinge": rate}
                    for mode, value in MODES.items():
                        runs.append((name, n, fold, rate, mode, score(train, test, SMALL_AGENT=value)))
                print(f"{name} {n}/intent fold {fold + 1}/{args.folds}", file=sys.stderr, flush=True)

    def figure(rate: float, cutoff: float) -> list[float]:
        """Per fold, the mean macro F1 over sets and N when each agent takes the mode ``cutoff`` implies."""
        per_fold: dict[int, list[float]] = {}
        for _, _, fold, r, mode, scores in runs:
            if r == rate and mode == ("in scope" if scores["median"] <= cutoff else "right"):
                per_fold.setdefault(fold, []).append(scores["intent_macro_f1"])
        return [statistics.fmean(v) for _, v in sorted(per_fold.items())]

    cutoffs = sorted({0, *(int(r[5]["median"]) for r in runs if r[5]["median"].is_integer())})
    grid = {(rate, cutoff): figure(rate, cutoff) for rate in RATES for cutoff in cutoffs}
    best = max(grid, key=lambda point: (round(statistics.fmean(grid[point]), 4), point == today, -point[1]))
    print(f"intent macro F1, mean ± sd over {args.folds} folds (sets: {', '.join(sets)}; "
          f"N = {', '.join(map(str, args.per_intent))} per intent)")
    print(f"  {'hinge rate':<12}" + "".join(f"{'SMALL_AGENT ' + str(c):>20}" for c in cutoffs))
    for rate in RATES:
        print(f"  {rate:<12}" + "".join(f"{cell(grid[rate, c]):>20}" for c in cutoffs))
    print(f"picked: hinge rate {best[0]}, SMALL_AGENT {best[1]}  (today: {today[0]}, {today[1]})")
    print(f"\nat hinge rate {best[0]}, per set and N: macro F1 / in-scope fallback / out-of-scope fallback / hinge chosen")
    for name in sets:
        for n in args.per_intent:
            for mode in MODES:
                mine = [s for set_, size, _, r, m, s in runs if (set_, size, r, m) == (name, n, best[0], mode)]
                figures = " / ".join(f"{statistics.fmean(s[k] for s in mine):.3f}"
                                     for k in ("intent_macro_f1", "in_scope_fallback", "out_of_scope_fallback", "hinge"))
                print(f"  {name:<10} {n:>2}/intent (median {mine[0]['median']:g}) {mode:<9} {figures}")


def large(args: argparse.Namespace) -> None:
    """The losses a sampled agent's folds compare, on whole training files."""
    today = intents.SAMPLED_LOSSES
    sets = training_sets(large=True)
    results: dict[tuple[str, ...], dict[str, list[dict[str, float]]]] = {losses: {} for losses in LOSS_SETS}
    for name, examples in sets.items():
        for fold, (train, test) in enumerate(splits(examples, args.folds, 0, args.seed)):
            for losses in LOSS_SETS:
                results[losses].setdefault(name, []).append(score(train, test, SAMPLED_LOSSES=losses))
            print(f"{name} fold {fold + 1}/{args.folds}", file=sys.stderr, flush=True)
    print(f"intent macro F1 (hinge chosen), mean ± sd over {args.folds} folds of whole training files")
    print(f"  {'SAMPLED_LOSSES':<20}" + "".join(f"{name:>26}" for name in sets) + f"{'mean':>18}")
    means = {}
    for losses, per_set in results.items():
        per_fold = [statistics.fmean(runs[f]["intent_macro_f1"] for runs in per_set.values()) for f in range(args.folds)]
        means[losses] = round(statistics.fmean(per_fold), 4)
        cells = [f"{cell([r['intent_macro_f1'] for r in runs])} ({statistics.fmean(r['hinge'] for r in runs):.2f})"
                 for runs in per_set.values()]
        print(f"  {' '.join(losses):<20}" + "".join(f"{c:>26}" for c in cells) + f"{cell(per_fold):>18}")
    best = max(LOSS_SETS, key=lambda losses: (means[losses], losses == today))
    print(f"picked: SAMPLED_LOSSES {best}  (today: {today})")


def penalty(args: argparse.Namespace) -> None:
    """The L2 penalties of the two losses (``linear.PENALTIES``) on agents of 1 to 10 phrases per intent."""
    today = (linear.PENALTIES["softmax"], linear.PENALTIES["hinge"])
    sets = training_sets(large=False)
    runs: dict[tuple[float, float], dict[int, list[float]]] = {}  # point -> fold -> macro F1 per set and N
    detail: dict[tuple[str, int, tuple[float, float]], list[float]] = {}
    for name, examples in sets.items():
        for n in args.per_intent:
            for fold, (train, test) in enumerate(splits(examples, args.folds, n, args.seed)):
                for point in itertools.product(SOFTMAX_PENALTIES, HINGE_PENALTIES):
                    linear.PENALTIES = {"softmax": point[0], "hinge": point[1]}
                    f1 = score(train, test)["intent_macro_f1"]
                    runs.setdefault(point, {}).setdefault(fold, []).append(f1)
                    detail.setdefault((name, n, point), []).append(f1)
                print(f"{name} {n}/intent fold {fold + 1}/{args.folds}", file=sys.stderr, flush=True)
    grid = {point: [statistics.fmean(v) for _, v in sorted(per_fold.items())] for point, per_fold in runs.items()}
    print(f"intent macro F1, mean ± sd over {args.folds} folds (sets: {', '.join(sets)}; "
          f"N = {', '.join(map(str, args.per_intent))} per intent)")
    print(f"  {'softmax, hinge:':<16}" + "".join(f"{h:>20}" for h in HINGE_PENALTIES))
    for soft in SOFTMAX_PENALTIES:
        print(f"  {soft:<16}" + "".join(f"{cell(grid[soft, h]):>20}" for h in HINGE_PENALTIES))
    best = max(grid, key=lambda point: (round(statistics.fmean(grid[point]), 4), point == today))
    print(f"picked: softmax {best[0]}, hinge {best[1]}  (today: {today[0]}, {today[1]})")
    print("\nper set and N, at the pick and at the smallest penalties: macro F1, mean over the folds")
    weakest = (SOFTMAX_PENALTIES[0], HINGE_PENALTIES[0])
    for name in sets:
        for n in args.per_intent:
            print(f"  {name:<10} {n:>2}/intent {statistics.fmean(detail[name, n, best]):.4f}"
                  f" {statistics.fmean(detail[name, n, weakest]):.4f}")


def tagger(args: argparse.Namespace) -> None:
    """The slot taggers' borrowing, by entity F1 on N phrases per intent of each training file."""
    today = borrow.BORROWED
    sets = {name: to_agent(examples, name=name) for name, examples in training_sets(large=False).items()}
    runs: dict[int, dict[int, list[float]]] = {cap: {} for cap in BORROW_CAPS}  # cap -> seed -> F1 per set and N
    detail: dict[tuple[str, int, int], list[tuple[float, float]]] = {}  # (set, N, cap) -> (F1, CPU seconds) per seed
    for name, agent in sets.items():
        for n in args.per_intent:
            for seed in range(args.folds):
                rng = np.random.default_rng(args.seed + seed)
                train_agent, held_out = split(agent, n, rng)
                held_out = [held_out[i] for i in sorted(rng.permutation(len(held_out))[:TAGGER_TEST])]
                for cap in BORROW_CAPS:
                    borrow.BORROWED = cap
                    started = time.process_time()
                    model = train(train_agent)
                    seconds = time.process_time() - started
                    found = [tagged(model, train_agent.intents[intent], e.text) for intent, e in held_out]
                    f1 = entity_scores([e for _, e in held_out], found)["entity_f1"]
                    runs[cap].setdefault(seed, []).append(f1)
                    detail.setdefault((name, n, cap), []).append((f1, seconds))
                print(f"{name} {n}/intent seed {seed + 1}/{args.folds}", file=sys.stderr, flush=True)
    grid = {cap: [statistics.fmean(v) for _, v in sorted(per_seed.items())] for cap, per_seed in runs.items()}
    print(f"entity F1 of the taggers, mean ± sd over {args.folds} seeds (sets: {', '.join(sets)}; "
          f"N = {', '.join(map(str, args.per_intent))} per intent)")
    for cap in BORROW_CAPS:
        print(f"  BORROWED {cap:<6}{cell(grid[cap]):>20}")
    best = max(BORROW_CAPS, key=lambda cap: (round(statistics.fmean(grid[cap]), 4), cap == today, -cap))
    print(f"picked: BORROWED {best}  (today: {today})")
    print("\nper set and N: entity F1 / training CPU seconds, mean over the seeds; columns: BORROWED " + ", ".join(map(str, BORROW_CAPS)))
    for name in sets:
        for n in args.per_intent:
            cells = [" / ".join(f"{statistics.fmean(v):.3f}" for v in zip(*detail[name, n, cap])) for cap in BORROW_CAPS]
            print(f"  {name:<10} {n:>2}/intent " + "".join(f"{c:>15}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=3, help="K of the k-fold split of each training file")
    parser.add_argument("--per-intent", type=int, nargs="+", default=[2, 3, 5, 10], help="training phrases per intent")
    parser.add_argument("--seed", type=int, default=0, help="seed of the folds and subsamples")
    parser.add_argument("--large", action="store_true", help="whole training files: the losses sampled folds compare")
    parser.add_argument("--tagger", action="store_true", help="the slot taggers' borrowing (--folds: seeds)")
    parser.add_argument("--penalty", action="store_true", help="the losses' L2 penalties (linear.PENALTIES)")
    args = parser.parse_args()
    (tagger if args.tagger else large if args.large else penalty if args.penalty else small)(args)


if __name__ == "__main__":
    main()
