"""Fixtures of the channel tests: the test agent and handler table, settings pointing at them."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.config import Settings
from tests.channels import interim_nlu
from tests.channels.support import channel_settings, use_channel_table, write_agent


@pytest.fixture(autouse=True)
def _channel_table(monkeypatch: pytest.MonkeyPatch) -> None:
    use_channel_table(monkeypatch)
    interim_nlu.install_if_missing(monkeypatch)


@pytest.fixture
def agent_dir(tmp_path: Path) -> Path:
    return write_agent(tmp_path / "agent")


@pytest.fixture
def settings(agent_dir: Path) -> Settings:
    return channel_settings(agent_dir)
