"""The kube handlers in a whole conversation: the bundled agent, the dispatcher's confirmations, the job runner."""

from __future__ import annotations

import asyncio
import base64
from typing import AsyncIterator, Mapping

import pytest
from kubernetes_asyncio import client

from chatops.channels.slack_render import SlackTarget, read_value, render_blocks
from chatops.models import Confirmation
from chatops.testing import ChatHarness
from tests.fakes.kube.velero import Bucket, FakeVelero
from tests.handlers.kube import seed, seed_diagnose, seed_velero, seed_webhooks
from tests.handlers.kube.conftest import SOURCE, TARGET, KubeCluster, kube_overrides


@pytest.fixture
async def chat(kube_cluster: KubeCluster) -> AsyncIterator[ChatHarness]:
    async with ChatHarness(overrides={"kube": kube_overrides(kube_cluster)}) as harness:
        yield harness


async def test_list_pods_and_show_more(chat: ChatHarness, admin: Mapping[str, client.ApiClient],
                                       kube_cluster: KubeCluster) -> None:
    shop = kube_cluster.ns("shop")
    await seed.namespace(admin[SOURCE], shop)
    for i in range(7):
        await seed.pod(admin[SOURCE], shop, f"web-{i}", restarts=i)
    first = await chat.say(f"list pods in {shop}")
    assert first.text.startswith(f"7 pods in namespace {shop} on prod-gke: 7 Running; 21 restarts")
    assert "Showing 1-5 of 7." in first.text
    more = await chat.say("show more")
    assert [p["name"] for p in more.data["pods"]] == ["web-5", "web-6"]
    over = await chat.say("show more")
    assert over.text == "That was all: the last listing had no more pods."


async def test_rotate_a_webhook_certificate_with_confirmation(chat: ChatHarness, admin: Mapping[str, client.ApiClient],
                                                              kube_cluster: KubeCluster) -> None:
    hooks = kube_cluster.ns("hooks")
    seeded = await seed_webhooks.webhook(admin[SOURCE], hooks, "policy", days_left=9)
    asked = await chat.say("rotate the certificate of policy and restart the deployment")
    assert "Plan to rotate the certificate of webhook configuration policy on prod-gke" in asked.text
    assert f"Deployment {hooks}/policy: rollout restart" in asked.text
    secret = await client.CoreV1Api(admin[SOURCE]).read_namespaced_secret("policy-certs", hooks)
    assert base64.b64decode(secret.data["tls.crt"]).decode() == seeded.material.tls_crt  # nothing changed yet
    done = await chat.say("yes")
    assert done.text.startswith("Rotated the certificate of webhook configuration policy on prod-gke (EC P-256):")
    assert "Deployment policy restarting" in done.text
    secret = await client.CoreV1Api(admin[SOURCE]).read_namespaced_secret("policy-certs", hooks)
    assert base64.b64decode(secret.data["tls.crt"]).decode() != seeded.material.tls_crt


async def test_a_dry_run_shows_the_plan_and_asks_nothing(chat: ChatHarness, admin: Mapping[str, client.ApiClient],
                                                        kube_cluster: KubeCluster) -> None:
    hooks = kube_cluster.ns("hooks")
    seeded = await seed_webhooks.webhook(admin[SOURCE], hooks, "policy", days_left=9)
    plan = await chat.say("just show the plan for rotating the cert of policy")
    assert plan.text.startswith("Plan to rotate the certificate of webhook configuration policy on prod-gke (dry run")
    assert not [part for part in plan.parts if isinstance(part, Confirmation)]
    await chat.say("yes")  # nothing was asked, so nothing is confirmed
    audit = await chat.runtime.store.query_audit(action="certs.rotate")
    assert [(record.decision, record.outcome) for record in audit] == [("dry-run", "plan shown")]
    secret = await client.CoreV1Api(admin[SOURCE]).read_namespaced_secret("policy-certs", hooks)
    assert base64.b64decode(secret.data["tls.crt"]).decode() == seeded.material.tls_crt


