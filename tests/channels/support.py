"""Shared pieces of the channel and browser tests: a small agent, settings, and the real app on a TCP port."""

from __future__ import annotations

import dataclasses
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Mapping

import yaml
from aiohttp.test_utils import TestClient, TestServer

from chatops.config import Settings, load_settings
from chatops.server import create_app
from chatops.testing import ALLOW_ALL
from tests.channels import channel_table

INTENTS: list[dict[str, Any]] = [
    {"name": "joke", "action": "test.joke", "output_contexts": [{"name": "joke-followup", "lifespan": 2}],
     "phrases": ["tell me a joke", "a joke please", "make me laugh", "say something funny", "got any jokes"]},
    {"name": "joke.another", "action": "test.another", "input_contexts": ["joke-followup"],
     "phrases": ["another one", "one more", "another", "tell me another one"]},
    {"name": "fact", "action": "test.fact", "phrases": ["tell me a fact", "a fact please", "give me some trivia"]},
    {"name": "chart", "action": "test.chart", "phrases": ["show the price chart", "price chart", "plot the prices"]},
    {"name": "secret", "action": "test.secret", "phrases": ["what is the password", "show the password", "reveal the password"]},
    {"name": "whoami", "action": "test.whoami", "phrases": ["who am i", "what is my user id", "whoami"]},
    {"name": "restart", "action": "test.restart", "phrases": ["restart the web server", "restart everything", "please restart"]},
    {"name": "rotate", "action": "test.rotate", "phrases": ["rotate the api key", "rotate the key", "new api key please"]},
    {"name": "slow", "action": "test.slow", "phrases": ["do the slow thing", "run the slow job", "slow work"]},
    {"name": "crash", "action": "test.crash", "phrases": ["crash the handler", "make it crash", "break something"]},
    {"name": "confirm.yes", "action": "confirm.yes", "input_contexts": ["awaiting-confirmation"],
     "phrases": ["yes", "yes please", "go ahead", "do it", "confirm"]},
    {"name": "confirm.no", "action": "confirm.no", "input_contexts": ["awaiting-confirmation"],
     "phrases": ["no", "no thanks", "don't", "stop it", "do not do it"]},
    {"name": "welcome", "events": ["WELCOME"], "responses": ["Hello! Ask me for a joke."],
     "phrases": ["hello", "hi", "good morning", "hey there"]},
    {"name": "fallback", "fallback": True, "responses": ["Sorry, I didn't get that."]},
]


def write_agent(root: Path) -> Path:
    """The test agent as YAML files, the way an agent author writes them."""
    (root / "intents").mkdir(parents=True, exist_ok=True)
    for intent in INTENTS:
        (root / "intents" / f"{intent['name']}.yaml").write_text(yaml.safe_dump(intent))
    return root


def channel_settings(agent_dir: Path, **groups: Mapping[str, Any]) -> Settings:
    overrides: dict[str, Mapping[str, Any]] = {
        "engine": {"agent_dir": str(agent_dir), "handlers": ()},
        "store": {"url": "sqlite:///:memory:"},
    }
    for group, values in groups.items():
        overrides[group] = {**overrides.get(group, {}), **values}
    return load_settings(env={}, overrides=overrides)


@asynccontextmanager
async def serve(settings: Settings, **kwargs: Any) -> AsyncIterator[TestClient]:
    """The real aiohttp app on 127.0.0.1 (a free port) with the test handler table, every permission granted."""
    kwargs.setdefault("policy", ALLOW_ALL)
    kwargs.setdefault("tables", [channel_table.table])
    server = TestServer(create_app(settings, **kwargs), host="127.0.0.1", port=0)
    async with TestClient(server) as client:
        yield client


def with_group(settings: Settings, group: str, **values: Any) -> Settings:
    return dataclasses.replace(settings, **{group: dataclasses.replace(getattr(settings, group), **values)})
