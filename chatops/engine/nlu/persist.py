"""Model files: numpy arrays in one .npz plus a JSON header, never pickled code.

A model file records a fingerprint of the agent it was trained on; loading it
for a different agent fails with ``StaleModel`` so that ``load_or_train`` can
train afresh instead of answering with intents that no longer exist.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from chatops.engine.agent import Agent
from chatops.engine.nlu.calibration import Calibration
from chatops.engine.nlu.featurizer import Featurizer
from chatops.engine.nlu.intents import IntentClassifier
from chatops.engine.nlu.model import NLUModel, train
from chatops.engine.nlu.tagger import SlotTagger
from chatops.errors import ConfigError

FORMAT = "chatops-nlu/5"  # 2: the classifier carries its calibration; 3: the featurizer its character weight; 4: tagger features;
# 5: the classifier reads regexp entities' matches as their names (nlu.identifiers)
log = logging.getLogger(__name__)


class StaleModel(ConfigError):
    """The model file was trained on another agent (or by another format version)."""


def agent_fingerprint(agent: Agent) -> str:
    """A digest of everything in the agent that training reads (names of folders and files excluded)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "source"}
        if isinstance(value, (list, tuple)):
            return [strip(v) for v in value]
        return value

    whole = dataclasses.asdict(agent)
    content = strip({"intents": whole["intents"], "entities": whole["entities"]})
    canonical = json.dumps({**content, "language": agent.language}, sort_keys=True, default=str)
    return hashlib.sha256(f"{FORMAT}\n{canonical}".encode()).hexdigest()


def save_model(model: NLUModel, path: Path | str) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half of one."""
    arrays: dict[str, np.ndarray] = {}
    header: dict[str, Any] = {"format": FORMAT, "agent": agent_fingerprint(model.agent), "classifier": None, "taggers": []}
    if model.classifier is not None:
        classifier = model.classifier
        header["classifier"] = {
            "intents": classifier.intents, "featurizer": classifier.featurizer.to_state(),
            "calibration": dataclasses.asdict(classifier.calibration),
        }
        arrays["classifier_idf"] = classifier.featurizer.idf_array()
        arrays["classifier_weights"] = classifier.weights
    for i, (intent, tagger) in enumerate(model.taggers.items()):
        header["taggers"].append({"intent": intent, "labels": tagger.labels, "vocab": list(tagger.vocab)})
        arrays[f"tagger{i}_emissions"] = tagger.emissions
        arrays[f"tagger{i}_transitions"] = tagger.transitions
    arrays["header"] = np.array(json.dumps(header))
    target = Path(path)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez_compressed(file, **arrays)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_model(agent: Agent, path: Path | str) -> NLUModel:
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        header = json.loads(str(arrays["header"]))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ConfigError(f"The model file {path} cannot be read; train it again with `chatops train`.", detail=str(exc)) from exc
    if header.get("format") != FORMAT:
        raise StaleModel(f"The model file {path} has format {header.get('format')!r}, not {FORMAT!r}.")
    if header.get("agent") != agent_fingerprint(agent):
        raise StaleModel(f"The model file {path} was trained on another version of the agent.")
    classifier = None
    if header["classifier"] is not None:
        state = header["classifier"]
        featurizer = Featurizer.from_state(state["featurizer"], arrays["classifier_idf"])
        calibration = Calibration(**state["calibration"])
        classifier = IntentClassifier(featurizer, arrays["classifier_weights"], state["intents"], calibration)
    taggers = {}
    for i, entry in enumerate(header["taggers"]):
        vocab = {name: j for j, name in enumerate(entry["vocab"])}
        taggers[entry["intent"]] = SlotTagger(vocab, entry["labels"], arrays[f"tagger{i}_emissions"], arrays[f"tagger{i}_transitions"])
    return NLUModel(agent, classifier, taggers)


def language_model_path(model_path: str, language: str) -> str:
    """Where the model of one of the agent's other languages is kept: ``model.npz`` -> ``model.es.npz``."""
    if not model_path:
        return ""
    path = Path(model_path)
    return str(path.with_name(f"{path.stem}.{language}{path.suffix}"))


def load_or_train(agent: Agent, model_path: Path | str | None = None) -> NLUModel:
    """The saved model when it matches the agent; otherwise a freshly trained one."""
    if model_path and Path(model_path).exists():
        try:
            return load_model(agent, model_path)
        except StaleModel as exc:
            log.warning("training afresh: %s", exc.user_message)
    elif model_path:
        log.warning("training afresh: the model file %s does not exist", model_path)
    return train(agent)
