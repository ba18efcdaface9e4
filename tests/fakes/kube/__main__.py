"""``python -m tests.fakes.kube DIR``: two stand-in clusters (prod-gke, dr-aks) with demo data and a fake
Velero in each, for trying the kube handlers from ``chatops shell``.

It seeds, through the API: pods in ``shop``, an admission webhook ``policy`` whose
certificate expires in 9 days, and WordPress with Velero on both clusters. It
writes DIR/bot.kubeconfig and DIR/policy.yaml (cli:local may do every kube action)
and prints the command to chat with them; Ctrl-C stops it.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from kubernetes_asyncio import config

from tests.fakes.kube.clusters import start_fake_clusters
from tests.fakes.kube.velero import Bucket, FakeVelero
from tests.handlers.kube import seed, seed_velero, seed_webhooks

POLICY = """version: 1
roles:
  kube-operator:
    statements:
      - effect: allow
        actions: ["pods:*", "namespaces:*", "certs:*", "velero:*"]
        resources: ["*"]
bindings:
  - principals: ["cli:local"]
    roles: [kube-operator]
"""


async def _seed(admin_kubeconfig: str) -> None:
    prod = await config.new_client_from_config(admin_kubeconfig, context="prod-gke", persist_config=False)
    dr = await config.new_client_from_config(admin_kubeconfig, context="dr-aks", persist_config=False)
    try:
        await seed.namespace(prod, "shop")
        for i in range(12):
            await seed.pod(prod, "shop", f"web-{i:02}", labels={"app": "web"}, restarts=i % 4,
                           waiting="CrashLoopBackOff" if i == 7 else None)
        await seed_webhooks.webhook(prod, "hooks", "policy", days_left=9)
        for api in (prod, dr):
            await seed_velero.install_velero(api)
            await seed_velero.storage_class(api, "standard-rwo", default=True)
        await seed_velero.wordpress(prod)
    finally:
        await prod.close()
        await dr.close()


async def main(directory: Path) -> None:
    clusters = await start_fake_clusters(("prod-gke", "dr-aks"), directory)
    bucket = Bucket()
    controllers = [FakeVelero(clusters.admin_kubeconfig, name, bucket, tick=0.5) for name in clusters.apis]
    try:
        await _seed(clusters.admin_kubeconfig)
        for controller in controllers:
            await controller.start()
        (directory / "policy.yaml").write_text(POLICY)
        print(f"KUBECONFIG={clusters.kubeconfig} CHATOPS_POLICY={directory / 'policy.yaml'} chatops shell", flush=True)
        await asyncio.Event().wait()
    finally:
        for controller in controllers:
            await controller.stop()
        await clusters.stop()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    target.mkdir(parents=True, exist_ok=True)
    try:
        asyncio.run(main(target.resolve()))
    except KeyboardInterrupt:
        pass
