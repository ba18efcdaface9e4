"""A Velero migration as a resumable job: back up in the source, wait for the backup to sync into the
target, restore it there, posting progress to the session that asked.

Every step is idempotent (fixed object names derived from the job id, create-or-get,
list-then-watch), and the stage reached is checkpointed on the job, so
``follow_migration`` continues a job after a restart from wherever it was.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable

from chatops.fulfillment import ChatOpsError, Reply, RetryableError
from chatops.fulfillment.registry import JobContext
from chatops.store.base import Job
from handlers.kube.clusters import Clusters
from handlers.kube.velero_api import USABLE, create_once, find, finished, follow, phase

log = logging.getLogger(__name__)

KIND = "velero.migrate"
_RETRIES = 6


def object_name(job: Job) -> str:
    """The Backup's and the Restore's name: stable for the job, at most 63 characters (label-safe)."""
    return f"chatops-{str(job.parameters['namespace'])[:40].rstrip('-')}-{job.id}"


def _duration(seconds: float) -> str:
    return f"{seconds / 60:g} minutes" if seconds >= 120 else f"{seconds:g} seconds"


def counts(obj: dict[str, Any], done_key: str) -> tuple[int, int]:
    progress = (obj.get("status") or {}).get("progress") or {}
    return int(progress.get(done_key) or 0), int(progress.get("totalItems") or 0)


def issues(obj: dict[str, Any]) -> str:
    status = obj.get("status") or {}
    return f"{int(status.get('warnings') or 0)} warnings, {int(status.get('errors') or 0)} errors"


class _Migration:
    def __init__(self, job: Job, ctx: JobContext) -> None:
        self.job, self.ctx = job, ctx
        self.clusters = ctx.resources.get(Clusters)
        self.settings = self.clusters.settings
        self.p = job.parameters
        self.name = object_name(job)
        self.title = f"Migration {job.id} ({self.p['namespace']}: {self.p['source']} → {self.p['target']})"

    async def run(self) -> None:
        await self._save(state="running", progress={"stage": "backup", **self.job.progress})
        try:
            stage = self.job.progress.get("stage", "backup")
            if stage == "backup":
                stage = await self._retrying(self._backup)
            if stage == "sync":
                stage = await self._retrying(self._sync)
            if stage == "restore":
                await self._retrying(self._restore)
        except ChatOpsError as exc:
            log.warning("%s failed: %s", self.title, exc.detail)
            await self._save(state="failed", result={**self.job.result, "error": exc.user_message})
            await self.say(f"{self.title} failed: {exc.user_message}")

    async def _retrying(self, step: Callable[[], Awaitable[str]]) -> str:
        """Run a stage again after a transient failure (the cluster API down for a while)."""
        for attempt in range(_RETRIES):
            try:
                return await step()
            except RetryableError as exc:
                if attempt == _RETRIES - 1:
                    raise
                log.info("%s: retrying after %s", self.title, exc.detail)
                await asyncio.sleep(min(self.settings.velero_poll_seconds * 2**attempt, 60.0))
        raise AssertionError("unreachable")

    async def _backup(self) -> str:
        source = await self.clusters.get(self.p["source"])
        body = {"apiVersion": "velero.io/v1", "kind": "Backup",
                "metadata": {"name": self.name, "namespace": self.settings.velero_namespace,
                             "labels": {"chatops.io/job": str(self.job.id)}},
                "spec": {"includedNamespaces": [self.p["namespace"]], "defaultVolumesToFsBackup": True,
                         "ttl": self.settings.velero_backup_ttl, "storageLocation": self.p["location"]}}
        await create_once(source, self.settings.velero_namespace, "backups", body)
        final = await follow(source, self.settings.velero_namespace, "backups", self.name,
                             lambda obj: self._progress("backup", obj, "itemsBackedUp"),
                             watch_seconds=self.settings.watch_seconds)
        backup = {"phase": phase(final), "issues": issues(final), "items": counts(final, "itemsBackedUp")[0]}
        await self._save(result={**self.job.result, "backup": backup})
        if phase(final) not in USABLE:
            raise _Ended(f"backup {self.name} ended {phase(final)} ({issues(final)}); nothing was restored.")
        await self._save(progress={**self.job.progress, "stage": "sync"})
        await self.say(f"{self.title}: backup {self.name} {phase(final)} ({issues(final)}); "
                       f"waiting for it to sync into {self.p['target']}.")
        return "sync"

    async def _sync(self) -> str:
        target = await self.clusters.get(self.p["target"])
        deadline = asyncio.get_running_loop().time() + self.settings.velero_sync_timeout_seconds
        while (synced := await find(target, self.settings.velero_namespace, "backups", self.name)) is None \
                or phase(synced) not in USABLE:
            if asyncio.get_running_loop().time() > deadline:
                raise _Ended(f"backup {self.name} has not appeared in {self.p['target']} after "
                             f"{_duration(self.settings.velero_sync_timeout_seconds)}; "
                             "check that both clusters' BackupStorageLocations point at the same bucket and prefix.")
            await asyncio.sleep(self.settings.velero_poll_seconds)
        await self._save(progress={**self.job.progress, "stage": "restore"})
        return "restore"

    async def _restore(self) -> str:
        target = await self.clusters.get(self.p["target"])
        spec: dict[str, Any] = {"backupName": self.name, "includedNamespaces": [self.p["namespace"]], "restorePVs": True}
        if self.p["target_namespace"] != self.p["namespace"]:
            spec["namespaceMapping"] = {self.p["namespace"]: self.p["target_namespace"]}
        body = {"apiVersion": "velero.io/v1", "kind": "Restore",
                "metadata": {"name": self.name, "namespace": self.settings.velero_namespace,
                             "labels": {"chatops.io/job": str(self.job.id)}}, "spec": spec}
        await create_once(target, self.settings.velero_namespace, "restores", body)
        final = await follow(target, self.settings.velero_namespace, "restores", self.name,
                             lambda obj: self._progress("restore", obj, "itemsRestored"),
                             watch_seconds=self.settings.watch_seconds)
        restore = {"phase": phase(final), "issues": issues(final), "items": counts(final, "itemsRestored")[0]}
        state = "succeeded" if phase(final) == "Completed" else "failed"
        await self._save(state=state, progress={**self.job.progress, "stage": "done"},
                         result={**self.job.result, "restore": restore})
        where = f"namespace {self.p['target_namespace']} in {self.p['target']}"
        await self.say(f"{self.title} finished: restore {self.name} {phase(final)} into {where} ({issues(final)})."
                       + ("" if state == "succeeded" else f" See `velero restore describe {self.name} --details`."))
        return "done"

    async def _progress(self, stage: str, obj: dict[str, Any], done_key: str) -> None:
        """Post a phase change, or progress past another quarter of the items; remember what was posted.

        A final phase is left to the stage's own summary, which also gives warnings and errors.
        """
        if finished(obj):
            return
        done, total = counts(obj, done_key)
        quarter = (4 * done // total) if total else 0
        seen = self.job.progress
        if (seen.get(f"{stage}_phase"), seen.get(f"{stage}_quarter", 0)) == (phase(obj), quarter):
            return
        await self._save(progress={**seen, f"{stage}_phase": phase(obj), f"{stage}_quarter": quarter,
                                   "items": done, "total": total})
        of = f", {done} of {total} items" if total else ""
        await self.say(f"{self.title}: {stage} {self.name} {phase(obj)}{of}.")

    async def say(self, text: str) -> None:
        try:
            await self.ctx.notify(Reply(text=text, data={"job": self.job.id}))
        except Exception:  # a lost progress message must not stop the migration itself
            log.exception("%s: could not post progress", self.title)

    async def _save(self, **changes: Any) -> None:
        for key, value in changes.items():
            setattr(self.job, key, value)
        await self.ctx.checkpoint(self.job)  # the runner stamps its lease on what it stores


class _Ended(ChatOpsError):
    """The migration cannot go on (a failed backup, a backup that never synced)."""


async def follow_migration(job: Job, ctx: JobContext) -> None:
    """Run (or continue, after a restart) a migration job to its end, leaving its outcome on the job.

    Cancelling it (service shutdown) leaves the job ``running`` so the next start resumes it.
    """
    await _Migration(job, ctx).run()
