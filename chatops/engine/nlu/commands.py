"""The ``eval`` and ``train`` commands; the command line wires them (errors propagate as ChatOpsError)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from chatops.engine.loader import load_agent
from chatops.engine.nlu.dataset import load_dataset
from chatops.engine.nlu.evaluate import DEFAULT_THRESHOLD, evaluate
from chatops.engine.nlu.model import train
from chatops.engine.nlu.persist import language_model_path, save_model
from chatops.errors import InputError

LINES = [
    ("intent accuracy", "intent_accuracy", "{:.4f}"),
    ("intent macro F1", "intent_macro_f1", "{:.4f}"),
    ("intent micro F1", "intent_micro_f1", "{:.4f}"),
    ("in-scope fallback", "in_scope_fallback", "{:.4f}"),
    ("out-of-scope fallback", "out_of_scope_fallback", "{:.4f}"),
    ("entity precision", "entity_precision", "{:.4f}"),
    ("entity recall", "entity_recall", "{:.4f}"),
    ("entity F1", "entity_f1", "{:.4f}"),
    ("training seconds", "training_seconds", "{:.2f}"),
    ("latency p50 ms", "latency_p50_ms", "{:.3f}"),
    ("latency p99 ms", "latency_p99_ms", "{:.3f}"),
    ("peak memory MB", "peak_memory_mb", "{:.0f}"),
]


def format_report(report: dict[str, Any]) -> str:
    head = f"{report['dataset']}: trained on {report['train_examples']}, tested on {report['test_examples']} examples"
    return "\n".join([head, *(f"  {label:<22} {figure(report[key], fmt)}" for label, key, fmt in LINES)])


def figure(value: float | None, fmt: str) -> str:
    """A figure, or "-" where the set has nothing to measure it on (no out-of-scope examples)."""
    return "-" if value is None else fmt.format(value)


def run_eval(
    data: str, *, json_output: bool = False, predictions: str | None = None,
    threshold: float = DEFAULT_THRESHOLD, out: TextIO = sys.stdout,
) -> int:
    """``chatops eval DATA.json [--json] [--predictions OUT.jsonl]``."""
    report, predicted = evaluate(load_dataset(data), threshold=threshold)
    if predictions:
        try:
            with open(predictions, "w", encoding="utf-8") as file:
                for prediction in predicted:
                    file.write(json.dumps(prediction.to_json(), ensure_ascii=False) + "\n")
        except OSError as exc:
            raise InputError(f"Cannot write the predictions to {predictions}: {exc.strerror}") from exc
    print(json.dumps(report) if json_output else format_report(report), file=out)
    return 0


def run_train(agent_dir: str | None, model_out: str, *, out: TextIO = sys.stdout) -> int:
    """``chatops train --agent DIR --out MODEL``: train on the agent and write the model file."""
    agent = load_agent(agent_dir or None)
    started = time.perf_counter()
    model = train(agent)
    seconds = time.perf_counter() - started
    target = Path(model_out)
    if not target.parent.is_dir():
        raise InputError(f"Cannot write the model: the folder {target.parent} does not exist.")
    save_model(model, target)
    print(f"trained {len(agent.intents)} intents and {len(model.taggers)} slot taggers in {seconds:.2f} s; "
          f"wrote {target} ({target.stat().st_size // 1024} KiB)", file=out)
    for language in agent.languages:
        # Each of the agent's other languages has its own model, trained on its own phrases, beside the first.
        path = Path(language_model_path(str(target), language))
        save_model(train(agent.for_language(language)), path)
        print(f"wrote the {language} model {path} ({path.stat().st_size // 1024} KiB)", file=out)
    return 0
