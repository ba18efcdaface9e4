"""Fixtures for the security tests: a policy covering every rule the matrix exercises."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.security.policy import Policy

POLICY_TEXT = """\
version: 1
roles:
  ssm-prod-readonly:
    statements:
      - effect: allow
        actions: [ssm:get, ssm:list, ssm:history]
        resources: ["/production/*"]
  ssm-dev-readwrite:
    statements:
      - effect: allow
        actions: ["ssm:*"]
        resources: ["/development/*"]
  ssm-dev-locked:
    statements:
      - effect: deny
        actions: [ssm:put]
        resources: ["/development/locked/*"]
  kube-staging-operator:
    statements:
      - effect: allow
        actions: ["pods:*", certs:rotate]
        resources: ["kube:staging/*"]
      - effect: deny
        actions: ["*"]
        resources: ["kube:*/kube-system"]
  kube-prod-viewer:
    statements:
      - effect: allow
        actions: [pods:list]
        resources: ["kube:production/app-*"]
  help-desk:
    statements:
      - effect: allow
        actions: [velero:status]
        resources: ["*"]
bindings:
  - principals: [slack:UALICE]
    roles: [ssm-prod-readonly]
  - principals: [email:Bob@Example.com]
    roles: [ssm-dev-readwrite]
  - principals: [slack-channel:CSTAGING]
    roles: [kube-staging-operator]
  - principals: [cli:dave]
    roles: [ssm-prod-readonly, ssm-dev-readwrite, ssm-dev-locked, kube-prod-viewer]
  - principals: [token-sha256:13806916d5b8dd1439af0b52929d2d61975e491c1c0e567a8d89fbe5d136f231]
    roles: [ssm-dev-readwrite]
  - principals: [token:plain-widget-token]
    roles: [kube-prod-viewer]
  - principals: ["*"]
    roles: [help-desk]
"""


@pytest.fixture
def policy_path(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY_TEXT)
    return path


@pytest.fixture
def policy(policy_path: Path) -> Policy:
    return Policy.load(policy_path)
