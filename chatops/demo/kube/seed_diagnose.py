"""Failing pods as a kubelet and a scheduler would have left them, with their events, seeded through the API.

Works against the stand-in and the real API server alike: the pod is created, its status is written
through the status subresource (there is no kubelet), and its events are core/v1 Event objects.
"""

from __future__ import annotations

import uuid
from typing import Any

from kubernetes_asyncio import client

STARTED = "2024-01-01T00:00:00Z"
PREVIOUS_LOG = "".join(f"loading config {i}\n" for i in range(20)) + "panic: DATABASE_URL is not set\n"


def _container(name: str = "app", *, ready: bool, restarts: int = 0, **state: Any) -> dict[str, Any]:
    last = state.pop("last", None)
    status = {"name": name, "ready": ready, "restartCount": restarts, "image": "registry.example/app:1.4",
              "imageID": "", "started": ready, "state": state or {"running": {"startedAt": STARTED}}}
    if last:
        status["lastState"] = {"terminated": {"containerID": f"containerd://{uuid.uuid4().hex}", "startedAt": STARTED,
                                              "finishedAt": STARTED, **last}}
    return status


def _crashed(reason: str, exit_code: int, restarts: int) -> dict[str, Any]:
    return _container(ready=False, restarts=restarts, last={"exitCode": exit_code, "reason": reason},
                      waiting={"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container=app"})


# Each state: (pod status, events as (type, reason, message, count)).
STATES: dict[str, tuple[dict[str, Any], list[tuple[str, str, str, int]]]] = {
    "crashloop": ({"phase": "Running", "containerStatuses": [_crashed("Error", 1, 7)]},
                  [("Normal", "Pulled", 'Container image "registry.example/app:1.4" already present on machine', 8),
                   ("Warning", "BackOff", "Back-off restarting failed container app", 31)]),
    "oomkilled": ({"phase": "Running", "containerStatuses": [_crashed("OOMKilled", 137, 3)]},
                  [("Warning", "BackOff", "Back-off restarting failed container app", 9)]),
    "imagepull": ({"phase": "Pending", "containerStatuses": [_container(ready=False, waiting={
                      "reason": "ImagePullBackOff", "message": 'Back-off pulling image "registry.example/app:1.4"'})]},
                  [("Warning", "Failed", 'Failed to pull image "registry.example/app:1.4": not found', 4),
                   ("Normal", "BackOff", 'Back-off pulling image "registry.example/app:1.4"', 12)]),
    "liveness": ({"phase": "Running", "containerStatuses": [_container(ready=False, restarts=4,
                                                                        last={"exitCode": 137, "reason": "Error"})]},
                 [("Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500", 12),
                  ("Normal", "Killing", "Container app failed liveness probe, will be restarted", 4)]),
    "readiness": ({"phase": "Running", "containerStatuses": [_container(ready=False)]},
                  [("Warning", "Unhealthy", 'Readiness probe failed: Get "http://10.0.0.7:8080/ready": connection refused', 40)]),
    "unschedulable": ({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                                           "message": "0/3 nodes are available: 3 Insufficient memory."}]},
                      [("Warning", "FailedScheduling", "0/3 nodes are available: 3 Insufficient memory.", 6)]),
    "healthy": ({"phase": "Running", "containerStatuses": [_container(ready=True)]}, []),
}


async def failing_pod(api: client.ApiClient, namespace: str, name: str, state: str, *,
                      labels: dict[str, str] | None = None) -> dict[str, Any]:
    """A pod in ``state`` (a key of STATES) with its events; returns the pod as the API server stored it."""
    core = client.CoreV1Api(api)
    status, events = STATES[state]
    spec: dict[str, Any] = {"containers": [{"name": "app", "image": "registry.example/app:1.4",
                                            "resources": {"limits": {"memory": "128Mi"}}}]}
    if state != "unschedulable":
        spec["nodeName"] = "node-1"
    await core.create_namespaced_pod(namespace, {"metadata": {"name": name, "labels": labels or {}}, "spec": spec})
    pod = await core.patch_namespaced_pod_status(name, namespace, {"status": status})
    for minutes, (kind, reason, message, count) in enumerate(events):
        await event(api, pod, kind, reason, message, count=count, minute=minutes)
    return pod.to_dict()


async def event(api: client.ApiClient, pod: Any, kind: str, reason: str, message: str, *, count: int, minute: int) -> None:
    """A core/v1 Event about ``pod`` (the kubelet's, on container app)."""
    meta = pod.metadata
    body = {"metadata": {"name": f"{meta.name}.{uuid.uuid4().hex[:16]}"},
            "involvedObject": {"kind": "Pod", "apiVersion": "v1", "name": meta.name, "namespace": meta.namespace,
                               "uid": meta.uid, "fieldPath": "spec.containers{app}"},
            "type": kind, "reason": reason, "message": message, "count": count,
            "source": {"component": "kubelet", "host": "node-1"},
            "firstTimestamp": STARTED, "lastTimestamp": f"2024-01-01T00:{10 + minute:02}:00Z"}
    await client.CoreV1Api(api).create_namespaced_event(meta.namespace, body)


async def deployment(api: client.ApiClient, namespace: str, name: str) -> None:
    """A Deployment selecting app=<name> (no controller makes its pods: the test seeds them)."""
    labels = {"app": name}
    await client.AppsV1Api(api).create_namespaced_deployment(namespace, {
        "metadata": {"name": name},
        "spec": {"selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels},
                              "spec": {"containers": [{"name": "app", "image": "registry.example/app:1.4"}]}}},
    })
