"""The kube handlers in a whole conversation: the bundled agent, the dispatcher's confirmations, the job runner."""

from __future__ import annotations

import asyncio
import base64
from typing import AsyncIterator, Mapping

import pytest
from kubernetes_asyncio import client

from chatops.testing import ChatHarness
from tests.fakes.kube.velero import Bucket, FakeVelero
from tests.handlers.kube import seed, seed_velero, seed_webhooks
from tests.handlers.kube.conftest import SOURCE, TARGET, KubeCluster, kube_overrides


@pytest.fixture
async def chat(kube_cluster: KubeCluster) -> AsyncIterator[ChatHarness]:
    async with ChatHarness(overrides={"kube": kube_overrides(kube_cluster)}) as harness:
        yield harness


async def test_list_pods_and_show_more(chat: ChatHarness, admin: Mapping[str, client.ApiClient]) -> None:
    await seed.namespace(admin[SOURCE], "shop")
    for i in range(7):
        await seed.pod(admin[SOURCE], "shop", f"web-{i}", restarts=i)
    first = await chat.say("list pods in shop")
    assert first.text.startswith("7 pods in namespace shop on prod-gke: 7 Running; 21 restarts")
    assert "Showing 1-5 of 7." in first.text
    more = await chat.say("show more")
    assert [p["name"] for p in more.data["pods"]] == ["web-5", "web-6"]
    over = await chat.say("show more")
    assert over.text == "That was all: the last listing had no more pods."


async def test_rotate_a_webhook_certificate_with_confirmation(chat: ChatHarness, admin: Mapping[str, client.ApiClient]) -> None:
    seeded = await seed_webhooks.webhook(admin[SOURCE], "hooks", "policy", days_left=9)
    asked = await chat.say("rotate the certificate of policy")
    assert "Plan to rotate the certificate of webhook configuration policy on prod-gke" in asked.text
    secret = await client.CoreV1Api(admin[SOURCE]).read_namespaced_secret("policy-certs", "hooks")
    assert base64.b64decode(secret.data["tls.crt"]).decode() == seeded.material.tls_crt  # nothing changed yet
    done = await chat.say("yes")
    assert done.text.startswith("Rotated the certificate of webhook configuration policy on prod-gke (EC P-256):")
    secret = await client.CoreV1Api(admin[SOURCE]).read_namespaced_secret("policy-certs", "hooks")
    assert base64.b64decode(secret.data["tls.crt"]).decode() != seeded.material.tls_crt


async def test_migrate_with_progress_then_status(chat: ChatHarness, kube_cluster: KubeCluster,
                                                 admin: Mapping[str, client.ApiClient]) -> None:
    for context in (SOURCE, TARGET):
        await seed_velero.install_velero(admin[context])
        await seed_velero.storage_class(admin[context], "standard-rwo", default=True)
    await seed_velero.wordpress(admin[SOURCE])
    bucket = Bucket()
    controllers = [FakeVelero(kube_cluster.admin_kubeconfig, context, bucket) for context in (SOURCE, TARGET)]
    for controller in controllers:
        await controller.start()
    try:
        asked = await chat.say("migrate namespace wordpress from prod-gke to dr-aks")
        assert "pre-flight passed" in asked.text
        started = await chat.say("yes")
        assert started.text.startswith("Migration 1 started: namespace wordpress from prod-gke to dr-aks.")
        for _ in range(300):
            job = await chat.runtime.store.get_job(1)
            if job is not None and job.state == "succeeded":
                break
            await asyncio.sleep(0.05)
        assert job is not None and job.state == "succeeded"
        status = await chat.say("status of migration 1")
        assert status.text.startswith("Migration 1 (wordpress: prod-gke → dr-aks) succeeded.")
        posted = [n.text for n in chat.last.notifications]
        assert any("backup chatops-wordpress-1 Completed" in text for text in posted)
        assert posted[-1].startswith("Migration 1 (wordpress: prod-gke → dr-aks) finished: restore chatops-wordpress-1 Completed")
    finally:
        for controller in controllers:
            await controller.stop()


async def test_logs_and_namespaces(chat: ChatHarness, admin: Mapping[str, client.ApiClient], fakes) -> None:
    await seed.namespace(admin[SOURCE], "shop")
    await seed.pod(admin[SOURCE], "shop", "web-0")
    fakes[SOURCE].set_log("shop", "web-0", "app", "started\nlistening on :8080\n")
    logs = await chat.say("show the logs of web-0 in shop")
    assert logs.text.startswith("Last 40 lines of shop/web-0 on prod-gke:") and "listening on :8080" in logs.text
    namespaces = await chat.say("list the namespaces in dr-aks")
    assert namespaces.text.startswith("0 namespaces on dr-aks")
