"""Velero's custom objects (velero.io/v1): reading, creating, and following one through its phases.

Following is list-then-watch: list the object by name, then watch it from the
list's resourceVersion (the collection's, which is current; the object's own may
predate a compaction) with a server-side timeout, and list again whenever the
watch ends or its resourceVersion has expired (410). An unknown phase counts as
still running, so a newer Velero's phases do not end a migration early.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

import aiohttp

from chatops.fulfillment import PermanentError
from handlers.kube import k8s
from handlers.kube.clusters import Cluster
from handlers.kube.errors import api_errors
from handlers.kube.listing import paged

GROUP, VERSION = "velero.io", "v1"
BACKUP_PHASES = ("New", "Queued", "ReadyToStart", "InProgress", "WaitingForPluginOperations",
                 "WaitingForPluginOperationsPartiallyFailed", "Finalizing", "FinalizingPartiallyFailed",
                 "Completed", "PartiallyFailed", "Failed", "FailedValidation")
FINISHED = ("Completed", "PartiallyFailed", "Failed", "FailedValidation")
USABLE = ("Completed", "PartiallyFailed")  # a backup in these phases can be restored
KIND_OF = {"backups": "backup", "restores": "restore", "backupstoragelocations": "backup storage location"}

OnUpdate = Callable[[dict[str, Any]], Awaitable[None]]


def phase(obj: dict[str, Any]) -> str:
    return str((obj.get("status") or {}).get("phase") or "New")


def finished(obj: dict[str, Any]) -> bool:
    return phase(obj) in FINISHED


async def get(cluster: Cluster, namespace: str, plural: str, name: str) -> dict[str, Any]:
    with api_errors(cluster.name, "read", f"{KIND_OF[plural]} {namespace}/{name}"):
        return await cluster.call(k8s.CustomObjectsApi(cluster.api).get_namespaced_custom_object,
                                  GROUP, VERSION, namespace, plural, name)


async def find(cluster: Cluster, namespace: str, plural: str, name: str) -> dict[str, Any] | None:
    """The object, or None when it does not exist (yet)."""
    with api_errors(cluster.name, "read", f"{KIND_OF[plural]} {namespace}/{name}"):
        try:
            return await cluster.call(k8s.CustomObjectsApi(cluster.api).get_namespaced_custom_object,
                                      GROUP, VERSION, namespace, plural, name)
        except k8s.ApiException as exc:
            if exc.status == 404:
                return None
            raise


async def items(cluster: Cluster, namespace: str, plural: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    with api_errors(cluster.name, "list", f"{plural} in namespace {namespace}"):
        method = k8s.CustomObjectsApi(cluster.api).list_namespaced_custom_object
        async for _, page in paged(cluster, method, GROUP, VERSION, namespace, plural, page_size=500):
            found += page
    return found


async def create_once(cluster: Cluster, namespace: str, plural: str, body: dict[str, Any]) -> dict[str, Any]:
    """Create the object, or return the existing one of that name (a resumed job creates nothing twice)."""
    name = body["metadata"]["name"]
    with api_errors(cluster.name, "create", f"{KIND_OF[plural]} {namespace}/{name}"):
        try:
            return await cluster.call(k8s.CustomObjectsApi(cluster.api).create_namespaced_custom_object,
                                      GROUP, VERSION, namespace, plural, body)
        except k8s.ApiException as exc:
            if exc.status != 409:
                raise
    return await get(cluster, namespace, plural, name)


async def follow(cluster: Cluster, namespace: str, plural: str, name: str, on_update: OnUpdate, *,
                 watch_seconds: int) -> dict[str, Any]:
    """Call ``on_update`` with each new state of the object until its phase is final; return the final state."""
    api = k8s.CustomObjectsApi(cluster.api)
    by_name = f"metadata.name={name}"
    while True:
        with api_errors(cluster.name, "read", f"{KIND_OF[plural]} {namespace}/{name}"):
            listed = await cluster.call(api.list_namespaced_custom_object, GROUP, VERSION, namespace, plural,
                                        field_selector=by_name)
        if not listed.get("items"):
            raise PermanentError(f"The {KIND_OF[plural]} {name} is gone from {cluster.name}.")
        obj = listed["items"][0]
        await on_update(obj)
        if finished(obj):
            return obj
        try:
            async with k8s.Watch() as stream:
                events = stream.stream(
                    api.list_namespaced_custom_object, GROUP, VERSION, namespace, plural,
                    field_selector=by_name, resource_version=listed["metadata"]["resourceVersion"],
                    timeout_seconds=watch_seconds, _request_timeout=watch_seconds + cluster.timeout,
                )
                async for event in events:
                    if event["type"] == "DELETED":
                        raise PermanentError(f"The {KIND_OF[plural]} {name} was deleted on {cluster.name} while I was following it.")
                    if event["type"] in ("ADDED", "MODIFIED"):
                        obj = event["raw_object"]
                        await on_update(obj)
                        if finished(obj):
                            return obj
        except k8s.ApiException as exc:
            if exc.status != 410:  # 410: our resourceVersion is too old; read again and watch on
                with api_errors(cluster.name, "watch", f"{KIND_OF[plural]} {namespace}/{name}"):
                    raise
        except (asyncio.TimeoutError, aiohttp.ClientError):
            await asyncio.sleep(1.0)  # the stream broke or went quiet: pause, read again and watch on
