"""The demo's two clusters (demo-prod, demo-dr): stand-in API servers, seeded through the API, with Velero in each."""

from __future__ import annotations

from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

from kubernetes_asyncio import config

from chatops.demo.kube import seed, seed_diagnose, seed_velero, seed_webhooks
from chatops.demo.kube.clusters import FakeClusters, start_fake_clusters
from chatops.demo.kube.velero import Bucket, FakeVelero

PROD, DR = "demo-prod", "demo-dr"
CRASHING, PENDING = "checkout-7f9c4-x2k8q", "reports-5d8b6-p4m2n"


async def _seed(clusters: FakeClusters) -> None:
    prod = await config.new_client_from_config(clusters.admin_kubeconfig, context=PROD, persist_config=False)
    dr = await config.new_client_from_config(clusters.admin_kubeconfig, context=DR, persist_config=False)
    try:
        await seed.namespace(prod, "shop")
        for i in range(4):
            await seed.pod(prod, "shop", f"web-{i}", labels={"app": "web"}, restarts=i % 2)
        await seed_diagnose.failing_pod(prod, "shop", CRASHING, "crashloop", labels={"app": "checkout"})
        clusters.apis[PROD].set_log("shop", CRASHING, "app", seed_diagnose.PREVIOUS_LOG, previous=True)
        await seed_diagnose.failing_pod(prod, "shop", PENDING, "unschedulable", labels={"app": "reports"})
        await seed_webhooks.webhook(prod, "hooks", "policy", days_left=9)
        for api in (prod, dr):
            await seed_velero.install_velero(api, "velero")
            await seed_velero.storage_class(api, "standard-rwo", default=True)
        await seed_velero.wordpress(prod, "wordpress")
    finally:
        await prod.close()
        await dr.close()


@asynccontextmanager
async def demo_clusters(directory: Path) -> AsyncIterator[str]:
    """Run and seed both clusters with a Velero controller each; yields the bot's kubeconfig."""
    async with AsyncExitStack() as stack:
        clusters = await start_fake_clusters((PROD, DR), directory)
        stack.push_async_callback(clusters.stop)
        await _seed(clusters)
        bucket = Bucket()
        for name in clusters.apis:
            controller = FakeVelero(clusters.admin_kubeconfig, name, bucket, tick=0.5)
            await controller.start()
            stack.push_async_callback(controller.stop)
        yield clusters.kubeconfig
