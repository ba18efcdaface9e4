"""A stand-in for Velero's server in one cluster: it advances Backups and Restores through their phases,
writes backups to a shared bucket and syncs backups from it (as Velero's backup-sync controller does).

It talks to the cluster only through the API with an admin kubeconfig (status through the
status subresource, with merge patches), so it runs against the API stand-in or a real server.
Every tick reconciles once, from the objects' current state: stopping and starting it loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from dataclasses import dataclass, field
from typing import Any

from kubernetes_asyncio import client, config
from kubernetes_asyncio.client.exceptions import ApiException

GROUP, VERSION = "velero.io", "v1"
MERGE = "application/merge-patch+json"
FINAL = ("Completed", "PartiallyFailed", "Failed", "FailedValidation")
USABLE = ("Completed", "PartiallyFailed")
log = logging.getLogger(__name__)
COPIED = ("configmaps", "secrets", "services", "persistentvolumeclaims", "deployments")


@dataclass
class Bucket:
    """Object storage both clusters' Velero use: (bucket, prefix) -> backup name -> stored backup."""

    backups: dict[tuple[str, str], dict[str, dict[str, Any]]] = field(default_factory=dict)


class FakeVelero:
    def __init__(self, kubeconfig: str, context: str, bucket: Bucket, *, namespace: str = "velero", tick: float = 0.02,
                 extra_phases: tuple[str, ...] = (), backup_outcome: str = "Completed", restore_outcome: str = "Completed",
                 sync: bool = True) -> None:
        self.kubeconfig, self.context, self.bucket, self.namespace, self.tick = kubeconfig, context, bucket, namespace, tick
        self.extra_phases, self.backup_outcome, self.restore_outcome, self.sync = extra_phases, backup_outcome, restore_outcome, sync
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.api = await config.new_client_from_config(self.kubeconfig, context=self.context, persist_config=False)
        self.core, self.apps, self.custom = client.CoreV1Api(self.api), client.AppsV1Api(self.api), client.CustomObjectsApi(self.api)
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.api.close()

    async def _loop(self) -> None:
        while True:
            try:
                await self.reconcile()
            except ApiException as exc:
                # As a controller does: log, and try again on the next tick. A real server takes a moment
                # to apply a CRD's new schema, for one.
                log.warning("fake Velero in %s: reconcile failed, retrying: %s %s", self.context, exc.status, exc.reason)
            await asyncio.sleep(self.tick)

    async def reconcile(self) -> None:
        for backup in await self._list("backups"):
            await self._advance_backup(backup)
        for restore in await self._list("restores"):
            await self._advance_restore(restore)
        if self.sync:
            await self._sync()

    # --- API helpers ----------------------------------------------------------------------------
    async def _json(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        response = await method(*args, _preload_content=False, **kwargs)
        async with response:
            body = await response.read()
        if response.status >= 300:
            raise ApiException(status=response.status, reason=body.decode())
        return json.loads(body)

    async def _list(self, plural: str) -> list[dict[str, Any]]:
        try:
            found = await self._json(self.custom.list_namespaced_custom_object, GROUP, VERSION, self.namespace, plural)
        except ApiException:
            return []  # Velero not installed (yet) in this cluster
        return list(found["items"])

    async def _status(self, plural: str, name: str, status: dict[str, Any]) -> None:
        await self._json(self.custom.patch_namespaced_custom_object_status, GROUP, VERSION, self.namespace, plural, name,
                         {"status": status}, _content_type=MERGE)

    def _next(self, current: str, outcome: str) -> str:
        sequence = ["InProgress", *self.extra_phases, "WaitingForPluginOperations", "Finalizing", outcome]
        return sequence[sequence.index(current) + 1]

    async def _location(self, name: str) -> tuple[str, str]:
        bsl = await self._json(self.custom.get_namespaced_custom_object, GROUP, VERSION, self.namespace,
                               "backupstoragelocations", name)
        storage = bsl["spec"]["objectStorage"]
        return storage["bucket"], storage.get("prefix", "")

    # --- backups --------------------------------------------------------------------------------
    async def _namespace_items(self, namespace: str) -> list[tuple[str, dict[str, Any]]]:
        found: list[tuple[str, dict[str, Any]]] = []
        listers = {"configmaps": self.core.list_namespaced_config_map, "secrets": self.core.list_namespaced_secret,
                   "services": self.core.list_namespaced_service, "deployments": self.apps.list_namespaced_deployment,
                   "persistentvolumeclaims": self.core.list_namespaced_persistent_volume_claim}
        for plural in COPIED:
            found += [(plural, item) for item in (await self._json(listers[plural], namespace))["items"]]
        return found

    async def _advance_backup(self, backup: dict[str, Any]) -> None:
        name, status = backup["metadata"]["name"], dict(backup.get("status") or {})
        current = status.get("phase")
        if current in FINAL:
            return
        if current is None:
            await self._status("backups", name, {"phase": "New"})
        elif current == "New":
            items = [item for ns in backup["spec"].get("includedNamespaces", []) for item in await self._namespace_items(ns)]
            await self._status("backups", name, {"phase": "InProgress", "progress": {"totalItems": len(items), "itemsBackedUp": 0}})
        elif current == "InProgress" and status["progress"]["itemsBackedUp"] < status["progress"]["totalItems"]:
            total = status["progress"]["totalItems"]
            done = min(total, status["progress"]["itemsBackedUp"] + max(1, math.ceil(total / 4)))
            await self._status("backups", name, {"progress": {"totalItems": total, "itemsBackedUp": done}})
        else:
            following = self._next(current, self.backup_outcome)
            if following in FINAL:
                await self._finish_backup(backup, following)
            else:
                await self._status("backups", name, {"phase": following})

    async def _finish_backup(self, backup: dict[str, Any], outcome: str) -> None:
        final = {"phase": outcome, "errors": 0 if outcome == "Completed" else 1, "warnings": 0}
        if outcome in USABLE:
            items = [item for ns in backup["spec"].get("includedNamespaces", []) for item in await self._namespace_items(ns)]
            key = await self._location(backup["spec"].get("storageLocation") or "default")
            stored = {"spec": backup["spec"], "status": {**(backup.get("status") or {}), **final}, "items": items}
            self.bucket.backups.setdefault(key, {})[backup["metadata"]["name"]] = stored
        await self._status("backups", backup["metadata"]["name"], final)

    async def _sync(self) -> None:
        present = {b["metadata"]["name"] for b in await self._list("backups")}
        for location in await self._list("backupstoragelocations"):
            storage = location["spec"]["objectStorage"]
            for name, stored in self.bucket.backups.get((storage["bucket"], storage.get("prefix", "")), {}).items():
                if name in present:
                    continue
                body = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "Backup", "spec": stored["spec"],
                        "metadata": {"name": name, "labels": {"velero.io/storage-location": location["metadata"]["name"]}}}
                await self._json(self.custom.create_namespaced_custom_object, GROUP, VERSION, self.namespace, "backups", body)
                await self._status("backups", name, stored["status"])
                present.add(name)

    # --- restores -------------------------------------------------------------------------------
    async def _stored(self, backup_name: str) -> dict[str, Any] | None:
        for backups in self.bucket.backups.values():
            if backup_name in backups:
                return backups[backup_name]
        return None

    async def _advance_restore(self, restore: dict[str, Any]) -> None:
        name, spec, status = restore["metadata"]["name"], restore["spec"], dict(restore.get("status") or {})
        current = status.get("phase")
        if current in FINAL:
            return
        present = {b["metadata"]["name"] for b in await self._list("backups")}
        stored = await self._stored(spec["backupName"])
        if current is None:
            await self._status("restores", name, {"phase": "New"})
        elif current == "New" and (spec["backupName"] not in present or stored is None):
            await self._status("restores", name, {"phase": "FailedValidation",
                                                  "validationErrors": [f"backup {spec['backupName']} not found"]})
        elif current == "New":
            await self._status("restores", name, {"phase": "InProgress",
                                                  "progress": {"totalItems": len(stored["items"]), "itemsRestored": 0}})
        elif current == "InProgress" and status["progress"]["itemsRestored"] < status["progress"]["totalItems"]:
            total = status["progress"]["totalItems"]
            done = min(total, status["progress"]["itemsRestored"] + max(1, math.ceil(total / 4)))
            await self._status("restores", name, {"progress": {"totalItems": total, "itemsRestored": done}})
        else:
            following = self._next(current, self.restore_outcome)
            if following in FINAL:
                warnings = await self._restore_items(spec, stored["items"]) if stored else 0
                await self._status("restores", name, {"phase": following, "warnings": warnings,
                                                      "errors": 0 if following == "Completed" else 1})
            else:
                await self._status("restores", name, {"phase": following})

    async def _restore_items(self, spec: dict[str, Any], items: list[tuple[str, dict[str, Any]]]) -> int:
        """Create the backed-up objects (namespaces mapped); an object that exists already is a warning."""
        mapping = spec.get("namespaceMapping") or {}
        creators = {"configmaps": self.core.create_namespaced_config_map, "secrets": self.core.create_namespaced_secret,
                    "services": self.core.create_namespaced_service, "deployments": self.apps.create_namespaced_deployment,
                    "persistentvolumeclaims": self.core.create_namespaced_persistent_volume_claim}
        warnings = 0
        for plural, item in items:
            namespace = mapping.get(item["metadata"]["namespace"], item["metadata"]["namespace"])
            with contextlib.suppress(ApiException):
                await self.core.create_namespace({"metadata": {"name": namespace}})
            meta = {key: item["metadata"][key] for key in ("name", "labels", "annotations") if key in item["metadata"]}
            body = {key: value for key, value in item.items() if key not in ("metadata", "status")}
            # As Velero's restore item actions do: addresses and bindings belong to the old cluster.
            dropped = {"services": ("clusterIP", "clusterIPs"), "persistentvolumeclaims": ("volumeName",)}.get(plural, ())
            if dropped:
                body["spec"] = {key: value for key, value in body.get("spec", {}).items() if key not in dropped}
            try:
                await self._json(creators[plural], namespace, {**body, "metadata": meta})
            except ApiException:
                warnings += 1
        return warnings
