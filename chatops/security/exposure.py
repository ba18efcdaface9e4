"""What the settings leave open to an outsider: refusals and warnings at start-up.

A policy binding is only as strong as the identity it names. Some channels let
the caller name itself: the web ``user`` always, a DialogFlow webhook when it
has no credential. Binding such an identity would hand its roles to anyone, so
the service refuses to start with one. Other combinations are legal but risky
(an open REST API on a public address, a token that sits in every visitor's
page allowed to change things); those are warned about.
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Iterable

from chatops.config import Settings
from chatops.errors import ConfigError
from chatops.models import Principal
from chatops.security.policy import Policy

DIALOGFLOW_CREDENTIAL = (
    "set CHATOPS_DIALOGFLOW_USER and CHATOPS_DIALOGFLOW_PASSWORD (or CHATOPS_DIALOGFLOW_HEADER and "
    "CHATOPS_DIALOGFLOW_HEADER_VALUE) so that only DialogFlow can call the webhook"
)


def caller_chosen(settings: Settings) -> dict[str, str]:
    """Channel kinds whose user ids the caller picks in this configuration, with what would make them trustworthy.

    ``web:`` and ``api:`` are caller-chosen in every configuration; the policy file loader refuses them itself.
    """
    return {} if settings.dialogflow.authenticated else {"dialogflow": DIALOGFLOW_CREDENTIAL}


def check_bindings(policy: Policy, settings: Settings) -> None:
    """Refuse a policy that binds an identity the caller can choose."""
    kinds = caller_chosen(settings)
    for binding in policy.bindings:
        for pattern in binding.principals:
            if pattern.kind in kinds:
                raise ConfigError(
                    f"{policy.source}:{binding.line}: binding: {pattern.kind} user ids are chosen by the caller "
                    f"in this configuration, so this binding would grant its roles to anyone; {kinds[pattern.kind]}"
                )


def warnings(settings: Settings, policy: Policy, changing: Iterable[str]) -> list[str]:
    """Readable warnings for risky but legal combinations, for the start-up log.

    ``changing`` are the permissions of actions that change something (those that ask for confirmation).
    """
    found = []
    public = not _loopback(settings.server.host)
    if public and not settings.server.api_tokens:
        found.append(
            f"the REST API and the widget listen on {settings.server.host} without API tokens (CHATOPS_API_TOKENS): "
            "anyone who reaches the port can chat"
        )
    if public and not settings.observability.metrics_token:
        found.append(f"/metrics is open on {settings.server.host}; set CHATOPS_METRICS_TOKEN")
    if public and not settings.dialogflow.authenticated:
        found.append(f"the DialogFlow webhook accepts any caller; {DIALOGFLOW_CREDENTIAL}")
    found.extend(_widget_grants(settings, policy, sorted(set(changing))))
    return found


def _widget_grants(settings: Settings, policy: Policy, changing: list[str]) -> list[str]:
    found = []
    for token in settings.server.widget_tokens:
        holder = Principal(id="widget", channel="web", token=token, verified=False)
        granted = [p for p in changing if _may_ever(policy, holder, p)]
        if granted:
            fingerprint = hashlib.sha256(token.encode()).hexdigest()[:16]
            found.append(
                f"the widget token {fingerprint}... (CHATOPS_WIDGET_TOKENS) is granted {', '.join(granted)}; a widget "
                "token is readable in every visitor's page, so grant it read-only permissions"
            )
    return found


def _may_ever(policy: Policy, principal: Principal, permission: str) -> bool:
    """Whether any allow statement of the principal's roles names the permission (on any resource)."""
    return any(
        s.effect == "allow" and s.names(permission)
        for role in policy.roles_for(principal)
        for s in policy.roles[role].statements
    )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
