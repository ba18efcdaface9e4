"""One error hierarchy, sorted by what happens next.

Every error carries a chat-safe ``user_message`` (shown to the person chatting)
and a private ``detail`` (logged, never shown). Clients map upstream failures
to these once, at their boundary.
"""

from __future__ import annotations


class ChatOpsError(Exception):
    """Root of every error the service raises on purpose."""

    def __init__(self, user_message: str, *, detail: str | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.detail = detail or user_message


class InputError(ChatOpsError):
    """The request itself is wrong: bad JSON, a missing field, an invalid name."""


class NotFoundError(InputError):
    """The thing asked for does not exist."""


class AccessError(ChatOpsError):
    """The principal may not do this."""

    def __init__(self, user_message: str, *, permission: str | None = None, detail: str | None = None) -> None:
        super().__init__(user_message, detail=detail)
        self.permission = permission


class BackendError(ChatOpsError):
    """A system we depend on failed."""


class RetryableError(BackendError):
    """A backend failure that may go away: a timeout, a 5xx, throttling."""


class PermanentError(BackendError):
    """A backend failure that will not go away by retrying."""


class StoreUnavailable(RetryableError):
    """The state store cannot be reached."""


class AuditUnavailable(RetryableError):
    """An audit record could not be written, so the action it would record does not run."""


class AgentError(ChatOpsError):
    """The agent definition (intents/entities) is invalid; names the file and the field."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        super().__init__(f"{file}: {field}: {problem}")
        self.file = file
        self.field = field
        self.problem = problem


class ConfigError(ChatOpsError):
    """Settings or a configuration file (such as the access policy) are invalid."""
