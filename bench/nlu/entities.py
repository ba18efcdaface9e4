"""Few-shot slot tagging: train on N phrases per intent, score exact-span entity F1 on the held-out ones.

    /root/.cache/chatops/venv/bin/python bench/nlu/entities.py [DATA.json ...] [--per-intent 3 10] [--seeds 3]

Each set (by default data/helpdesk.json, the Snips 2017 set from shared/benchmarks/nlu and the bundled
agent) is pooled into one agent; per seed, N phrases per intent are drawn to train and every other
phrase of those intents is the test. The intent is given (this measures the tagger, not the
classifier). "tagged" scores the spans the intent's tagger placed, as ``chatops eval`` does; "filled"
the spans the dialogue fills the parameters with (the tagger's, else a match of the parameter's
entity type). Beside them runs a dictionary baseline in the same run: the longest match of the
values annotated in the training phrases and of the intent's typed parameters' entities.
Figures are micro precision/recall/F1 of (slot, start, end), mean ± sd over the seeds.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

from chatops.engine.agent import Agent, Intent  # noqa: E402
from chatops.engine.dialogue import Engine  # noqa: E402
from chatops.engine.loader import load_agent  # noqa: E402
from chatops.engine.nlu.dataset import Example, Span, load_dataset, to_agent  # noqa: E402
from chatops.engine.nlu.metrics import entity_scores  # noqa: E402
from chatops.engine.nlu.model import NLUModel, classifiable, phrase_spans, train  # noqa: E402
from chatops.engine.nlu.text import tokenize  # noqa: E402

from run import default_sets  # noqa: E402

HERE = Path(__file__).resolve().parent
BUNDLED = "bundled"
Spans = list[tuple[str, int, int]]


def pooled(source: str) -> Agent:
    """The bundled agent as it is, or an evaluation set's train and test as one agent."""
    if source == BUNDLED:
        return dataclasses.replace(load_agent(), name="bundled agent")
    dataset = load_dataset(source)
    return to_agent([*dataset.train, *dataset.test], name=dataset.name)


def split(agent: Agent, per_intent: int, rng: np.random.Generator) -> tuple[Agent, list[tuple[str, Example]]]:
    """``per_intent`` phrases of every annotated intent to train, the rest as (intent, example) to test."""
    intents, held_out = dict(agent.intents), []
    for intent in agent.intents.values():
        if not classifiable(intent) or not any(phrase_spans(p) for p in intent.phrases):
            continue
        order = rng.permutation(len(intent.phrases))
        intents[intent.name] = dataclasses.replace(intent, phrases=tuple(intent.phrases[i] for i in sorted(order[:per_intent])))
        for i in order[per_intent:]:
            phrase = intent.phrases[i]
            spans = tuple(Span(slot, start, end) for start, end, slot in phrase_spans(phrase))
            held_out.append((intent.name, Example(phrase.text, intent.name, spans)))
    return dataclasses.replace(agent, intents=intents), held_out


def tagged(model: NLUModel, intent: Intent, text: str) -> Spans:
    """The spans the intent's tagger placed (what ``chatops eval`` scores)."""
    return [(m.slot, m.start, m.end) for m in model.extract(text, intent=intent.name) if m.slot is not None]


def filled(model: NLUModel, intent: Intent, text: str) -> Spans:
    """The spans the dialogue fills its parameters with: the tagger's, else a match of the parameter's type."""
    matches, taken, spans = model.extract(text, intent=intent.name), [], []
    for parameter in intent.parameters:
        spans += [(parameter.name, m.start, m.end) for m in Engine.choose(parameter, matches, taken)]
    return spans


def dictionary(model: NLUModel, intent: Intent, text: str) -> Spans:
    """The baseline: longest non-overlapping match of seen values and of typed parameters' entities."""
    seen = {}
    for phrase in intent.phrases:
        for start, end, slot in phrase_spans(phrase):
            seen.setdefault(tuple(t.lower for t in tokenize(phrase.text[start:end])), slot)
    tokens = tokenize(text)
    lowered = [t.lower for t in tokens]
    candidates = [
        (tokens[i].start, tokens[j - 1].end, seen[tuple(lowered[i:j])])
        for i in range(len(tokens)) for j in range(i + 1, len(tokens) + 1) if tuple(lowered[i:j]) in seen
    ]
    by_type = {p.entity: p.name for p in reversed(intent.parameters)}
    candidates += [(m.start, m.end, by_type[m.entity]) for m in model.known(text, tokens, None, None) if m.entity in by_type]
    chosen: Spans = []
    for start, end, slot in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
        if all(end <= s or e <= start for _, s, e in chosen):
            chosen.append((slot, start, end))
    return chosen


SYSTEMS = {"tagged": tagged, "filled": filled, "dictionary": dictionary}


def run(agent: Agent, per_intent: int, seed: int) -> dict[str, dict[str, float]]:
    train_agent, held_out = split(agent, per_intent, np.random.default_rng(seed))
    started = time.perf_counter()
    model = train(train_agent)
    seconds = time.perf_counter() - started
    gold = [example for _, example in held_out]
    report = {}
    for system, spans in SYSTEMS.items():
        report[system] = entity_scores(gold, [spans(model, train_agent.intents[name], e.text) for name, e in held_out])
    report["tagged"].update(training_seconds=seconds, test=len(gold))
    return report


def cell(values: list[float]) -> str:
    return f"{statistics.fmean(values):.3f} ± {statistics.stdev(values) if len(values) > 1 else 0.0:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="*", help=f"evaluation sets or '{BUNDLED}' (default: helpdesk, Snips 2017, bundled)")
    parser.add_argument("--per-intent", type=int, nargs="+", default=[3, 10], help="training phrases per intent")
    parser.add_argument("--seeds", type=int, default=3, help="draws per setting; figures are mean ± sd")
    args = parser.parse_args()
    sources = args.data or [str(HERE / "data" / "helpdesk.json"), default_sets()[0], BUNDLED]
    print("| set | phrases/intent | test phrases | engine | entity P | entity R | entity F1 | training s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for source in sources:
        agent = pooled(source)
        for per_intent in args.per_intent:
            runs = [run(agent, per_intent, seed) for seed in range(args.seeds)]
            test = int(statistics.fmean(r["tagged"]["test"] for r in runs))
            for system in SYSTEMS:
                figures = [cell([r[system][key] for r in runs]) for key in ("entity_precision", "entity_recall", "entity_f1")]
                seconds = cell([r["tagged"]["training_seconds"] for r in runs]) if system == "tagged" else "-"
                print(f"| {agent.name} | {per_intent} | {test} | {system} | " + " | ".join([*figures, seconds]) + " |", flush=True)


if __name__ == "__main__":
    main()
