"""The access policy: who holds which roles, and what each role may do on which resources.

It reads like an IAM policy. Principals (a Slack user, an email, a Slack
channel, a web API token, or any channel's user id) are bound to roles; a role
is a list of allow/deny statements of permissions (``ssm:get``, ``pods:*``) on
resource patterns (``/production/*``, ``kube:staging/*``). An explicit deny
wins over any allow; a permission nobody allowed is denied. Actions registered
without a permission (jokes, prices, help) are open to everyone.

The file format and its validation live in ``chatops.security.policy_file``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable, Literal, Mapping, Sequence

from chatops.config import SecuritySettings
from chatops.errors import ConfigError
from chatops.models import Principal

UNSCOPED = "*"
# Principal kinds with a meaning of their own; any other kind names a channel ("cli:alice").
SLACK_USER, SLACK_CHANNEL, EMAIL, TOKEN, TOKEN_SHA256, EVERYONE = (
    "slack", "slack-channel", "email", "token", "token-sha256", "*",
)


def glob_regex(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """``*`` matches any run of characters (``/`` included, as in IAM), ``?`` one character."""
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.IGNORECASE if ignore_case else 0)


@dataclass(frozen=True)
class Statement:
    """Allow or deny some permissions on some resources."""

    effect: Literal["allow", "deny"]
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    line: int = 0

    @cached_property
    def _action_res(self) -> tuple[re.Pattern[str], ...]:
        return tuple(glob_regex(a, ignore_case=True) for a in self.actions)

    @cached_property
    def _resource_res(self) -> tuple[re.Pattern[str], ...]:
        return tuple(glob_regex(r) for r in self.resources)

    def names(self, permission: str) -> bool:
        return any(rx.fullmatch(permission) for rx in self._action_res)

    def covers(self, resource: str) -> bool:
        # An unscoped call cannot be proven outside a deny's resources, so every deny of
        # the permission applies to it; only an allow on "*" grants it.
        if resource == UNSCOPED:
            return self.effect == "deny" or UNSCOPED in self.resources
        return any(rx.fullmatch(resource) for rx in self._resource_res)


@dataclass(frozen=True)
class Role:
    name: str
    statements: tuple[Statement, ...]
    description: str = ""


@dataclass(frozen=True)
class PrincipalPattern:
    """One entry of a binding's ``principals``: ``kind:value`` or ``*``."""

    kind: str
    value: str = ""

    def matches(self, principal: Principal) -> bool:
        if self.kind == EVERYONE:
            return True
        if self.kind == EMAIL:
            return (principal.email or "").lower() == self.value.lower()
        if self.kind == SLACK_CHANNEL:
            return principal.channel == "slack" and principal.channel_id == self.value
        if self.kind in (TOKEN, TOKEN_SHA256):
            return self._token_matches(principal.token)
        return principal.verified and principal.channel == self.kind and principal.id == self.value

    def _token_matches(self, token: str | None) -> bool:
        if not token:
            return False
        # Compare in constant time: a token is a credential.
        if self.kind == TOKEN_SHA256:
            return hmac.compare_digest(hashlib.sha256(token.encode()).hexdigest(), self.value.lower())
        return hmac.compare_digest(token.encode(), self.value.encode())


@dataclass(frozen=True)
class Binding:
    principals: tuple[PrincipalPattern, ...]
    roles: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class Decision:
    """The policy's answer; ``reason`` says why, ``missing`` what was lacking (both chat-readable)."""

    allowed: bool
    reason: str
    permission: str | None = None
    resource: str = UNSCOPED
    roles: tuple[str, ...] = ()

    @property
    def missing(self) -> str | None:
        """The permission a denied principal lacks, as ``ssm:put on /production/db``."""
        if self.allowed or self.permission is None:
            return None
        return self.permission if self.resource == UNSCOPED else f"{self.permission} on {self.resource}"


@dataclass(frozen=True)
class Policy:
    """Roles and bindings, evaluated with explicit deny winning."""

    roles: Mapping[str, Role] = field(default_factory=dict)
    bindings: tuple[Binding, ...] = ()
    source: str = "<policy>"
    # Why everything is denied when nothing is configured; None for a loaded file.
    disabled_reason: str | None = None

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        """Read and validate a policy file; raises ``PolicyError`` (a ``ConfigError``) naming file and line."""
        from chatops.security.policy_file import load_policy_file

        return load_policy_file(Path(path))

    @classmethod
    def deny_all_infrastructure(cls) -> Policy:
        """The policy without a file: open actions stay open, every permission is denied."""
        return cls(
            source="<no policy>",
            disabled_reason="no access policy is configured (CHATOPS_POLICY), so infrastructure actions are disabled",
        )

    def roles_for(self, principal: Principal) -> tuple[str, ...]:
        """The roles bound to the principal, in policy order (``Principal.roles`` is not trusted)."""
        found: dict[str, None] = {}
        for binding in self.bindings:
            if any(p.matches(principal) for p in binding.principals):
                found.update(dict.fromkeys(binding.roles))
        return tuple(found)

    def check(self, principal: Principal, permission: str | None, resource: str = UNSCOPED) -> Decision:
        """May ``principal`` use ``permission`` on ``resource``? Explicit deny wins; default deny."""
        if permission is None:
            return Decision(True, "open to everyone")
        roles = self.roles_for(principal)
        relevant = [(r, s) for r in roles for s in self.roles[r].statements if s.names(permission) and s.covers(resource)]
        denied_by = next((role for role, s in relevant if s.effect == "deny"), None)
        allowed_by = next((role for role, s in relevant if s.effect == "allow"), None)
        if denied_by is not None:
            reason = f"it is explicitly denied to role {denied_by}"
        elif allowed_by is not None:
            reason = f"allowed by role {allowed_by}"
        else:
            reason = self._denied_reason(permission, resource, roles)
        allowed = denied_by is None and allowed_by is not None
        return Decision(allowed, reason, permission=permission, resource=resource, roles=roles)

    def _denied_reason(self, permission: str, resource: str, roles: Sequence[str]) -> str:
        if self.disabled_reason:
            return self.disabled_reason
        return f"your roles {', '.join(roles)} do not grant it" if roles else "you hold no role that grants it"

    def check_permissions(self, known: Iterable[str]) -> None:
        """Fail on statements naming no registered permission (a typo grants nothing, silently)."""
        known = [k for k in known if k]
        for role in self.roles.values():
            for statement in role.statements:
                for action in statement.actions:
                    if not any(glob_regex(action, ignore_case=True).fullmatch(k) for k in known):
                        raise ConfigError(
                            f"{self.source}:{statement.line}: role {role.name}: {action!r} matches no known "
                            f"permission (known: {', '.join(sorted(set(known)))})"
                        )


def load_policy(settings: SecuritySettings) -> Policy:
    """The configured policy file, or ``deny_all_infrastructure`` when none is set."""
    return Policy.load(settings.policy_file) if settings.policy_file else Policy.deny_all_infrastructure()
