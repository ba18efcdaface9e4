"""pods: list pods with a summary and "show more" paging, tail a pod's log, diagnose failing pods, list namespaces."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import Any

from chatops.fulfillment import HandlerCall, HandlerTable, InputError, OutputContext, QuickReplies, Reply, Visibility
from handlers.kube import Clusters, cluster_for, k8s, params, scope, use_clusters
from handlers.kube.diagnose_view import heading, logs_card, report_text
from handlers.kube.errors import api_errors
from handlers.kube.examine import DEPLOYMENT, POD, PodReport, examine, find_target
from handlers.kube.listing import Listing, PodQuery, Resume, list_pods, more_pods, paged
from handlers.kube.names import dns_label, dns_subdomain, label_selector
from handlers.kube.podview import CRASHLOOP, PHASES, age
from handlers.kube.podview import table as pod_table

table = HandlerTable("pods")
use_clusters(table)

# The pods.list intent sets this context and pods.more requires it; the handler adds where the table stopped.
LISTING_CONTEXT = "pods-followup"
MORE = "show more"
_MAX_LOG_CHARS = 3500
# A diagnosis stays one readable message: the first few failing pods, their latest events, a short log tail.
_DIAGNOSED_PODS, _DIAGNOSIS_EVENTS, _DIAGNOSIS_LOG_LINES = 3, 5, 10
_KINDS = {"pod": POD, "pods": POD, "deployment": DEPLOYMENT, "deployments": DEPLOYMENT, "deploy": DEPLOYMENT}


def _status(call: HandlerCall) -> str:
    value = params.text(call, "status").replace(" ", "").lower()
    if not value or value in ("all", "any"):
        return ""
    if value in PHASES:
        return PHASES[value]
    if value in ("crashloopbackoff", "crashloop", "crashlooping", "crashing"):
        return CRASHLOOP
    raise InputError(f"I can filter pods by Running, Pending, Failed, Succeeded, Unknown or CrashLoopBackOff, not {value!r}.")


def _more_context(cluster: str, query: PodQuery, listing: Listing, shown: int, total: int) -> OutputContext:
    # Kept even when the listing is complete, so "show more" is answered ("that was all") rather than misheard.
    resume = listing.resume or Resume("", 0)
    return OutputContext(LISTING_CONTEXT, lifespan=5, parameters={
        "cluster": cluster, "namespace": query.namespace or "all", "selector": query.selector, "status": query.status,
        "continue": resume.token, "skip": resume.skip, "shown": shown, "total": total, "done": listing.resume is None,
    })


def _reply(text: str, cluster: str, query: PodQuery, listing: Listing, *, first: int, total: int) -> Reply:
    shown = first + len(listing.rows) - 1
    lines = [text]
    if listing.rows:
        lines.append(pod_table(listing.rows, with_namespace=query.namespace is None))
        lines.append(f"Showing {first}-{shown} of {total}." + (f' Say "{MORE}" for the next ones.' if listing.resume else ""))
    return Reply(
        text="\n".join(lines),
        parts=(QuickReplies((MORE,)),) if listing.resume else (),
        contexts=(_more_context(cluster, query, listing, shown, total),),
        data={"cluster": cluster, "namespace": query.namespace or "all", "pods": [r.as_dict() for r in listing.rows],
              "more": listing.resume is not None},
    )


@table.action("pods.list", access="pods:list", resource=scope.namespaced)
async def pods_list(call: HandlerCall) -> Reply:
    """Pods of one namespace or all, by label selector and state: a summary and the first rows."""
    selector = params.text(call, "selector")
    query = PodQuery(params.namespace(call, allow_all=True), label_selector(selector) if selector else "", _status(call))
    cluster = await cluster_for(call)
    kube = call.settings.kube
    with api_errors(cluster.name, "list pods in", query.where):
        listing = await list_pods(cluster, query, page_size=kube.page_size, rows=kube.table_rows, max_pods=kube.summary_max_pods)
        if not listing.summary.total and query.namespace is not None:
            await cluster.call(k8s.CoreV1Api(cluster.api).read_namespace, query.namespace)  # an empty list or no such namespace?
    filters = "".join(f", {label} {value}" for label, value in (("selector", query.selector), ("state", query.status)) if value)
    total = listing.summary.total
    heading = f"{total} pod{'' if total == 1 else 's'} in {query.where} on {cluster.name}{filters}"
    if total:
        heading += f": {listing.summary.text()}"
    if listing.truncated:
        heading += f" (I stopped counting at {kube.summary_max_pods})"
    reply = _reply(heading + ".", cluster.name, query, listing, first=1, total=total)
    summary = {"total": total, "states": dict(listing.summary.states), "restarts": listing.summary.restarts}
    return dataclasses.replace(reply, data={**reply.data, "summary": summary})


def _listing_context(call: HandlerCall) -> dict[str, Any]:
    for context in call.contexts:
        if context.name.rsplit("/", 1)[-1] == LISTING_CONTEXT and context.lifespan > 0:
            return dict(context.parameters)
    raise InputError("There is no pod listing to continue; ask me to list pods first.")


@table.action("pods.more", access="pods:list")
async def pods_more(call: HandlerCall) -> Reply:
    """The next rows of the last listing, from the continue token its context keeps."""
    state = _listing_context(call)
    if state.get("done") in (True, "true"):
        return Reply(text="That was all: the last listing had no more pods.")
    namespace = None if state.get("namespace") == "all" else str(state.get("namespace"))
    query = PodQuery(namespace, str(state.get("selector") or ""), str(state.get("status") or ""))
    cluster = await call.resources.get(Clusters).get(state.get("cluster"))
    resume = Resume(str(state.get("continue") or ""), int(state.get("skip") or 0))
    kube = call.settings.kube
    with api_errors(cluster.name, "list pods in", query.where):
        listing = await more_pods(cluster, query, resume, page_size=kube.page_size, rows=kube.table_rows)
    first, total = int(state.get("shown") or 0) + 1, int(state.get("total") or 0)
    if not listing.rows:
        return Reply(text=f"That was all: no more pods in {query.where} on {cluster.name}.")
    return _reply(f"More pods in {query.where} on {cluster.name}:", cluster.name, query, listing, first=first, total=total)


@table.action("pods.logs", access="pods:logs", resource=scope.namespaced)
async def pods_logs(call: HandlerCall) -> Reply:
    """The last lines of a pod's log, shown only to the asker (logs can carry anything)."""
    pod = dns_subdomain(params.text(call, "pod"), "pod name")
    namespace = params.namespace(call)
    container = params.text(call, "container")
    lines = params.integer(call, "lines", call.settings.kube.log_lines, low=1, high=500)
    cluster = await cluster_for(call)
    with api_errors(cluster.name, "read the log of", f"pod {namespace}/{pod}"):
        body = await cluster.raw(k8s.CoreV1Api(cluster.api).read_namespaced_pod_log, pod, namespace,
                                 container=dns_label(container, "container name") if container else None, tail_lines=lines)
    text = body.decode("utf-8", errors="replace")
    if len(text) > _MAX_LOG_CHARS:
        text = "…" + text[-_MAX_LOG_CHARS:]
    where = f"{namespace}/{pod}" + (f" ({container})" if container else "")
    return Reply(text=f"Last {lines} lines of {where} on {cluster.name}:\n```\n{text or '(empty)'}\n```",
                 visibility=Visibility.EPHEMERAL, data={"cluster": cluster.name, "pod": pod, "namespace": namespace})


