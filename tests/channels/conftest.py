"""Fixtures of the channel tests: the test agent, settings pointing at it, the fake Slack Web API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chatops.config import Settings
from tests.channels.slack_support import joined_workspace
from tests.channels.support import channel_settings, write_agent
from tests.fakes.slack import FakeSlack


@pytest.fixture
def agent_dir(tmp_path: Path) -> Path:
    return write_agent(tmp_path / "agent")


@pytest.fixture
def settings(agent_dir: Path) -> Settings:
    return channel_settings(agent_dir)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """The fake Slack of the captured payloads' workspace; a call it refused fails the test unless the test sets ``refusals_expected``."""
    async with FakeSlack(emails={"U123": "alice@example.com"}, workspace=joined_workspace()) as fake:
        yield fake
    if not fake.refusals_expected:
        assert [(c.method, c.answer.get("error")) for c in fake.refused()] == []
