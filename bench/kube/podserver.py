"""``python -m bench.kube.podserver DIR PODS``: the API stand-in with PODS realistic pods, in its own process.

Running the server apart keeps its memory and CPU out of the client-side figures.
It writes DIR/bench.kubeconfig, prints READY, and serves until stdin closes.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path
from typing import Any

from chatops.demo.kube.clusters import write_kubeconfig
from chatops.demo.kube.server import BOT, FakeKubeApi

PHASES = ["Running"] * 16 + ["Pending", "Failed", "Succeeded"]


def pod(i: int) -> dict[str, Any]:
    """About what a Deployment's pod looks like from the API (3-4 KB of JSON)."""
    namespace, app = f"team-{i % 50:02}", f"svc-{i % 120}"
    crashing = i % 97 == 0
    waiting = {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}}
    containers = [{"name": name, "image": f"registry.example.com/{app}/{name}:1.{i % 9}.0",
                   "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                   "env": [{"name": f"VAR_{k}", "value": f"value-{k}"} for k in range(5)],
                   "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
                   "volumeMounts": [{"name": "config", "mountPath": "/etc/app"}, {"name": "token", "mountPath": "/var/run/secrets"}]}
                  for name in ("app", "sidecar")]
    statuses = [{"name": c["name"], "ready": not crashing, "restartCount": 7 if crashing else i % 3, "image": c["image"],
                 "imageID": f"sha256:{uuid.UUID(int=i).hex * 2}", "containerID": f"containerd://{uuid.UUID(int=i + 1).hex * 2}",
                 "started": True, "state": waiting if crashing else {"running": {"startedAt": "2024-05-01T10:00:00Z"}}}
                for c in containers]
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": f"{app}-{uuid.UUID(int=i).hex[:10]}-{i:05}", "namespace": namespace, "uid": str(uuid.UUID(int=i)),
                     "creationTimestamp": "2024-05-01T09:59:00Z", "generation": 1,
                     "labels": {"app": app, "pod-template-hash": "5d8f7c9b6d", "tier": "web"},
                     "annotations": {"prometheus.io/scrape": "true", "kubectl.kubernetes.io/restartedAt": "2024-05-01T09:58:00Z"},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"{app}-5d8f7c9b6d",
                                          "uid": str(uuid.UUID(int=i % 120)), "controller": True, "blockOwnerDeletion": True}]},
        "spec": {"containers": containers, "nodeName": f"node-{i % 40}", "serviceAccountName": "default",
                 "volumes": [{"name": "config", "configMap": {"name": f"{app}-config"}}, {"name": "token", "projected": {"sources": []}}]},
        "status": {"phase": "Running" if crashing else PHASES[i % len(PHASES)], "podIP": f"10.0.{i // 250}.{i % 250}",
                   "hostIP": f"192.168.0.{i % 40}", "qosClass": "Burstable", "startTime": "2024-05-01T09:59:01Z",
                   "conditions": [{"type": t, "status": "True", "lastTransitionTime": "2024-05-01T09:59:05Z"}
                                  for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")],
                   "containerStatuses": statuses},
    }


async def main(directory: Path, count: int) -> None:
    api = FakeKubeApi()
    for namespace in sorted({f"team-{i % 50:02}" for i in range(count)}):
        api.store.put(("", "namespaces"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}, "ADDED")
    for i in range(count):
        api.store.put(("", "pods"), pod(i), "ADDED")
    await api.start()
    write_kubeconfig(directory / "bench.kubeconfig", {"bench": (api.url, api.token(BOT))}, "bench")
    print("READY", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin
    await api.stop()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
