"""Handler tables: handlers register by action name with a decorator that validates at import time.

Each ``handlers/*.py`` module builds its own ``HandlerTable``; the server
includes the tables it is configured to load. A table may also declare
resources (clients) that the server opens and closes with the app.
"""

from __future__ import annotations

import inspect
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Mapping, Protocol, TypeVar

from chatops.config import Settings
from chatops.models import Context, Principal, Reply

if TYPE_CHECKING:
    from chatops.store.base import Job, Store

T = TypeVar("T")


class Resources:
    """Clients a handler may use, looked up by their type (so tests inject fakes or test servers)."""

    def __init__(self, items: Mapping[type, Any] | None = None) -> None:
        self._items: dict[type, Any] = dict(items or {})

    def get(self, kind: type[T]) -> T:
        try:
            return self._items[kind]  # type: ignore[no-any-return]
        except KeyError:
            raise LookupError(f"no resource of type {kind.__name__} is configured") from None

    def add(self, kind: type[T], value: T) -> None:
        self._items[kind] = value

    def __contains__(self, kind: type) -> bool:
        return kind in self._items


class JobControl(Protocol):
    """Lets a handler start long-running work that outlives the turn (and a restart)."""

    async def start(self, kind: str, parameters: Mapping[str, Any], *, call: HandlerCall) -> Job: ...


Notify = Callable[[Reply], Awaitable[None]]


@dataclass(frozen=True)
class JobContext:
    """What a job follower gets: where to report progress and how to save its checkpoint."""

    store: Store
    resources: Resources
    settings: Settings
    notify: Notify
    checkpoint: Callable[[Job], Awaitable[None]]


JobFollower = Callable[["Job", JobContext], Awaitable[None]]


@dataclass(frozen=True)
class HandlerCall:
    """Everything a handler gets: typed parameters, who asked, and the clients it may use."""

    action: str
    parameters: Mapping[str, Any]
    principal: Principal
    session: str
    resources: Resources
    store: Store
    settings: Settings
    contexts: tuple[Context, ...] = ()
    query_text: str = ""
    confirmed: bool = False
    language: str = "en"
    jobs: JobControl | None = None
    request_id: str = ""

    def param(self, name: str, default: Any = None) -> Any:
        """A parameter's value, with empty strings and empty lists counting as absent."""
        value = self.parameters.get(name)
        return default if value in (None, "", [], {}) else value


@dataclass(frozen=True)
class PlanOnly(Reply):
    """What a plan returns when the plan is the whole answer (a dry run was asked for).

    The dispatcher shows it as it is and asks nothing: there is nothing to confirm.
    """


Handler = Callable[[HandlerCall], Awaitable[Reply]]
ResourceOf = Callable[[Mapping[str, Any]], str]
ResourceFactory = Callable[[Settings], AbstractAsyncContextManager[Any]]


@dataclass(frozen=True)
class Action:
    """A registered action: its handler and what the dispatcher must check before calling it."""

    name: str
    handler: Handler
    access: str | None = None
    confirm: bool = False
    plan: Handler | None = None
    table: str = ""
    resource: ResourceOf | None = None

    def resource_of(self, parameters: Mapping[str, Any]) -> str:
        """What the call acts on, for the access policy; ``*`` when the action is not scoped.

        The action's resource function may raise ``InputError`` for a malformed
        parameter, so a bad path is explained before any policy decision.
        """
        return self.resource(parameters) if self.resource is not None else "*"


@dataclass
class HandlerTable:
    """A named table of actions and the resources they need."""

    name: str
    actions: dict[str, Action] = field(default_factory=dict)
    resources: dict[type, ResourceFactory] = field(default_factory=dict)
    followers: dict[str, JobFollower] = field(default_factory=dict)

    def action(
        self,
        name: str,
        *,
        access: str | None = None,
        confirm: bool = False,
        plan: Handler | None = None,
        resource: ResourceOf | None = None,
    ) -> Callable[[Handler], Handler]:
        """Register ``async def handler(call) -> Reply`` under ``name``; returns it unchanged.

        ``access`` is the permission the policy must grant (None: open to everyone);
        ``confirm`` makes the dispatcher ask before running it, showing ``plan``'s reply
        (or a generic description) first. ``resource`` maps the call's parameters to what it
        acts on (``lambda p: p["path"]``, ``kube:<cluster>/<namespace>``) so the policy can
        scope the permission; without it the action is unscoped (``*``).
        """
        if name in self.actions:
            raise ValueError(f"handler table {self.name!r}: action {name!r} is registered twice")
        if plan is not None and not inspect.iscoroutinefunction(plan):
            raise TypeError(f"handler table {self.name!r}: plan for {name!r} must be an async function")

        def register(handler: Handler) -> Handler:
            if not inspect.iscoroutinefunction(handler):
                raise TypeError(f"handler table {self.name!r}: handler for {name!r} must be an async function")
            self.actions[name] = Action(
                name, handler, access=access, confirm=confirm, plan=plan, table=self.name, resource=resource
            )
            return handler

        return register

    def resource(self, kind: type[T]) -> Callable[[ResourceFactory], ResourceFactory]:
        """Register a factory ``settings -> async context manager yielding a kind``."""

        def register(factory: ResourceFactory) -> ResourceFactory:
            if kind in self.resources:
                raise ValueError(f"handler table {self.name!r}: resource {kind.__name__} is registered twice")
            self.resources[kind] = factory
            return factory

        return register


    def job(self, kind: str) -> Callable[[JobFollower], JobFollower]:
        """Register ``async def follow(job, ctx)``: runs a job of ``kind``, also when resumed after a restart."""

        def register(follower: JobFollower) -> JobFollower:
            if not inspect.iscoroutinefunction(follower):
                raise TypeError(f"handler table {self.name!r}: follower for job {kind!r} must be an async function")
            if kind in self.followers:
                raise ValueError(f"handler table {self.name!r}: job kind {kind!r} is registered twice")
            self.followers[kind] = follower
            return follower

        return register


class Registry:
    """The actions of every loaded table, by name."""

    def __init__(self, tables: list[HandlerTable]) -> None:
        self.tables = list(tables)
        self.actions: dict[str, Action] = {}
        self.followers: dict[str, JobFollower] = {}
        for table in tables:
            self.followers.update(table.followers)
            for name, action in table.actions.items():
                if name in self.actions:
                    raise ValueError(f"action {name!r} is registered by {self.actions[name].table!r} and {table.name!r}")
                self.actions[name] = action

    def get(self, name: str | None) -> Action | None:
        return self.actions.get(name) if name else None

    def __contains__(self, name: str) -> bool:
        return name in self.actions
