"""The demo policy grants what the demo page suggests, and refuses writes under /production."""

from __future__ import annotations

from importlib import resources

import pytest

from chatops.models import Principal
from chatops.security.policy import Policy

WIDGET_USER = Principal(id="anonymous", channel="web", token=None, verified=False)


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    path = tmp_path_factory.mktemp("demo") / "policy.yaml"
    path.write_text(resources.files("chatops.demo").joinpath("policy.yaml").read_text())
    return Policy.load(path)


@pytest.mark.parametrize(("permission", "resource"), [
    ("pods:list", "kube:demo-prod/shop"), ("pods:diagnose", "kube:demo-prod/shop"), ("certs:check", "kube:demo-prod/*"),
    ("certs:rotate", "kube:demo-prod/*"), ("velero:migrate", "kube:demo-dr/wordpress"), ("velero:status", "*"),
    ("pods:list", "*"),
    ("ssm:get", "/development/db/password"), ("ssm:get", "/production/db/password"),
])
def test_the_demo_user_may_do_what_the_page_suggests(policy: Policy, permission: str, resource: str) -> None:
    assert policy.check(WIDGET_USER, permission, resource).allowed


@pytest.mark.parametrize(("permission", "resource"), [
    ("ssm:put", "/production/db/password"), ("ssm:put", "/development/db/password"),
])
def test_the_demo_user_may_not_write_secrets(policy: Policy, permission: str, resource: str) -> None:
    assert not policy.check(WIDGET_USER, permission, resource).allowed
