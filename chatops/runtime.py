"""The assembled service: store, agent, NLU, engine, handlers and their clients, with one lifecycle.

The aiohttp app, the shell and the test harness all open a Runtime; nothing
here depends on a channel.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator, Mapping

from chatops.config import Settings
from chatops.engine.agent import Agent
from chatops.engine.dialogue import Engine
from chatops.engine.fulfillment_check import check_fulfillment
from chatops.engine.languages import other_language_engines
from chatops.engine.loader import load_agent
from chatops.engine.nlu import NLU
from chatops.engine.nlu.persist import language_model_path, load_or_train
from chatops.fulfillment.access import AccessPolicy
from chatops.fulfillment.conversation import Conversation, new_instance
from chatops.fulfillment.dispatcher import Dispatcher
from chatops.fulfillment.jobs import JobRunner
from chatops.fulfillment.registry import HandlerTable, Registry, Resources
from chatops.fulfillment.session_leases import FileLeases, SessionLeases, StoreLeases
from chatops.fulfillment.tasks import TaskGroup
from chatops.fulfillment.webhook import WebhookFulfillment
from chatops.fulfillment.webhook_client import WebhookTarget, open_webhook_client
from chatops.security import exposure
from chatops.security.masking import install_log_redaction
from chatops.security.policy import load_policy
from chatops.store import Store, create_store, sqlite_path
from handlers import load_tables

log = logging.getLogger(__name__)

BUILTIN_ACTIONS = frozenset({"dialog.cancel", "confirm.yes", "confirm.no"})


def session_leases(settings: Settings, store: Store, owner: str) -> SessionLeases | None:
    """How a session's turns exclude each other in other processes that run turns on this store.

    Replicas on MongoDB take the store's leases; workers on one SQLite file lock bytes of a file beside
    it. One process needs neither: its own locks suffice (the lease's round trips were a seventh of a
    turn under load).
    """
    if settings.store.url.startswith("mongodb"):
        return StoreLeases(store, owner)
    if settings.server.workers <= 1:
        return None
    path = sqlite_path(settings.store.url)
    return FileLeases(f"{path}.leases") if path not in (None, ":memory:") else StoreLeases(store, owner)


@dataclass
class Runtime:
    settings: Settings
    agent: Agent
    nlu: NLU
    registry: Registry
    store: Store
    resources: Resources
    engine: Engine
    dispatcher: Dispatcher
    conversation: Conversation
    jobs: JobRunner
    tasks: TaskGroup

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        settings: Settings,
        *,
        resources: Mapping[type, Any] | None = None,
        policy: AccessPolicy | None = None,
        store: Store | None = None,
        resume_jobs: bool = True,
        tables: list[HandlerTable] | None = None,
        nlu: NLU | None = None,
    ) -> AsyncIterator[Runtime]:
        """Build and open everything; the keyword arguments replace the configured parts (tests)."""
        registry = Registry(tables if tables is not None else load_tables(settings.engine.handlers))
        agent = load_agent(settings.engine.agent_dir or None)
        handlers = set(registry.actions) | BUILTIN_ACTIONS
        target = WebhookTarget.resolve(agent.webhook, settings.fulfillment)
        for warning in check_fulfillment(agent, handlers, has_url=target is not None).warnings:
            log.warning("agent: %s", warning)
        nlu = nlu or await asyncio.to_thread(load_or_train, agent, settings.engine.model_path or None)
        engine = Engine(
            agent, nlu, threshold=settings.engine.confidence_threshold, idle_seconds=settings.engine.session_idle_seconds
        )
        model_path = settings.engine.model_path

        def train_language(translated: Agent, language: str) -> NLU:
            return load_or_train(translated, language_model_path(model_path, language) or None)

        languages = await asyncio.to_thread(other_language_engines, agent, engine, train_language)
        async with AsyncExitStack() as stack:
            stack.callback(install_log_redaction())
            store = store or create_store(settings.store)
            await store.open()
            stack.push_async_callback(store.close)
            opened = Resources(resources)
            for table in registry.tables:
                for kind, factory in table.resources.items():
                    if kind not in opened:
                        opened.add(kind, await stack.enter_async_context(factory(settings)))
            tasks = TaskGroup()
            webhook = None
            if target is not None:
                client = await stack.enter_async_context(open_webhook_client(target))
                webhook = WebhookFulfillment(client, agent, handlers=handlers, settings=settings.fulfillment)
            dispatcher = Dispatcher(
                registry, store=store, settings=settings, resources=opened, webhook=webhook,
                policy=policy or _policy(settings, registry, webhook=webhook is not None),
            )
            instance = new_instance()
            leases = session_leases(settings, store, instance)
            if isinstance(leases, FileLeases):
                stack.callback(leases.close)
            conversation = Conversation(engine, dispatcher, store, instance=instance, leases=leases, languages=languages)
            jobs = JobRunner(
                registry, store=store, resources=opened, settings=settings,
                notify=conversation.notify_job, owner=conversation.instance,
                lease_seconds=settings.engine.job_lease_seconds,
            )
            stack.push_async_callback(jobs.stop)
            dispatcher.jobs = jobs
            runtime = cls(settings, agent, nlu, registry, store, opened, engine, dispatcher, conversation, jobs, tasks)
            if resume_jobs:
                resumed = await jobs.resume_all()
                if resumed:
                    log.info("resumed %d unfinished job(s)", resumed)
                jobs.start_sweeping()
            try:
                yield runtime
            finally:
                await tasks.drain(timeout=5.0)


def _policy(settings: Settings, registry: Registry, *, webhook: bool) -> AccessPolicy:
    policy = load_policy(settings.security)
    permissions = [action.access for action in registry.actions.values() if action.access]
    policy.check_permissions([*permissions, settings.fulfillment.permission] if webhook else permissions)
    exposure.check_bindings(policy, settings)
    changing = (action.access for action in registry.actions.values() if action.confirm and action.access)
    for warning in exposure.warnings(settings, policy, changing):
        log.warning("unsafe configuration: %s", warning)
    return policy
