"""Small agents written as YAML files in a temporary folder, loaded by the real loader; the score of a tagger path."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest
import yaml

from chatops.engine.agent import Agent
from chatops.engine.loader import load_agent

INTENTS: dict[str, dict[str, Any]] = {
    "joke": {
        "action": "reddit.tell",
        "parameters": [{"name": "content", "entity": "@content"}],
        "phrases": [
            "tell me a [joke](content)", "make me laugh", "say [something funny](content)", "i want a [joke](content)",
            "[joke](content) please", "tell me a [fact](content)", "give me some [trivia](content)",
            "got any [jokes](content)?", "cheer me up", "do you know a good [joke](content)",
        ],
    },
    "pods": {
        "action": "pods.list",
        "parameters": [
            {"name": "namespace", "entity": "@sys.any", "required": True, "prompts": ["Which namespace?"]},
            {"name": "cluster", "entity": "@cluster"},
        ],
        "phrases": [
            "list pods", "list pods in [kube-system](namespace)", "show pods in [default](namespace)",
            "what pods are running in [monitoring](namespace)", "get the pods of [payments](namespace) on [prod-gke](cluster)",
            "which pods run in [ingress-nginx](namespace)", "show me the pods", "pods in [web](namespace) please",
            "list the pods in namespace [cert-manager](namespace)", "list pods in [argo](namespace) on [dr-aks](cluster)",
        ],
    },
    "migrate": {
        "action": "velero.migrate",
        "parameters": [
            {"name": "namespace", "entity": "@sys.any"},
            {"name": "source", "entity": "@cluster"},
            {"name": "target", "entity": "@cluster"},
        ],
        "phrases": [
            "migrate [wordpress](namespace) from [prod-gke](source) to [dr-aks](target)",
            "move [shop](namespace) from [dr-aks](source) to [prod-gke](target)",
            "migrate namespace [blog](namespace) to [dr-aks](target)",
            "start a migration of [api](namespace) from [prod-gke](source) to [dr-aks](target)",
            "copy [crm](namespace) to [prod-gke](target) from [dr-aks](source)",
            "migrate [wiki](namespace)", "start a migration",
        ],
    },
    "help": {"phrases": ["help", "what can you do", "how do you work", "what are your capabilities", "help me"]},
    "price": {
        "action": "prices.predict",
        "parameters": [{"name": "area", "entity": "@sys.area", "required": True, "prompts": ["How big?"]}],
        "phrases": [
            "how much is a house of [5,000 sq ft](area)", "predict the price of [400 m2](area)",
            "what would [2 acres](area) cost", "price for [1200 square feet](area)", "estimate a price",
            "how much for a flat of [80 square metres](area)",
        ],
    },
    "confirm_yes": {"phrases": ["yes", "sure", "go ahead", "do it"], "input_contexts": ["awaiting_confirmation"]},
    "fallback": {"fallback": True, "phrases": ["what is the weather like", "book a table for two"]},
}
ENTITIES: dict[str, dict[str, Any]] = {
    "content": {"entries": [
        {"value": "joke", "synonyms": ["joke", "jokes", "something funny"]},
        {"value": "fact", "synonyms": ["fact", "facts", "trivia"]},
    ]},
    "cluster": {"fuzzy": True, "entries": [
        {"value": "prod-gke", "synonyms": ["prod-gke", "production", "prod"]},
        {"value": "dr-aks", "synonyms": ["dr-aks", "disaster recovery"]},
    ]},
    "ticket": {"regexp": True, "entries": [{"value": "ticket", "synonyms": ["[A-Z]{2,5}-\\d+"]}]},
}


def write_agent(root: Path, intents: dict[str, dict[str, Any]], entities: dict[str, dict[str, Any]]) -> Path:
    (root / "intents").mkdir(parents=True)
    (root / "entities").mkdir()
    for name, body in intents.items():
        (root / "intents" / f"{name}.yaml").write_text(yaml.safe_dump({"name": name, **body}))
    for name, body in entities.items():
        (root / "entities" / f"{name}.yaml").write_text(yaml.safe_dump({"name": name, **body}))
    return root


@pytest.fixture
def make_agent(tmp_path: Path) -> Callable[..., Agent]:
    def make(intents: dict[str, dict[str, Any]] = INTENTS, entities: dict[str, dict[str, Any]] = ENTITIES) -> Agent:
        return load_agent(write_agent(tmp_path / "agent", intents, entities))

    return make


@pytest.fixture(scope="module")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from chatops.engine.nlu import train_nlu

    return train_nlu(load_agent(write_agent(tmp_path_factory.mktemp("agent"), INTENTS, ENTITIES)))


def path_score(emissions: np.ndarray, transitions: np.ndarray, path: tuple[int, ...]) -> float:
    """A label path's score under a chain; ``transitions``' last row scores the first label."""
    score = transitions[-1, path[0]] + emissions[0, path[0]]
    for t in range(1, len(path)):
        score += transitions[path[t - 1], path[t]] + emissions[t, path[t]]
    return float(score)
