"""The ClusterRole in deploy/rbac.yaml covers every Kubernetes API call the handlers make.

The calls are not listed by hand: every kube action runs through the whole chat
(bundled agent, dispatcher, confirmations, job runner) against the Kubernetes
API stand-in, which records each request with its user. Each request the bot
made becomes (API group, resource, verb) the way the API server's RBAC sees it,
and must be granted by the ClusterRole.
"""

from __future__ import annotations

import asyncio
import fnmatch
from pathlib import Path
from typing import AsyncIterator, Mapping

import pytest
import yaml
from kubernetes_asyncio import client, config

from chatops.fulfillment.prematched import MatchedQuery
from chatops.testing import ChatHarness
from tests.fakes.kube.clusters import FakeClusters, start_fake_clusters
from tests.fakes.kube.server import BOT, Call, _parse, _truthy
from tests.fakes.kube.velero import Bucket, FakeVelero
from tests.handlers.kube import seed, seed_diagnose, seed_velero, seed_webhooks
from tests.handlers.kube.conftest import SOURCE, TARGET
from tests.production.manifests import DEPLOY

Grant = tuple[str, str, str]  # API group, resource (with /subresource), verb
VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


def as_grant(call: Call) -> Grant:
    """What RBAC checks for a request: GET on a collection is list (or watch), on an object get."""
    route = _parse(call.path)
    verb = VERBS.get(call.method, "get")
    if call.method == "GET" and route.name is None:
        verb = "watch" if _truthy(call.query.get("watch")) else "list"
    return route.group, f"{route.plural}/{route.sub}" if route.sub else route.plural, verb


def cluster_role_rules() -> list[dict[str, list[str]]]:
    role = next(d for d in yaml.safe_load_all((DEPLOY / "rbac.yaml").read_text()) if d and d["kind"] == "ClusterRole")
    return list(role["rules"])


def granted(grant: Grant, rules: list[dict[str, list[str]]]) -> bool:
    group, resource, verb = grant
    return any(
        group in rule["apiGroups"] and any(fnmatch.fnmatchcase(resource, r) for r in rule["resources"])
        and (verb in rule["verbs"] or "*" in rule["verbs"])
        for rule in rules
    )


@pytest.fixture
async def clusters(tmp_path: Path) -> AsyncIterator[FakeClusters]:
    fake = await start_fake_clusters((SOURCE, TARGET), tmp_path)
    yield fake
    await fake.stop()


@pytest.fixture
async def admin(clusters: FakeClusters) -> AsyncIterator[Mapping[str, client.ApiClient]]:
    apis = {name: await config.new_client_from_config(clusters.admin_kubeconfig, context=name, persist_config=False)
            for name in clusters.apis}
    yield apis
    for api in apis.values():
        await api.close()


async def seed_everything(admin: Mapping[str, client.ApiClient], clusters: FakeClusters) -> None:
    await seed.namespace(admin[SOURCE], "shop")
    for i in range(7):
        await seed.pod(admin[SOURCE], "shop", f"web-{i}", restarts=i)
    clusters.apis[SOURCE].set_log("shop", "web-0", "app", "started\n")
    await seed_diagnose.deployment(admin[SOURCE], "shop", "my-app")
    await seed_diagnose.failing_pod(admin[SOURCE], "shop", "my-app-0", "crashloop", labels={"app": "my-app"})
    clusters.apis[SOURCE].set_log("shop", "my-app-0", "app", "panic\n", previous=True)
    await seed_webhooks.webhook(admin[SOURCE], "hooks", "policy", days_left=9)
    for context in (SOURCE, TARGET):
        await seed_velero.install_velero(admin[context])
        await seed_velero.storage_class(admin[context], "standard-rwo", default=True)
    await seed_velero.wordpress(admin[SOURCE])


async def until_job_done(chat: ChatHarness, job_id: int) -> None:
    for _ in range(400):
        job = await chat.runtime.store.get_job(job_id)
        if job is not None and job.state in ("succeeded", "failed"):
            assert job.state == "succeeded", job.result
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


async def test_the_cluster_role_grants_every_call_the_kube_handlers_make(
    clusters: FakeClusters, admin: Mapping[str, client.ApiClient]
) -> None:
    await seed_everything(admin, clusters)
    bucket = Bucket()
    controllers = [FakeVelero(clusters.admin_kubeconfig, context, bucket) for context in (SOURCE, TARGET)]
    for controller in controllers:
        await controller.start()
    kube = {"kubeconfig": clusters.kubeconfig, "default_cluster": SOURCE, "page_size": 4, "table_rows": 5,
            "timeout_seconds": 5.0, "velero_poll_seconds": 0.05, "watch_seconds": 2}
    try:
        async with ChatHarness(overrides={"kube": kube}) as chat:
            replies = [(await chat.say(utterance)).text for utterance in (
                "list pods in shop", "show more", "show the logs of web-0 in shop", "list the namespaces in dr-aks",
                "why is my-app failing in shop", "what's wrong with pod my-app-0 in shop",
                "check webhook certificates on prod-gke", "rotate the certificate of policy", "yes",
                "list backups in dr-aks", "migrate namespace wordpress from prod-gke to dr-aks", "yes",
            )]
            assert "panic" in replies[4] and "panic" in replies[5], replies[4:6]
            assert replies[8].startswith("Rotated the certificate of webhook configuration policy"), replies[8]
            assert replies[11].startswith("Migration 1 started"), replies[11]
            await until_job_done(chat, 1)
            assert (await chat.say("status of migration 1")).text.startswith("Migration 1")
            # A pre-matched turn, as DialogFlow sends it: the restart parameter exactly as given, no NLU in between.
            conversation, who = chat.runtime.conversation, chat.principal
            rotate = {"webhook": "policy", "restart": True, "force": True}
            planned = await conversation.handle_matched(
                MatchedQuery(session="restart", intent="certs.rotate", action="certs.rotate", parameters=rotate, principal=who))
            assert "rollout restart" in planned.reply.text, planned.reply.text
            restarted = await conversation.handle_matched(
                MatchedQuery(session="restart", intent="confirm.yes", action="confirm.yes", principal=who))
            assert "restarting" in restarted.reply.text, restarted.reply.text
    finally:
        for controller in controllers:
            await controller.stop()

    calls = [call for api in clusters.apis.values() for call in api.calls if call.user == BOT]
    made = {as_grant(call) for call in calls}
    resources = {resource for _, resource, _ in made}
    # The scenario reached every part of the handlers: pods, logs, webhooks, secrets, deployments, Velero.
    assert {"pods", "pods/log", "events", "namespaces", "secrets", "services", "deployments", "backups", "restores"} <= resources, sorted(made)
    assert {("", "pods", "get"), ("", "events", "list")} <= made, sorted(made)
    assert {("", "secrets", "update"), ("apps", "deployments", "patch")} <= made, sorted(made)
    assert any(r.endswith("webhookconfigurations") for r in resources)
    rules = cluster_role_rules()
    missing = sorted(grant for grant in made if not granted(grant, rules))
    assert missing == [], f"deploy/rbac.yaml lacks: {missing}"
    assert [c for c in calls if c.status == 403] == []
