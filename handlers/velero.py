"""velero: migrate a namespace between clusters (a resumable job), report on it, list backups.

The migration itself is a job: the handler starts it through the job runner, which
runs ``follow_migration`` (handlers/kube/migration.py) under a lease, and again
after a restart for a job left running.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from chatops.fulfillment import HandlerCall, HandlerTable, InputError, NotFoundError, PermanentError, Reply
from handlers.kube import Clusters, params, scope, use_clusters
from handlers.kube.migration import KIND, follow_migration, object_name
from handlers.kube.podview import age
from handlers.kube.preflight import Preflight, run_preflight
from handlers.kube.velero_api import items, phase

table = HandlerTable("velero")
use_clusters(table)
table.job(KIND)(follow_migration)


async def _preflight(call: HandlerCall) -> tuple[dict[str, str], Preflight]:
    clusters = call.resources.get(Clusters)
    if not params.text(call, "namespace"):
        raise InputError("Which namespace should I migrate?")
    namespace = str(params.namespace(call))
    if not params.text(call, "target"):
        raise InputError(f"Which cluster should I migrate {namespace} to? I know {', '.join(clusters.names)}.")
    source, target = clusters.resolve(call.param("source")), clusters.resolve(call.param("target"))
    if source == target:
        raise InputError(f"{namespace} is already in {source}: name a different target cluster.")
    target_namespace = params.dns_label(params.text(call, "target_namespace", namespace), "namespace name")
    check = await run_preflight(await clusters.get(source), await clusters.get(target), namespace, target_namespace,
                                call.settings.kube)
    return {"source": source, "target": target, "namespace": namespace, "target_namespace": target_namespace,
            "location": check.location or ""}, check


def _heading(p: dict[str, str]) -> str:
    into = "" if p["target_namespace"] == p["namespace"] else f" (as {p['target_namespace']})"
    return f"namespace {p['namespace']} from {p['source']} to {p['target']}{into}"


async def velero_migrate_plan(call: HandlerCall) -> Reply:
    """The pre-flight, shown before asking to confirm; a failed one refuses, so nothing is asked."""
    p, check = await _preflight(call)
    if not check.ready:
        raise InputError(f"Migrate {_heading(p)}: pre-flight failed.\n{check.text()}\nI can't migrate until these are fixed.")
    steps = (f"Then: a Velero Backup of {p['namespace']} in {p['source']} (to location {p['location']}, file-system "
             f"volume backup, ttl {call.settings.kube.velero_backup_ttl}), a wait for it to sync into {p['target']}, "
             f"and a Restore there. I'll post progress here.")
    return Reply(text=f"Migrate {_heading(p)}: pre-flight passed.\n{check.text()}\n{steps}", data={"preflight": p})


@table.action("velero.migrate", access="velero:migrate", confirm=True, plan=velero_migrate_plan,
              resource=scope.migration)
async def velero_migrate(call: HandlerCall) -> Reply:
    """Record the migration job (after a fresh pre-flight); the job runner carries it out."""
    if not call.confirmed:
        return await velero_migrate_plan(call)
    p, check = await _preflight(call)
    if not check.ready:
        raise InputError(f"Migrate {_heading(p)}: the pre-flight fails now.\n{check.text()}")
    if call.jobs is None:
        raise PermanentError("This service cannot run long jobs, so it cannot migrate namespaces.")
    job = await call.jobs.start(KIND, p, call=call)
    return Reply(text=f"Migration {job.id} started: {_heading(p)}. I'll post progress here; "
                      f'ask "status of migration {job.id}" any time.', data={"job": job.id})


def _job_id(call: HandlerCall) -> int:
    value = call.param("job", "")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == int(value):
        return int(value)  # @sys.number-integer gives a number
    match = re.fullmatch(r"#?\s*(\d{1,12})", params.text(call, "job"))
    if match is None:
        raise InputError("Which migration? Give its number, like 42.")
    return int(match.group(1))


@table.action("velero.status", access="velero:status")
async def velero_status(call: HandlerCall) -> Reply:
    """Where a migration job is: its state, stage, progress and outcome."""
    job_id = _job_id(call)
    job = await call.store.get_job(job_id)
    if job is None or job.kind != KIND:
        raise NotFoundError(f"There is no migration {job_id}.")
    p, progress, result = job.parameters, job.progress, job.result
    said = {"pending": "is pending", "running": "is running", "cancelled": "was cancelled"}.get(job.state, job.state)
    lines = [f"Migration {job.id} ({p['namespace']}: {p['source']} → {p['target']}) {said}."]
    stage = progress.get("stage", "backup")
    if job.state in ("pending", "running"):
        current = progress.get(f"{stage}_phase", "not started")
        items_text = f", {progress['items']} of {progress['total']} items" if progress.get("total") else ""
        lines.append(f"Stage: {stage} ({object_name(job)}: {current}{items_text})." if stage != "sync"
                     else f"Stage: waiting for backup {object_name(job)} to sync into {p['target']}.")
    for part in ("backup", "restore"):
        if part in result:
            lines.append(f"{part.capitalize()} {object_name(job)}: {result[part]['phase']}, {result[part]['items']} items, "
                         f"{result[part]['issues']}.")
    if "error" in result:
        lines.append(f"Error: {result['error']}")
    started = datetime.fromtimestamp(job.created_at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines.append(f"Started {age(started, datetime.now(timezone.utc))} ago by {job.principal}.")
    return Reply(text="\n".join(lines), data={"job": job.id, "state": job.state, "stage": stage, "result": result})


@table.action("velero.backups", access="velero:list", resource=scope.cluster_wide)
async def velero_backups(call: HandlerCall) -> Reply:
    """Velero backups in a cluster, newest first."""
    cluster = await call.resources.get(Clusters).get(call.param("cluster"))
    kube = call.settings.kube
    backups = await items(cluster, kube.velero_namespace, "backups")
    if not backups:
        return Reply(text=f"There are no Velero backups in {cluster.name}.", data={"cluster": cluster.name, "backups": []})
    backups.sort(key=lambda b: b["metadata"].get("creationTimestamp") or "", reverse=True)
    now = datetime.now(timezone.utc)
    rows = [(b["metadata"]["name"], phase(b), ",".join((b.get("spec") or {}).get("includedNamespaces") or ["*"]),
             str((b.get("status") or {}).get("errors") or 0), str((b.get("status") or {}).get("warnings") or 0),
             age(b["metadata"].get("creationTimestamp"), now)) for b in backups[:kube.table_rows]]
    header = ("NAME", "STATUS", "NAMESPACES", "ERRORS", "WARNINGS", "AGE")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    body = "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in [header, *rows])
    more = f"\n(and {len(backups) - len(rows)} older)" if len(backups) > len(rows) else ""
    return Reply(text=f"{len(backups)} backup{'' if len(backups) == 1 else 's'} in {cluster.name}:\n```\n{body}\n```{more}",
                 data={"cluster": cluster.name, "backups": [r[0] for r in rows]})
