"""The policy matrix: principal (through its roles) x permission x resource -> allowed or denied."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.config import SecuritySettings
from chatops.errors import ConfigError
from chatops.models import Principal
from chatops.security.policy import Policy, load_policy

ALICE = Principal(id="UALICE", channel="slack")
BOB = Principal(id="UBOB", channel="slack", email="bob@example.com")
CAROL_IN_STAGING = Principal(id="UCAROL", channel="slack", channel_id="CSTAGING")
DAVE = Principal(id="dave", channel="cli")
WIDGET = Principal(id="widget", channel="web", token="example-widget-token")
PLAIN_WIDGET = Principal(id="widget", channel="web", token="plain-widget-token")
MALLORY = Principal(id="UMALLORY", channel="slack", roles=("ssm-dev-readwrite",))
ANONYMOUS = Principal.anonymous()

MATRIX = [
    # ssm-prod-readonly: read production, never write it, nothing outside it
    (ALICE, "ssm:get", "/production/db/password", True),
    (ALICE, "ssm:list", "/production/", True),
    (ALICE, "ssm:history", "/production/db/password", True),
    (ALICE, "ssm:put", "/production/db/password", False),
    (ALICE, "ssm:get", "/development/db/password", False),
    (ALICE, "ssm:list", "/", False),
    (ALICE, "ssm:get", "/productionx/db", False),
    # ssm-dev-readwrite, bound by email (case-insensitive)
    (BOB, "ssm:get", "/development/db/password", True),
    (BOB, "ssm:put", "/development/db/password", True),
    (BOB, "ssm:put", "/production/db/password", False),
    (BOB, "ssm:get", "/production/db/password", False),
    # Kubernetes scoped by cluster and namespace, bound by Slack channel; explicit deny wins
    (CAROL_IN_STAGING, "pods:list", "kube:staging/shop", True),
    (CAROL_IN_STAGING, "certs:rotate", "kube:staging/shop", True),
    (CAROL_IN_STAGING, "pods:list", "kube:staging/kube-system", False),
    (CAROL_IN_STAGING, "pods:list", "kube:production/shop", False),
    (CAROL_IN_STAGING, "certs:check", "kube:staging/shop", False),
    (CAROL_IN_STAGING, "ssm:get", "/development/x", False),
    # several roles: the allows add up, the deny still wins
    (DAVE, "ssm:put", "/development/app/key", True),
    (DAVE, "ssm:put", "/development/locked/key", False),
    (DAVE, "ssm:get", "/development/locked/key", True),
    (DAVE, "ssm:get", "/production/app/key", True),
    (DAVE, "pods:list", "kube:production/app-web", True),
    (DAVE, "pods:list", "kube:production/kube-system", False),
    # web API tokens, hashed or plain
    (WIDGET, "ssm:put", "/development/app/key", True),
    (PLAIN_WIDGET, "pods:list", "kube:production/app-web", True),
    (PLAIN_WIDGET, "ssm:get", "/development/app/key", False),
    # roles claimed by the principal itself are not trusted
    (MALLORY, "ssm:get", "/development/db/password", False),
    # everyone's role; unscoped actions need an allow on "*"
    (ANONYMOUS, "velero:status", "*", True),
    (ANONYMOUS, "ssm:get", "/development/db/password", False),
    (ALICE, "velero:status", "*", True),
    (CAROL_IN_STAGING, "pods:list", "*", False),
]


@pytest.mark.parametrize(("principal", "permission", "resource", "allowed"), MATRIX)
def test_matrix(policy: Policy, principal: Principal, permission: str, resource: str, allowed: bool) -> None:
    decision = policy.check(principal, permission, resource)
    assert decision.allowed is allowed, decision.reason


def policy_path_without_everyone(policy: Policy) -> Path:
    source = Path(policy.source)
    trimmed = source.with_name("no-everyone.yaml")
    trimmed.write_text(source.read_text().replace('  - principals: ["*"]\n    roles: [help-desk]\n', ""))
    return trimmed


def test_open_actions_are_open_to_everyone(policy: Policy) -> None:
    decision = policy.check(ANONYMOUS, None)
    assert decision.allowed and decision.missing is None
    assert Policy.deny_all_infrastructure().check(ANONYMOUS, None).allowed


def test_denial_names_the_missing_permission_and_roles(policy: Policy) -> None:
    decision = policy.check(ALICE, "ssm:put", "/production/db/password")
    assert decision.missing == "ssm:put on /production/db/password"
    assert decision.reason == "your roles ssm-prod-readonly, help-desk do not grant it"
    nobody = policy.check(Principal(id="UNOBODY", channel="slack"), "pods:list", "kube:staging/shop")
    assert nobody.reason == "your roles help-desk do not grant it"
    stranger = Policy.load(policy_path_without_everyone(policy))
    assert stranger.check(ANONYMOUS, "ssm:get", "/x").reason == "you hold no role that grants it"


def test_explicit_deny_is_explained(policy: Policy) -> None:
    decision = policy.check(DAVE, "ssm:put", "/development/locked/key")
    assert not decision.allowed
    assert decision.reason == "it is explicitly denied to role ssm-dev-locked"
    assert decision.missing == "ssm:put on /development/locked/key"


def test_an_unscoped_call_meets_every_deny_of_its_permission(policy: Policy) -> None:
    # kube-staging-operator denies everything in kube-system; a pods call that names no
    # namespace cannot prove it stays out of it.
    assert not policy.check(CAROL_IN_STAGING, "pods:list", "*").allowed


def test_roles_for(policy: Policy) -> None:
    assert policy.roles_for(DAVE) == ("ssm-prod-readonly", "ssm-dev-readwrite", "ssm-dev-locked", "kube-prod-viewer", "help-desk")
    assert policy.roles_for(ANONYMOUS) == ("help-desk",)


def test_deny_all_infrastructure_says_why() -> None:
    decision = Policy.deny_all_infrastructure().check(DAVE, "ssm:get", "/development/x")
    assert not decision.allowed
    assert "no access policy is configured" in decision.reason
    assert decision.missing == "ssm:get on /development/x"


def test_load_policy_from_settings(policy_path: Path) -> None:
    assert load_policy(SecuritySettings()).disabled_reason is not None
    assert load_policy(SecuritySettings(policy_file=str(policy_path))).check(ALICE, "ssm:get", "/production/a").allowed


def test_check_permissions_catches_typos(policy: Policy) -> None:
    known = ["ssm:get", "ssm:list", "ssm:history", "ssm:put", "pods:list", "certs:rotate", "velero:status"]
    policy.check_permissions(known)
    with pytest.raises(ConfigError, match=r"policy.yaml:\d+: role kube-staging-operator: 'pods:\*' matches no"):
        policy.check_permissions(["ssm:get", "ssm:list", "ssm:history", "ssm:put", "certs:rotate", "velero:status"])


def test_the_example_policy_is_valid_for_the_registered_actions() -> None:
    from handlers import TABLE_MODULES, load_tables

    example = Policy.load(Path(__file__).parents[2] / "deploy" / "policy.example.yaml")
    permissions = [a.access for t in load_tables(list(TABLE_MODULES)) for a in t.actions.values() if a.access]
    example.check_permissions(permissions)
    ana = Principal(id="ana", channel="cli")
    assert example.check(ana, "ssm:put", "/development/db/password").allowed
    assert not example.check(ana, "ssm:put", "/production/db/password").allowed
    assert not example.check(ana, "pods:list", "kube:staging/kube-system").allowed
