"""Seeding clusters through the API with an admin client (works against the stand-in and a real server)."""

from __future__ import annotations

import contextlib
from typing import Any

from kubernetes_asyncio import client
from kubernetes_asyncio.client.exceptions import ApiException

# On cluster-scoped objects a test creates (storage classes, webhook configurations): the real servers live
# for the whole session, so the test's teardown deletes whatever carries this label.
SEEDED = {"chatops.test/seeded": "true"}
SEEDED_SELECTOR = "chatops.test/seeded=true"


async def namespace(api: client.ApiClient, name: str) -> None:
    with contextlib.suppress(ApiException):  # already there
        await client.CoreV1Api(api).create_namespace({"metadata": {"name": name}})


def container_status(name: str, *, phase: str, restarts: int, waiting: str | None) -> dict[str, Any]:
    if waiting:
        current: dict[str, Any] = {"waiting": {"reason": waiting}}
    elif phase == "Running":
        current = {"running": {"startedAt": "2024-01-01T00:00:00Z"}}
    elif phase in ("Failed", "Succeeded"):
        current = {"terminated": {"exitCode": 1 if phase == "Failed" else 0, "reason": "Error" if phase == "Failed" else "Completed"}}
    else:
        current = {"waiting": {"reason": "ContainerCreating"}}
    return {"name": name, "ready": phase == "Running" and not waiting, "restartCount": restarts, "image": "nginx",
            "imageID": "", "state": current}


async def pod(
    api: client.ApiClient,
    ns: str,
    name: str,
    *,
    phase: str = "Running",
    labels: dict[str, str] | None = None,
    restarts: int = 0,
    waiting: str | None = None,
    node: str = "node-1",
    containers: tuple[str, ...] = ("app",),
) -> None:
    """A pod with the status a kubelet would have written (set through the status subresource)."""
    core = client.CoreV1Api(api)
    body = {"metadata": {"name": name, "labels": labels or {}},
            "spec": {"nodeName": node, "containers": [{"name": c, "image": "nginx"} for c in containers]}}
    await core.create_namespaced_pod(ns, body)
    statuses = [container_status(c, phase=phase, restarts=restarts, waiting=waiting) for c in containers]
    await core.patch_namespaced_pod_status(name, ns, {"status": {"phase": phase, "containerStatuses": statuses}})


async def remove_seeded(api: client.ApiClient) -> None:
    """Delete the labelled cluster-scoped objects a test left (namespaced ones stay in their own namespaces)."""
    storage, admission = client.StorageV1Api(api), client.AdmissionregistrationV1Api(api)
    for lister, deleter in ((storage.list_storage_class, storage.delete_storage_class),
                            (admission.list_mutating_webhook_configuration, admission.delete_mutating_webhook_configuration),
                            (admission.list_validating_webhook_configuration, admission.delete_validating_webhook_configuration)):
        for item in (await lister(label_selector=SEEDED_SELECTOR)).items:
            await deleter(item.metadata.name)
