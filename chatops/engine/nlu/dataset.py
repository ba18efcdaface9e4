"""Evaluation sets (train/test examples with character-offset entity spans) and their agent.

The format is the one in the benchmarks README: ``{"name", "train": [...], "test": [...]}``
where an example is ``{"text", "intent", "entities": [{"entity", "start", "end", "value"}]}``.
An intent named ``None`` means "no intent": its examples train the out-of-scope class.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatops.engine.agent import Agent, Intent, Parameter, PhrasePart, TrainingPhrase
from chatops.errors import InputError

NONE_INTENT = "None"


@dataclass(frozen=True)
class Span:
    entity: str
    start: int
    end: int


@dataclass(frozen=True)
class Example:
    text: str
    intent: str | None  # None: out of scope
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Dataset:
    name: str
    train: list[Example]
    test: list[Example]


def _example(raw: Any, where: str) -> Example:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not isinstance(raw.get("intent"), str):
        raise InputError(f"{where}: an example needs a text and an intent")
    text = raw["text"]
    spans = []
    for j, entity in enumerate(raw.get("entities") or []):
        try:
            span = Span(str(entity["entity"]), int(entity["start"]), int(entity["end"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{where}.entities[{j}]: needs entity, start and end") from exc
        if not 0 <= span.start < span.end <= len(text):
            raise InputError(f"{where}.entities[{j}]: span {span.start}..{span.end} is outside the text")
        spans.append(span)
    intent = None if raw["intent"] == NONE_INTENT else raw["intent"]
    return Example(text, intent, tuple(sorted(spans, key=lambda s: s.start)))


def load_dataset(path: Path | str) -> Dataset:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read the evaluation set: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("train"), list) or not isinstance(data.get("test"), list):
        raise InputError(f"{path}: an evaluation set has a train list and a test list")
    train = [_example(raw, f"train[{i}]") for i, raw in enumerate(data["train"])]
    test = [_example(raw, f"test[{i}]") for i, raw in enumerate(data["test"])]
    return Dataset(str(data.get("name") or Path(path).stem), train, test)


def _phrase(example: Example) -> TrainingPhrase:
    parts, position = [], 0
    for span in example.spans:
        if span.start < position:
            continue  # overlapping annotations: keep the first
        if span.start > position:
            parts.append(PhrasePart(example.text[position : span.start]))
        parts.append(PhrasePart(example.text[span.start : span.end], parameter=span.entity))
        position = span.end
    if position < len(example.text):
        parts.append(PhrasePart(example.text[position:]))
    return TrainingPhrase(tuple(parts))


def to_agent(examples: list[Example], *, name: str = "eval") -> Agent:
    """One intent per label with a free-form parameter per entity type; ``None`` examples feed a fallback."""
    grouped: dict[str | None, list[Example]] = {}
    for example in examples:
        grouped.setdefault(example.intent, []).append(example)
    intents = {}
    for label, members in grouped.items():
        slots = sorted({span.entity for example in members for span in example.spans})
        intent_name = label or NONE_INTENT
        intents[intent_name] = Intent(
            name=intent_name,
            phrases=tuple(_phrase(example) for example in members),
            parameters=tuple(Parameter(slot, "sys.any") for slot in slots),
            fallback=label is None,
        )
    return Agent(intents=intents, name=name)