async def test_migrate_with_progress_then_status(chat: ChatHarness, kube_cluster: KubeCluster,
                                                 admin: Mapping[str, client.ApiClient]) -> None:
    wordpress, blog = kube_cluster.ns("wordpress"), kube_cluster.ns("blog")
    for context in (SOURCE, TARGET):
        await seed_velero.install_velero(admin[context], kube_cluster.velero_namespace)
        await seed_velero.storage_class(admin[context], "standard-rwo", default=True)
    await seed_velero.wordpress(admin[SOURCE], wordpress)
    bucket = Bucket()
    controllers = [FakeVelero(kube_cluster.admin_kubeconfig, context, bucket, namespace=kube_cluster.velero_namespace)
                   for context in (SOURCE, TARGET)]
    for controller in controllers:
        await controller.start()
    try:
        asked = await chat.say(f"migrate namespace {wordpress} from prod-gke to dr-aks into namespace {blog}")
        assert "pre-flight passed" in asked.text
        started = await chat.say("yes")
        assert started.text.startswith(f"Migration 1 started: namespace {wordpress} from prod-gke to dr-aks (as {blog}).")
        for _ in range(300):
            job = await chat.runtime.store.get_job(1)
            if job is not None and job.state == "succeeded":
                break
            await asyncio.sleep(0.05)
        assert job is not None and job.state == "succeeded"
        status = await chat.say("status of migration 1")
        assert status.text.startswith(f"Migration 1 ({wordpress}: prod-gke → dr-aks) succeeded.")
        posted = [n.text for n in chat.last.notifications]
        assert any(f"backup chatops-{wordpress}-1 Completed" in text for text in posted)
        assert posted[-1].startswith(f"Migration 1 ({wordpress}: prod-gke → dr-aks) finished: restore chatops-{wordpress}-1 "
                                     f"Completed into namespace {blog} in dr-aks")
        restored = await client.CoreV1Api(admin[TARGET]).read_namespaced_config_map("wp-config", blog)
        assert restored.data == {"WP_DEBUG": "0"}
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


async def test_why_is_my_app_failing(chat: ChatHarness, admin: Mapping[str, client.ApiClient], fakes) -> None:
    await seed.namespace(admin[SOURCE], "staging")
    await seed_diagnose.deployment(admin[SOURCE], "staging", "my-app")
    await seed_diagnose.failing_pod(admin[SOURCE], "staging", "my-app-5c7d9-aaaaa", "crashloop", labels={"app": "my-app"})
    fakes[SOURCE].set_log("staging", "my-app-5c7d9-aaaaa", "app", seed_diagnose.PREVIOUS_LOG, previous=True)
    fakes[SOURCE].set_log("staging", "my-app-5c7d9-aaaaa", "app", "starting\n")
    reply = await chat.say("why is my-app failing in staging")
    assert reply.text.startswith("1 of 1 pod in deployment staging/my-app on prod-gke failing:")
    assert "container app keeps crashing: it exited with code 1 (Error); restarted 7 times" in reply.text  # the cause
    assert "Warning BackOff (x31): Back-off restarting failed container app" in reply.text  # the events
    assert "panic: DATABASE_URL is not set" in reply.text  # the previous container's last log lines
    audit = await chat.runtime.store.query_audit(action="pods.diagnose")
    assert sorted((record.outcome, record.parameters["name"]) for record in audit) == [("ok", "my-app"), ("started", "my-app")]
    # In Slack the message carries a "show logs" button; its click says what the card's button holds.
    target = SlackTarget("C1", None, "U1")
    buttons = [e for b in render_blocks(reply, target) if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["show logs"]
    logs = await chat.say(read_value(buttons[0]["value"])["say"])
    assert logs.text.startswith("Last 40 lines of staging/my-app-5c7d9-aaaaa (app) on prod-gke:") and "starting" in logs.text
