"""Fixtures of the production tests: the real app with the bundled agent on a TCP port, and the fakes it talks to.

Training the bundled agent's NLU takes seconds, so every app these tests start
gets the one model ``chatops.testing.trained_nlu`` trains per process.
"""

from __future__ import annotations

import dataclasses
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Iterator, Mapping

import pytest
from aiohttp.test_utils import TestClient, TestServer

from chatops.config import Settings, load_settings
from chatops.server import create_app
from chatops.testing import ALLOW_ALL, trained_nlu
from tests.fakes.moto_ssm import moto_server, reset_moto
from tests.fakes.reddit import FakeReddit, post

# Loopback port 9 (discard) refuses connections: a handler that reaches for Reddit fails fast.
UNREACHABLE = "http://127.0.0.1:9"


def settings_for(tmp_path: Path, **groups: Mapping[str, Any]) -> Settings:
    """The bundled agent and every handler table on a SQLite file; Reddit and AWS unreachable; ``groups`` override."""
    overrides: dict[str, dict[str, Any]] = {
        "aws": {"endpoint_url": UNREACHABLE, "access_key_id": "testing", "secret_access_key": "testing", "ssm_attempts": 1},
        "store": {"url": f"sqlite:///{tmp_path / 'chatops.db'}", "timeout_seconds": 1.0},
        "reddit": {"base_url": UNREACHABLE, "timeout_seconds": 1.0},
        "observability": {"jobs_cache_seconds": 0.0},
    }
    for group, values in groups.items():
        overrides[group] = {**overrides.get(group, {}), **values}
    return load_settings(env={}, overrides=overrides)


@asynccontextmanager
async def serve(settings: Settings, **kwargs: Any) -> AsyncIterator[TestClient]:
    """The real aiohttp app on 127.0.0.1 (a free port), every permission granted unless told otherwise."""
    kwargs.setdefault("policy", ALLOW_ALL)
    kwargs.setdefault("nlu", trained_nlu(settings.engine.agent_dir))
    async with TestClient(TestServer(create_app(settings, **kwargs), host="127.0.0.1", port=0)) as client:
        yield client


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[TestClient]:
    async with serve(settings) as running:
        yield running


@pytest.fixture
async def reddit() -> AsyncIterator[FakeReddit]:
    async with FakeReddit() as fake:
        fake.listings["jokes"] = [post(f"j{i}", f"Joke number {i}", f"Punchline {i}") for i in range(5)]
        yield fake


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def fresh_moto(moto_url: str) -> str:
    """The moto server emptied (its state is per process)."""
    reset_moto(moto_url)
    return moto_url


def with_group(settings: Settings, group: str, **values: Any) -> Settings:
    return dataclasses.replace(settings, **{group: dataclasses.replace(getattr(settings, group), **values)})


async def say(client: TestClient, text: str, *, session: str = "s1", **extra: Any) -> dict[str, Any]:
    """POST one utterance; the JSON answer (asserting a 200)."""
    response = await client.post("/api/v1/query", json={"session": session, "text": text, **extra})
    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    return body
