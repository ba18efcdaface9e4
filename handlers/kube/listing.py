"""Listing pods page by page (limit/continue): a summary over all of them, rows for the first few,
and the point where the table stopped, so "show more" can pick up there."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any, AsyncIterator, Callable, Mapping

from handlers.kube import k8s
from handlers.kube.clusters import Cluster
from handlers.kube.podview import CRASHLOOP, PodRow, Summary, row, state


@dataclass(frozen=True)
class PodQuery:
    """What was asked: a namespace (None: all), a canonical label selector, and a state ('' for any)."""

    namespace: str | None
    selector: str = ""
    status: str = ""

    @property
    def field_selector(self) -> str:
        # Phases filter on the server; CrashLoopBackOff is a container state, so it filters here.
        return f"status.phase={self.status}" if self.status and self.status != CRASHLOOP else ""

    def matches(self, pod: Mapping[str, Any]) -> bool:
        return self.status != CRASHLOOP or state(pod) == CRASHLOOP

    @property
    def where(self) -> str:
        return "all namespaces" if self.namespace is None else f"namespace {self.namespace}"


@dataclass(frozen=True)
class Resume:
    """Where the next table row is: the continue token of its page ('' for the first page) and its index."""

    token: str
    skip: int


@dataclass
class Listing:
    rows: list[PodRow] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)
    resume: Resume | None = None
    truncated: bool = False


async def paged(
    cluster: Cluster, method: Callable[..., Any], *args: Any, page_size: int, token: str = "", **kwargs: Any
) -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """Yield (the token that fetched the page, its items) for every page of a list call."""
    while True:
        body = await cluster.call(method, *args, limit=page_size, _continue=token or None, **kwargs)
        yield token, body.get("items") or []
        token = (body.get("metadata") or {}).get("continue") or ""
        if not token:
            return


def _pods(cluster: Cluster, query: PodQuery, *, page_size: int, token: str = "") -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    core = k8s.CoreV1Api(cluster.api)
    method = core.list_pod_for_all_namespaces if query.namespace is None else partial(core.list_namespaced_pod, query.namespace)
    return paged(
        cluster, method, page_size=page_size, token=token,
        label_selector=query.selector or None, field_selector=query.field_selector or None,
    )


async def list_pods(cluster: Cluster, query: PodQuery, *, page_size: int, rows: int, max_pods: int) -> Listing:
    """Walk every page once: count everything, keep ``rows`` rows and where the next one is."""
    listing = Listing()
    async for token, items in _pods(cluster, query, page_size=page_size):
        for index, pod in enumerate(items):
            if not query.matches(pod):
                continue
            if listing.summary.total >= max_pods:
                listing.truncated = True
                return listing
            listing.summary.add(pod)
            if len(listing.rows) < rows:
                listing.rows.append(row(pod))
            elif listing.resume is None:
                listing.resume = Resume(token, index)
    return listing


async def more_pods(cluster: Cluster, query: PodQuery, resume: Resume, *, page_size: int, rows: int) -> Listing:
    """The next ``rows`` rows from ``resume``, reading only the pages they are on."""
    listing = Listing()
    first = True
    async for token, items in _pods(cluster, query, page_size=page_size, token=resume.token):
        start, first = (resume.skip if first else 0), False
        for index in range(start, len(items)):
            if not query.matches(items[index]):
                continue
            if len(listing.rows) == rows:
                listing.resume = Resume(token, index)
                return listing
            listing.rows.append(row(items[index]))
    return listing