def _kind(call: HandlerCall) -> str:
    value = params.text(call, "kind").lower()
    if value and value not in _KINDS:
        raise InputError(f"I can diagnose a pod or a deployment, not a {value!r}.")
    return _KINDS.get(value, "")


def _diagnosis_data(report: PodReport) -> dict[str, Any]:
    log = report.log
    return {"namespace": report.namespace, "name": report.name, "cause": report.finding.cause,
            "next": report.finding.next_step, "events": [event.get("reason") for event in report.events],
            "log": list(log.lines) if log else [], "log_unavailable": log.unavailable if log else ""}


@table.action("pods.diagnose", access="pods:diagnose", resource=scope.namespaced)
async def pods_diagnose(call: HandlerCall) -> Reply:
    """Why a pod, or the failing pods of a deployment or a namespace, fail: the likely cause, what to look at
    next, recent events and the last log lines; shown only to the asker (logs can carry anything)."""
    kind = _kind(call)
    name = params.text(call, "name")
    if name:
        dns_subdomain(name, f"{kind.lower() or 'pod or deployment'} name")
    namespace = params.namespace(call)
    cluster = await cluster_for(call)
    what = f"{kind.lower() or 'pod or deployment'} {namespace}/{name}" if name else f"namespace {namespace}"
    with api_errors(cluster.name, "read", what):
        target = await find_target(cluster, namespace, name, kind, page_size=call.settings.kube.page_size)
        reports = [await examine(cluster, pod, log_lines=_DIAGNOSIS_LOG_LINES, max_events=_DIAGNOSIS_EVENTS)
                   for pod in target.pods[:_DIAGNOSED_PODS]]
    text = "\n\n".join([heading(target, cluster.name, shown=len(reports)), *(report_text(r) for r in reports)])
    return Reply(
        text=text, parts=tuple(logs_card(r, cluster.name) for r in reports if not r.finding.healthy),
        visibility=Visibility.EPHEMERAL,
        data={"cluster": cluster.name, "target": target.what, "failing": len(target.pods), "total": target.total,
              "pods": [_diagnosis_data(r) for r in reports]},
    )


@table.action("namespaces.list", access="namespaces:list", resource=scope.cluster_wide)
async def namespaces_list(call: HandlerCall) -> Reply:
    """Namespaces with their phase and age."""
    cluster = await cluster_for(call)
    now = datetime.now(timezone.utc)
    found: list[tuple[str, str, str]] = []
    with api_errors(cluster.name, "list", "namespaces"):
        async for _, items in paged(cluster, k8s.CoreV1Api(cluster.api).list_namespace, page_size=call.settings.kube.page_size):
            found += [(ns["metadata"]["name"], (ns.get("status") or {}).get("phase", "?"),
                       age(ns["metadata"].get("creationTimestamp"), now)) for ns in items]
    rows = found[:100]
    width = max((len(name) for name, _, _ in rows), default=4)
    body = "\n".join(f"{name.ljust(width)}  {phase.ljust(11)}  {when}" for name, phase, when in rows)
    more = f"\n(and {len(found) - len(rows)} more)" if len(found) > len(rows) else ""
    return Reply(text=f"{len(found)} namespaces on {cluster.name}:\n```\n{body}\n```{more}",
                 data={"cluster": cluster.name, "namespaces": [name for name, _, _ in found]})
