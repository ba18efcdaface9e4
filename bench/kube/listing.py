"""Ways to summarise every pod of a cluster, timed and traced for peak memory.

The baseline is what the generated client invites: one unpaged list call
deserialised into ``V1Pod`` models. The others separate the two choices the
handler makes: paging (limit/continue) and reading raw JSON instead of models.
"""

from __future__ import annotations

import math
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from typing import Awaitable, Callable

from kubernetes_asyncio.client import CoreV1Api, V1Pod

from handlers.kube.clusters import Cluster
from handlers.kube.listing import PodQuery, list_pods


@dataclass(frozen=True)
class Result:
    pods: int
    requests: int
    seconds: float
    peak_bytes: int


def _model_state(pod: V1Pod) -> str:
    for status in pod.status.container_statuses or []:
        if status.state and status.state.waiting and status.state.waiting.reason == "CrashLoopBackOff":
            return "CrashLoopBackOff"
    return pod.status.phase or "Unknown"


async def models(cluster: Cluster, page_size: int) -> tuple[int, int]:
    """Summarise through the generated models; page_size 0 means one unpaged request."""
    core, token, requests, states, restarts = CoreV1Api(cluster.api), None, 0, Counter[str](), 0
    while True:
        page = await core.list_pod_for_all_namespaces(limit=page_size or None, _continue=token)
        requests += 1
        for pod in page.items:
            states[_model_state(pod)] += 1
            restarts += sum(s.restart_count for s in pod.status.container_statuses or [])
        token = page.metadata._continue
        if not token:
            return sum(states.values()), requests


async def handler_path(cluster: Cluster, page_size: int) -> tuple[int, int]:
    """What pods.list does: raw JSON pages, counters only, the first rows kept."""
    listing = await list_pods(cluster, PodQuery(None), page_size=page_size or 1_000_000, rows=20, max_pods=10**9)
    return listing.summary.total, math.ceil(listing.summary.total / page_size) if page_size else 1


Variant = Callable[[Cluster, int], Awaitable[tuple[int, int]]]


async def measure(cluster: Cluster, variant: Variant, page_size: int, *, rounds: int) -> Result:
    """Best wall time over ``rounds`` untraced runs, then one run under tracemalloc for the peak."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        pods, requests = await variant(cluster, page_size)
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    try:
        await variant(cluster, page_size)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Result(pods, requests, best, peak)
