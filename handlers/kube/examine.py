"""Reading what a diagnosis needs: the pods in question, their recent events, and the tail of a container's log.

All of it is read-only: pods (get, list), a deployment (get, for its selector),
core/v1 events (list, by involved object) and pods/log (get).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, AsyncIterator

from chatops.fulfillment import NotFoundError
from handlers.kube import k8s
from handlers.kube.clusters import Cluster
from handlers.kube.diagnosis import Finding, Obj, container_statuses, diagnose, failing
from handlers.kube.errors import api_errors, status_of
from handlers.kube.listing import paged

POD, DEPLOYMENT = "Pod", "Deployment"


@dataclass(frozen=True)
class Target:
    """What was asked about ("deployment staging/my-app"), the pods to diagnose, and how many pods it has.

    ``one_pod``: a pod asked for by name, diagnosed whatever its state.
    """

    what: str
    pods: tuple[Obj, ...]
    total: int
    one_pod: bool = False


@dataclass(frozen=True)
class LogTail:
    """The last lines of one container's log; ``unavailable`` says why there are none, when the read failed."""

    container: str
    previous: bool
    lines: tuple[str, ...] = ()
    unavailable: str = ""


@dataclass(frozen=True)
class PodReport:
    namespace: str
    name: str
    finding: Finding
    events: tuple[Obj, ...]
    log: LogTail | None


async def find_target(cluster: Cluster, namespace: str, name: str, kind: str, *, page_size: int) -> Target:
    """One pod (diagnosed whatever its state), or the failing pods of a deployment or of the whole namespace.

    A name without a kind is a pod's first, as ``kubectl logs NAME`` reads it, then a deployment's.
    """
    core = k8s.CoreV1Api(cluster.api)
    if not name:
        pods = [pod async for pod in _pods(cluster, namespace, "", page_size=page_size)]
        if not pods:
            await cluster.call(core.read_namespace, namespace)  # an empty namespace, or none at all?
        return Target(f"namespace {namespace}", tuple(p for p in pods if failing(p)), len(pods))
    if kind in ("", POD):
        try:
            pod = await cluster.call(core.read_namespaced_pod, name, namespace)
            return Target(f"pod {namespace}/{name}", (pod,), 1, one_pod=True)
        except k8s.ApiException as exc:
            if exc.status != 404 or kind == POD:
                raise
    try:
        deployment = await cluster.call(k8s.AppsV1Api(cluster.api).read_namespaced_deployment, name, namespace)
    except k8s.ApiException as exc:
        if exc.status == 404 and not kind:
            raise NotFoundError(f"No pod or deployment {name} in namespace {namespace} on {cluster.name}.",
                                detail=f"{cluster.name}: read deployment {namespace}/{name}: {': '.join(status_of(exc))}") from exc
        raise
    selector = selector_text((deployment.get("spec") or {}).get("selector") or {})
    pods = [pod async for pod in _pods(cluster, namespace, selector, page_size=page_size)]
    return Target(f"deployment {namespace}/{name}", tuple(p for p in pods if failing(p)), len(pods))


def selector_text(selector: Obj) -> str:
    """A LabelSelector object (matchLabels, matchExpressions) as the labelSelector query string."""
    parts = [f"{key}={value}" for key, value in sorted((selector.get("matchLabels") or {}).items())]
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], ",".join(expression.get("values") or [])
        parts.append({"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
                      "Exists": key, "DoesNotExist": f"!{key}"}[operator])
    return ",".join(parts)  # never empty: the API server refuses a Deployment with an empty selector


async def _pods(cluster: Cluster, namespace: str, selector: str, *, page_size: int) -> AsyncIterator[dict[str, Any]]:
    core = k8s.CoreV1Api(cluster.api)
    async for _, items in paged(cluster, core.list_namespaced_pod, namespace, page_size=page_size,
                                label_selector=selector or None):
        for pod in items:
            yield pod


async def examine(cluster: Cluster, pod: Obj, *, log_lines: int, max_events: int) -> PodReport:
    """The diagnosis of one pod: its recent events, its finding, and the log of the container the finding names."""
    meta = pod["metadata"]
    events = await recent_events(cluster, pod, limit=max_events)
    finding = diagnose(pod, events)
    log = await log_tail(cluster, pod, finding.container, lines=log_lines) if finding.container else None
    return PodReport(meta["namespace"], meta["name"], finding, events, log)


async def recent_events(cluster: Cluster, pod: Obj, *, limit: int) -> tuple[Obj, ...]:
    """The pod's events (this pod, not an earlier one of the same name: by uid), oldest first, the last ``limit``."""
    meta = pod["metadata"]
    selector = f"involvedObject.kind=Pod,involvedObject.name={meta['name']},involvedObject.uid={meta['uid']}"
    with api_errors(cluster.name, "list the events of", f"pod {meta['namespace']}/{meta['name']}"):
        body = await cluster.call(k8s.CoreV1Api(cluster.api).list_namespaced_event, meta["namespace"], field_selector=selector)
    return tuple(sorted(body.get("items") or [], key=event_time)[-limit:])


def event_time(event: Obj) -> str:
    """When the event last happened (core/v1 events carry one of three timestamps), as sortable RFC 3339 text."""
    series = (event.get("series") or {}).get("lastObservedTime")
    when = series or event.get("lastTimestamp") or event.get("eventTime") or event["metadata"].get("creationTimestamp")
    return str(when or "")


async def log_tail(cluster: Cluster, pod: Obj, container: str, *, lines: int) -> LogTail | None:
    """The last lines of the container before its last restart if it restarted, else of the running one.

    The log is the kubelet's to serve: when it cannot (no such node, a node that does not answer, no
    previous container) the tail says why instead of failing the whole diagnosis.
    """
    status = next((s for s in container_statuses(pod) if s.get("name") == container), {})
    previous = bool((status.get("lastState") or {}).get("terminated"))
    if not previous and not {"running", "terminated"} & set(status.get("state") or {}):
        return None  # it never ran: there is no log to read
    meta = pod["metadata"]
    try:
        body = await cluster.raw(k8s.CoreV1Api(cluster.api).read_namespaced_pod_log, meta["name"], meta["namespace"],
                                 container=container, previous=previous or None, tail_lines=lines)
    except k8s.ApiException as exc:
        reason, message = status_of(exc)
        return LogTail(container, previous, unavailable=f"{reason}: {message}" if message else reason)
    return LogTail(container, previous, tuple(body.decode("utf-8", errors="replace").splitlines()[-lines:]))

