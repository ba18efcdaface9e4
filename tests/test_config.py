"""Settings from the environment, and the README's configuration table generated from them."""

from pathlib import Path

import pytest

from chatops.config import load_settings, reference_markdown
from chatops.errors import ConfigError


def test_environment_overrides_defaults() -> None:
    settings = load_settings(env={"CHATOPS_PORT": "9000", "CHATOPS_HANDLERS": "reddit, prices", "CHATOPS_SLACK_SOCKET_MODE": "yes"})
    assert settings.server.port == 9000
    assert settings.engine.handlers == ("reddit", "prices")
    assert settings.slack.socket_mode is True
    assert load_settings(env={}).engine.confidence_threshold == 0.3


def test_settings_file_is_read_and_validated(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text("server:\n  port: 8181\n")
    assert load_settings(env={"CHATOPS_CONFIG": str(path)}).server.port == 8181
    path.write_text("server:\n  prot: 8181\n")
    with pytest.raises(ConfigError, match="unknown keys in server: prot"):
        load_settings(env={"CHATOPS_CONFIG": str(path)})


def test_bad_values_name_the_variable() -> None:
    with pytest.raises(ConfigError, match="CHATOPS_PORT"):
        load_settings(env={"CHATOPS_PORT": "eighty"})


def test_readme_configuration_table_is_current() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert reference_markdown() in readme
