"""Every channel × every way a caller can name an identity × every kind of policy binding.

The attacker names the identity a binding grants (``df-ops``, ``U0ADMIN``...) in
every field a channel reads it from. For each case the outcome must be one of:
the policy is refused at start-up (the binding names a caller-chosen identity),
or the principal the channel builds from the body does not get the role. Only
``*`` (everyone) and identities the channel proves (a signed Slack user, an
authenticated DialogFlow webhook's user) may match.
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import Any, Callable

import pytest

from chatops.channels import dialogflow_body, web
from chatops.config import Settings, load_settings
from chatops.errors import ConfigError
from chatops.models import Principal
from chatops.security import exposure
from chatops.security.policy import Policy
from tests.security.support import policy_file

NAME = "df-ops"
ATTACKER_TOKEN = "attacker-own-token"
SETTINGS = {
    "open webhook": load_settings(env={}),
    "authenticated webhook": load_settings(env={"CHATOPS_DIALOGFLOW_USER": "df", "CHATOPS_DIALOGFLOW_PASSWORD": "pw"}),
}

BINDINGS = {
    "web": f"web:{NAME}",
    "api": f"api:{NAME}",
    "dialogflow": f"dialogflow:{NAME}",
    "slack": f"slack:{NAME}",
    "email": f"email:{NAME}@example.com",
    "slack-channel": f"slack-channel:{NAME}",
    "cli": f"cli:{NAME}",
    "token": f"token:{NAME}",
    "token-sha256": f"token-sha256:{hashlib.sha256(NAME.encode()).hexdigest()}",
}


def df_body(where: str) -> dict[str, Any]:
    body: dict[str, Any] = {"session": "projects/p/agent/sessions/s1", "queryResult": {"action": "sec.put"}}
    payload: dict[str, Any] = {}
    if where == "payload.userId":
        payload["userId"] = NAME
    elif where == "payload.user.userId":
        payload["user"] = {"userId": NAME}
    elif where == "session segment":
        body["session"] = f"projects/p/agent/sessions/{NAME}"
    elif where == "source":
        body["originalDetectIntentRequest"] = {"source": NAME, "payload": {"userId": "x"}}
        return body
    elif where == "email in payload":
        payload = {"userId": "x", "email": f"{NAME}@example.com", "user": {"email": f"{NAME}@example.com"}}
    body["originalDetectIntentRequest"] = {"payload": payload}
    return body


def web_principal(where: str, settings: Settings) -> Principal:
    body: dict[str, Any] = {"session": NAME, "text": "hi"}
    token = None
    if where == "user":
        body["user"] = NAME
    elif where == "user and own token":
        body["user"], token = NAME, ATTACKER_TOKEN
    elif where == "session":
        pass
    elif where == "user shaped like a binding":
        body["user"] = f"dialogflow:{NAME}"
    return web.to_query(body, settings, token, "req").principal


Builder = Callable[[Settings], Principal]
WAYS: dict[str, Builder] = {
    **{f"web {w}": (lambda w: lambda s: web_principal(w, s))(w)
       for w in ("user", "user and own token", "session", "user shaped like a binding")},
    **{f"dialogflow {w}": (lambda w: lambda s: dialogflow_body.to_query(
        df_body(w), verified=s.dialogflow.authenticated).principal)(w)
       for w in ("payload.userId", "payload.user.userId", "session segment", "source", "email in payload")},
}


def expected_match(kind: str, way: str, settings_name: str) -> bool:
    """Where a match is legitimate: the authenticated webhook's own user id."""
    return kind == "dialogflow" and settings_name == "authenticated webhook" and way in (
        "dialogflow payload.userId", "dialogflow payload.user.userId", "dialogflow session segment"
    )


CASES = list(itertools.product(sorted(BINDINGS), sorted(WAYS), sorted(SETTINGS)))


@pytest.mark.parametrize(("kind", "way", "settings_name"), CASES, ids=["|".join(c) for c in CASES])
def test_a_caller_cannot_claim_a_bound_identity(tmp_path: Path, kind: str, way: str, settings_name: str) -> None:
    settings = SETTINGS[settings_name]
    try:
        policy = Policy.load(policy_file(tmp_path, [BINDINGS[kind]]))
        exposure.check_bindings(policy, settings)
    except ConfigError as refused:
        assert kind in ("web", "api", "dialogflow"), f"{kind} bindings must load"
        assert settings_name == "open webhook" or kind != "dialogflow"
        assert "chosen by the caller" in str(refused)
        return
    principal = WAYS[way](settings)
    granted = policy.check(principal, "ssm:put", "/development/x").allowed
    assert granted == expected_match(kind, way, settings_name), (principal, granted)


def test_the_matrix_covers_every_kind_way_and_configuration() -> None:
    assert len(CASES) == len(BINDINGS) * len(WAYS) * len(SETTINGS) == 9 * 9 * 2


def test_everyone_still_means_everyone(tmp_path: Path) -> None:
    policy = Policy.load(policy_file(tmp_path, ["*"]))
    for settings in SETTINGS.values():
        exposure.check_bindings(policy, settings)
        assert all(policy.check(build(settings), "ssm:put", "/development/x").allowed for build in WAYS.values())
