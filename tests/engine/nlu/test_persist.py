"""Model files: the same answers after a round trip, refusal for another agent, no pickle."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from chatops.engine.agent import Agent
from chatops.engine.nlu.persist import StaleModel, agent_fingerprint, load_model, load_or_train, save_model
from chatops.errors import ConfigError

PROBES = ["tell me a joke", "list pods in observability", "migrate billing from dr-aks to production", "asdfgh"]


def test_a_saved_model_answers_exactly_like_the_trained_one(small_model: Any, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    save_model(small_model, path)
    loaded = load_model(small_model.agent, path)
    for text in PROBES:
        assert loaded.classify(text) == small_model.classify(text)
        intent = small_model.classify(text)[0].intent
        assert loaded.extract(text, intent=intent) == small_model.extract(text, intent=intent)


def test_model_files_hold_no_pickled_objects(small_model: Any, tmp_path: Path) -> None:
    path = tmp_path / "model"
    save_model(small_model, path)
    assert path.exists()  # no ".npz" appended behind our back
    with np.load(path, allow_pickle=False) as data:
        assert all(data[name].dtype != object for name in data.files)


def test_a_model_of_another_agent_is_stale(small_model: Any, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    save_model(small_model, path)
    changed_intent = dataclasses.replace(small_model.agent.intents["help"], responses=("I can help",))
    changed = Agent(intents={**small_model.agent.intents, "help": changed_intent}, entities=small_model.agent.entities)
    assert agent_fingerprint(changed) != agent_fingerprint(small_model.agent)
    with pytest.raises(StaleModel):
        load_model(changed, path)
    retrained = load_or_train(changed, path)
    assert retrained.classify("help me")[0].intent == "help"


def test_the_fingerprint_ignores_where_files_live(small_model: Any) -> None:
    moved = Agent(
        intents={n: dataclasses.replace(i, source=f"/elsewhere/{n}.yaml") for n, i in small_model.agent.intents.items()},
        entities=small_model.agent.entities,
    )
    assert agent_fingerprint(moved) == agent_fingerprint(small_model.agent)


def test_a_corrupt_file_is_a_readable_error(small_model: Any, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_model(small_model.agent, path)


def test_load_or_train_without_a_file_trains(small_model: Any, tmp_path: Path) -> None:
    model = load_or_train(small_model.agent, tmp_path / "missing.npz")
    assert model.classify("tell me a joke")[0].intent == "joke"
    assert load_or_train(small_model.agent, None).classify("list pods")[0].intent == "pods"


def test_a_file_of_the_previous_format_is_stale_and_retrained(small_model: Any, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    save_model(small_model, path)
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    header = json.loads(str(arrays["header"]))
    header["format"] = "chatops-nlu/2"  # no character weight in its featurizer
    del header["classifier"]["featurizer"]["char_weight"]
    arrays["header"] = np.array(json.dumps(header))
    with path.open("wb") as file:
        np.savez_compressed(file, **arrays)
    with pytest.raises(StaleModel, match="has format 'chatops-nlu/2'"):
        load_model(small_model.agent, path)
    assert load_or_train(small_model.agent, path).classify("tell me a joke")[0].intent == "joke"
