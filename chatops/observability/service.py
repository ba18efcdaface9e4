"""The service's own metrics: HTTP requests, matched intents, fallbacks, handler latency, jobs by state.

``ServiceMetrics`` is the dispatcher's observer (``chatops.fulfillment.dispatcher.Observer``)
and the HTTP middleware's sink. Label values are bounded: routes are the app's
route patterns, intents are the agent's intent names (a DialogFlow request may
name any intent; unknown names count as ``other``), actions are registered names.
"""

from __future__ import annotations

import asyncio
import time
from typing import Callable, Collection

from chatops.engine.dialogue import EngineTurn
from chatops.errors import ChatOpsError
from chatops.observability.metrics import Counter, Gauge, Histogram, Registry
from chatops.store.base import JOB_STATES, Store

OTHER = "other"
# A scrape reads at most this many jobs per state; more is a backlog an alert should see anyway.
JOB_SCAN_LIMIT = 10_000


class ServiceMetrics:
    """Every metric of one app, in one registry."""

    def __init__(self, *, jobs_cache_seconds: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.registry = Registry()
        add = self.registry.add
        self.requests = add(Counter(
            "chatops_http_requests_total", "HTTP requests by channel, route pattern, method and status.",
            ("channel", "route", "method", "status"),
        ))
        self.request_seconds = add(Histogram(
            "chatops_http_request_seconds", "Time to answer an HTTP request, by channel and route pattern.", ("channel", "route")
        ))
        self.in_flight = add(Gauge("chatops_http_requests_in_flight", "HTTP requests being answered now."))
        self.turns = add(Counter("chatops_turns_total", "Conversation turns fulfilled (typed, events and pre-matched)."))
        self.fallbacks = add(Counter("chatops_fallbacks_total", "Turns no intent matched; divide by chatops_turns_total for the rate."))
        self.intents = add(Counter("chatops_intents_matched_total", "Turns by matched intent (fallbacks excluded).", ("intent",)))
        self.action_seconds = add(Histogram(
            "chatops_action_seconds", "Handler run time by action and outcome.", ("action", "outcome")
        ))
        self.jobs = add(Gauge("chatops_jobs", "Jobs in the store by state, read at scrape time (cached briefly).", ("state",)))
        self.store_up = add(Gauge("chatops_store_up", "1 when the last scrape could read the store, else 0."))
        self.known_intents: Collection[str] = frozenset()
        self._store: Store | None = None
        self._jobs_cache_seconds = jobs_cache_seconds
        self._jobs_read_at = -float("inf")
        self._clock = clock
        self._refresh_lock = asyncio.Lock()

    def bind(self, store: Store, intents: Collection[str]) -> None:
        """Attach the opened runtime's store and agent (at start-up)."""
        self._store, self.known_intents = store, frozenset(intents)
        self._jobs_read_at = -float("inf")

    def unbind(self) -> None:
        self._store = None

    # dispatcher observer

    def turn(self, turn: EngineTurn) -> None:
        self.turns.inc()
        if turn.intent is None or turn.intent.fallback:
            self.fallbacks.inc()
        else:
            name = turn.intent.name
            self.intents.inc(name if name in self.known_intents else OTHER)

    def action(self, name: str, seconds: float, outcome: str) -> None:
        self.action_seconds.observe(seconds, name, outcome)

    # HTTP middleware

    def request(self, *, channel: str, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.inc(channel, route, method, str(status))
        self.request_seconds.observe(seconds, channel, route)

    # scrape

    async def render(self) -> str:
        await self._refresh_jobs()
        return self.registry.render()

    async def _refresh_jobs(self) -> None:
        async with self._refresh_lock:  # concurrent scrapes share one store read
            if self._store is None or self._clock() - self._jobs_read_at < self._jobs_cache_seconds:
                return
            try:
                counts = {state: len(await self._store.list_jobs(state=state, limit=JOB_SCAN_LIMIT)) for state in JOB_STATES}
            except ChatOpsError:
                self.store_up.set(0)
                return
            finally:
                self._jobs_read_at = self._clock()
            for state, count in counts.items():
                self.jobs.set(count, state)
            self.store_up.set(1)
