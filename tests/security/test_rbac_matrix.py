"""Role × permission × resource, for every policy file we ship or test with, against the file's own meaning.

The reference reads the YAML with nothing of the project's code: a role allows
a permission on a resource when one of its allow statements names both and no
deny statement does (IAM's rule: an explicit deny wins, nothing is allowed by
default). An unscoped call (``*``) is allowed only by an allow on ``*`` and is
hit by every deny of its permission, since it cannot be shown to lie outside it.
"""

from __future__ import annotations

import fnmatch
import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml

import handlers
from chatops.config import load_settings
from chatops.models import Principal
from chatops.security.policy import Binding, Policy, PrincipalPattern
from tests.security.conftest import POLICY_TEXT

ROOT = Path(__file__).resolve().parents[2]
FILES = {"deploy/policy.example.yaml": (ROOT / "deploy" / "policy.example.yaml").read_text(), "tests/security": POLICY_TEXT}
PERMISSIONS = sorted({
    a.access for t in handlers.load_tables(load_settings(env={}).engine.handlers) for a in t.actions.values() if a.access
})
RESOURCES = [
    "*", "/production/db/password", "/production/", "/development/api/key", "/development/locked/key", "/staging/x",
    "kube:staging/app", "kube:staging/kube-system", "kube:staging/velero", "kube:production/app-web",
    "kube:production/payments", "kube:dr/velero", "kube:production/kube-system",
]


def glob(pattern: str, text: str, *, fold: bool) -> bool:
    return fnmatch.fnmatchcase(text.lower() if fold else text, pattern.lower() if fold else pattern)


def reference(role: dict[str, Any], permission: str, resource: str) -> bool:
    def hits(statement: dict[str, Any]) -> bool:
        actions = statement["actions"] if isinstance(statement["actions"], list) else [statement["actions"]]
        resources = statement["resources"] if isinstance(statement["resources"], list) else [statement["resources"]]
        if not any(glob(a, permission, fold=True) for a in actions):
            return False
        if resource == "*":
            return statement["effect"] == "deny" or "*" in resources
        return any(glob(r, resource, fold=False) for r in resources)

    relevant = [s for s in role["statements"] if hits(s)]
    return any(s["effect"] == "allow" for s in relevant) and not any(s["effect"] == "deny" for s in relevant)


CASES = [
    (name, role, permission, resource)
    for name, text in FILES.items()
    for role in sorted(yaml.safe_load(text)["roles"])
    for permission, resource in itertools.product(PERMISSIONS, RESOURCES)
]


@pytest.fixture(scope="module")
def policies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Policy]:
    loaded = {}
    for name, text in FILES.items():
        path = tmp_path_factory.mktemp("policy") / "policy.yaml"
        path.write_text(text)
        loaded[name] = Policy.load(path)
    return loaded


def test_the_matrix_is_not_empty() -> None:
    assert len(PERMISSIONS) >= 10 and len(CASES) > 1000


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_role_decides_as_its_statements_say(policies: dict[str, Policy], name: str) -> None:
    roles = yaml.safe_load(FILES[name])["roles"]
    probe = Principal(id="probe", channel="cli")
    wrong = []
    for role in sorted(roles):
        # The role alone, held by one principal, so no other binding of the file can blur the answer.
        alone = Policy(roles=policies[name].roles, bindings=(Binding((PrincipalPattern("cli", "probe"),), (role,)),))
        for permission, resource in itertools.product(PERMISSIONS, RESOURCES):
            expected = reference(roles[role], permission, resource)
            if alone.check(probe, permission, resource).allowed != expected:
                wrong.append(f"{role} {permission} {resource}: expected {'allow' if expected else 'deny'}")
    assert not wrong, "\n".join(wrong)


def test_a_principal_with_several_roles_is_denied_by_any_of_their_denies(policies: dict[str, Policy]) -> None:
    dave = Principal(id="dave", channel="cli")  # bound to readers, a writer and a lock in the test policy
    policy = policies["tests/security"]
    assert policy.check(dave, "ssm:put", "/development/api/key").allowed
    assert not policy.check(dave, "ssm:put", "/development/locked/key").allowed
    assert not policy.check(dave, "ssm:put", "/production/db/password").allowed
    assert not policy.check(Principal(id="nobody", channel="cli"), "ssm:get", "/development/x").allowed
