"""Invalid policy files fail with the file and the line of the mistake."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from chatops.errors import ConfigError
from chatops.security.policy import Policy
from chatops.security.policy_file import PolicyError

GOOD_ROLE = """\
version: 1
roles:
  reader:
    statements:
      - effect: allow
        actions: [ssm:get]
        resources: ["/production/*"]
"""

CASES = [
    # (file text, line, words the message must contain)
    (GOOD_ROLE + "bindings:\n  - principals: [slack:U1]\n    roles: [writer]\n", 10, "unknown role 'writer'"),
    (GOOD_ROLE.replace("effect: allow", "effect: permit") + "bindings: []\n", 5, "effect must be allow or deny"),
    (GOOD_ROLE.replace("[ssm:get]", "[ssm get]") + "bindings: []\n", 6, "must look like service:verb"),
    (GOOD_ROLE.replace('["/production/*"]', '["/prod uction/*"]') + "bindings: []\n", 7, "must not contain spaces"),
    (GOOD_ROLE.replace("        resources", "        resource") + "bindings: []\n", 7, "unknown key 'resource'"),
    (GOOD_ROLE.replace('        resources: ["/production/*"]\n', "") + "bindings: []\n", 5, "missing 'resources'"),
    (GOOD_ROLE + "bindings:\n  - principals: [U0123]\n    roles: [reader]\n", 9, "a principal must be one of"),
    (GOOD_ROLE + "bindings:\n  - principals: [token-sha256:abc]\n    roles: [reader]\n", 9, "64 hex digits"),
    (GOOD_ROLE + "bindings:\n  - principals: [web:ana]\n    roles: [reader]\n", 9, "chosen by the caller"),
    (GOOD_ROLE + "bindings:\n  - principals: [email:bob]\n    roles: [reader]\n", 9, "needs an address"),
    (GOOD_ROLE + "bindings:\n  - principals: [slack:U1]\n    roles: [reader]\n  - nope\n", 11, "binding must be a mapping"),
    (GOOD_ROLE + "  reader:\n    statements: []\nbindings: []\n", 8, "'reader' appears twice"),
    (GOOD_ROLE + "bindings:\n  principals: [slack:U1]\n", 9, "bindings must be a list"),
    (GOOD_ROLE.replace("version: 1", "version: 2") + "bindings: []\n", 1, "version must be 1"),
    (GOOD_ROLE, 1, "missing 'bindings'"),
    (GOOD_ROLE.replace("[ssm:get]", "[ssm:get, 42]") + "bindings: []\n", 6, "must be text"),
    (GOOD_ROLE.replace("[ssm:get]", "[*]") + "bindings: []\n", 6, "not valid YAML"),
    (GOOD_ROLE + "bindings: [\n", 9, "not valid YAML"),
    ("roles:\n  bad name:\n    statements: []\nbindings: []\n", 2, "role name 'bad name'"),
    ("roles:\n  r:\n    statements: []\nbindings: []\n", 3, "statements must not be empty"),
    ("roles: {}\nbindings: []\n", 1, "define at least one role"),
    ("- just\n- a list\n", 1, "the policy must be a mapping"),
    ("", 1, "the policy file is empty"),
]


@pytest.mark.parametrize(("text", "line", "words"), CASES)
def test_invalid_files_name_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError) as caught:
        Policy.load(path)
    error = caught.value
    assert isinstance(error, ConfigError)
    assert (error.file, error.line) == (str(path), line), error.user_message
    assert words in error.problem
    assert error.user_message.startswith(f"{path}:{line}: ")


def test_errors_never_quote_a_principal(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    token = "xoxb-" + secrets.token_hex(8)  # made at run time: no token-shaped string is committed
    path.write_text(GOOD_ROLE + f"bindings:\n  - principals: [{token}]\n    roles: [reader]\n")
    with pytest.raises(PolicyError) as caught:
        Policy.load(path)
    assert "xoxb" not in caught.value.user_message


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        Policy.load(tmp_path / "absent.yaml")


def test_single_texts_count_as_lists(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(GOOD_ROLE.replace("[ssm:get]", "ssm:get") + "bindings:\n  - principals: cli:ana\n    roles: reader\n")
    policy = Policy.load(path)
    assert policy.roles["reader"].statements[0].actions == ("ssm:get",)
    assert policy.roles["reader"].statements[0].line == 5
    assert policy.bindings[0].line == 9
