"""The access-policy seam the dispatcher checks before a handler runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chatops.models import Principal


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


class AccessPolicy(Protocol):
    def check(self, principal: Principal, permission: str, resource: str) -> Decision:
        """May ``principal`` use ``permission`` on ``resource``?"""


@dataclass(frozen=True)
class PermissionSet:
    """A policy that grants a fixed set of permissions to everyone ("*" grants all).

    Used where no policy file applies: with no permissions it denies every
    infrastructure action, which is the safe default.
    """

    permissions: frozenset[str] = frozenset()

    def check(self, principal: Principal, permission: str, resource: str) -> Decision:
        if "*" in self.permissions or permission in self.permissions:
            return Decision(True)
        return Decision(False, "No access policy grants it.")
