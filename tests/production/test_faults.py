"""Faults through the running service: each dependency fails, the user gets a clear reply, and it recovers alone.

Every test drives the real app over HTTP (REST query, DialogFlow webhook, Slack
events, health) while a real dependency misbehaves: the Mongo-wire store
process is stopped and started again, the loopback Reddit answers 403 and 429,
a proxy in front of moto throttles SSM, the Kubernetes API stand-in answers
500 or nothing, and a proxy in front of the fake Slack answers 429 with
Retry-After. Nothing is restarted on the service side.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient
from kubernetes_asyncio import config

from chatops.fulfillment import texts
from tests.fakes.kube.clusters import start_fake_clusters
from tests.handlers.kube import seed
from tests.handlers.kube.conftest import SOURCE, TARGET
from tests.channels.slack_support import event, joined_workspace, post_event, slack_settings
from tests.fakes.reddit import Fault, FakeReddit
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_ratelimit import RateLimitProxy
from tests.fakes.ssm_faults import SsmFaultProxy
from tests.production.conftest import say, serve, settings_for
from tests.store.ferretdb import FerretDBProcess, require_binary, with_database

V2 = {
    "session": "projects/p/agent/sessions/df",
    "queryResult": {"queryText": "help", "intent": {"displayName": "help"}, "fulfillmentText": "Here is what I can do."},
}


async def until_ready(client: TestClient, *, seconds: float) -> float:
    """Seconds until /readyz answers 200 again (polled as a Kubernetes probe would)."""
    start = time.monotonic()
    while (await client.get("/readyz")).status != 200:
        assert time.monotonic() - start < seconds, f"not ready again after {seconds} s"
        await asyncio.sleep(0.2)
    return time.monotonic() - start


@pytest.fixture
async def ferretdb() -> AsyncIterator[FerretDBProcess]:
    """A Mongo-wire server of this test's own, so stopping it disturbs nothing else."""
    process = FerretDBProcess(require_binary())
    await asyncio.to_thread(process.start)
    yield process
    await asyncio.to_thread(process.remove)


async def test_store_outage_answers_clearly_and_recovers_without_a_restart(ferretdb: FerretDBProcess, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, store={"url": with_database(ferretdb.uri, "chatops_faults"), "timeout_seconds": 1.0})
    async with serve(settings) as client:
        before = await say(client, "tell me a joke", session="kept")
        assert any(c["name"] == "reddit-followup" for c in before["outputContexts"]), before["outputContexts"]

        await asyncio.to_thread(ferretdb.stop)
        ready = await client.get("/readyz")
        assert ready.status == 503
        assert (await ready.json())["error"] == "store_unavailable"
        assert (await client.get("/healthz")).status == 200  # alive: Kubernetes must not restart it for this
        started = time.monotonic()
        down = await client.post("/api/v1/query", json={"session": "kept", "text": "help"})
        assert down.status == 503 and time.monotonic() - started < 5
        assert await down.json() == {"error": "store_unavailable", "message": texts.STORE_DOWN}
        webhook = await client.post("/dialogflow/webhook", json=V2)
        assert webhook.status == 200 and (await webhook.json())["fulfillmentText"] == texts.STORE_DOWN
        assert "chatops_store_up 0" in await (await client.get("/metrics")).text()

        await asyncio.to_thread(ferretdb.start)  # same port, same data
        assert await until_ready(client, seconds=20) < 20
        after = await say(client, "another one", session="kept")  # the session's context survived the outage
        assert after["intent"]["name"] == "reddit.another", after["intent"]
        assert after["reply"]["text"]


@pytest.fixture
async def reddit_client(reddit: FakeReddit, tmp_path: Path) -> AsyncIterator[TestClient]:
    async with serve(settings_for(tmp_path, reddit={"base_url": reddit.url, "cache_seconds": 0})) as client:
        yield client


def from_reddit(body: dict[str, object]) -> bool:
    return "Joke number" in str(body["reply"])  # the fake's listing; the local collection has other jokes


async def test_reddit_403_page_falls_back_to_the_local_collection_then_recovers(
    reddit: FakeReddit, reddit_client: TestClient
) -> None:
    reddit.faults["jokes"] = [Fault("403html")]
    blocked = await say(reddit_client, "tell me a joke")
    assert not from_reddit(blocked) and "local collection" in blocked["reply"]["text"]
    assert len(reddit.requests_to("/r/jokes/top.json")) == 1
    recovered = await say(reddit_client, "tell me a joke", session="s2")
    assert from_reddit(recovered), recovered["reply"]["text"]


async def test_reddit_429_is_honoured_then_recovers(reddit: FakeReddit, reddit_client: TestClient) -> None:
    reddit.faults["jokes"] = [Fault("429", retry_after=3)]  # long: answer now, from the local collection
    started = time.monotonic()
    slowed = await say(reddit_client, "tell me a joke", session="long")
    assert time.monotonic() - started < 1.5
    assert "slow down" in slowed["reply"]["text"] and not from_reddit(slowed)
    again = await say(reddit_client, "tell me a joke", session="long2")  # within Retry-After: Reddit is left alone
    assert not from_reddit(again) and len(reddit.requests_to("/r/jokes/top.json")) == 1
    await asyncio.sleep(3.1)
    recovered = await say(reddit_client, "tell me a joke", session="after")
    assert from_reddit(recovered), recovered["reply"]["text"]

    reddit.faults["jokes"] = [Fault("429", retry_after=1)]  # short: waited out in place, then retried once
    calls = len(reddit.requests_to("/r/jokes/top.json"))
    waited = await say(reddit_client, "tell me a joke", session="short")
    assert from_reddit(waited) and len(reddit.requests_to("/r/jokes/top.json")) == calls + 2


@pytest.fixture
async def ssm_proxy(fresh_moto: str) -> AsyncIterator[SsmFaultProxy]:
    proxy = await SsmFaultProxy(fresh_moto).start()
    yield proxy
    await proxy.stop()


async def test_ssm_throttling_is_retried_then_reported_then_recovers(ssm_proxy: SsmFaultProxy, tmp_path: Path) -> None:
    aws = {"endpoint_url": ssm_proxy.url, "region": "eu-west-1", "ssm_attempts": 3, "ssm_backoff_seconds": 0.05}
    async with serve(settings_for(tmp_path, aws=aws)) as client:
        ssm_proxy.fail("GetParametersByPath", times=2)  # fewer than the attempts: the user never notices
        absorbed = await say(client, "list secrets under /development")
        assert ssm_proxy.count("GetParametersByPath") == 3
        assert "throttl" not in absorbed["reply"]["text"].lower()

        ssm_proxy.fail("GetParametersByPath", times=3)  # every attempt throttled: a clear answer
        throttled = await say(client, "list secrets under /development")
        assert throttled["reply"]["text"] == "AWS is throttling SSM requests right now; try again in a minute."

        recovered = await say(client, "list secrets under /development")
        assert recovered["reply"]["text"] == absorbed["reply"]["text"]


async def test_slack_rate_limit_is_waited_out_and_the_answer_still_arrives(tmp_path: Path) -> None:
    async with FakeSlack(workspace=joined_workspace()) as slack, RateLimitProxy(slack.base_url) as proxy:
        async with serve(slack_settings(settings_for(tmp_path), slack, api_base_url=proxy.base_url)) as client:
            proxy.limit("chat.postMessage", times=1, retry_after=1)
            status, _ = await post_event(client, event(text="<@UBOT> help", event_id="Ev429a"))
            assert status == 200  # acknowledged at once, whatever Slack's Web API does afterwards
            [posted] = await slack.wait_for("chat.postMessage", timeout=10)
            assert posted.args["text"].startswith("Here is what I can do")
            (limited, first), (retried, second) = proxy.calls("chat.postMessage")
            assert (first, second) == (429, 200) and retried - limited >= 1.0  # Retry-After was honoured

            status, _ = await post_event(client, event(text="<@UBOT> help", event_id="Ev429b"))
            assert status == 200
            await slack.wait_for("chat.postMessage", count=2, timeout=5)
            assert [s for _, s in proxy.calls("chat.postMessage")][2:] == [200]  # recovered: straight through


async def test_kubernetes_api_500_and_silence_get_clear_answers_then_recover(tmp_path: Path) -> None:
    clusters = await start_fake_clusters((SOURCE, TARGET), tmp_path)
    try:
        admin = await config.new_client_from_config(clusters.admin_kubeconfig, context=SOURCE, persist_config=False)
        async with admin:
            await seed.namespace(admin, "shop")
            await seed.pod(admin, "shop", "web-0")
        kube = {"kubeconfig": clusters.kubeconfig, "default_cluster": SOURCE, "timeout_seconds": 1.0}
        api = clusters.apis[SOURCE]
        async with serve(settings_for(tmp_path, kube=kube)) as client:
            pods = "/api/v1/namespaces/shop/pods"
            api.fail(500, method="GET", path_prefix=pods, times=1)
            failed = (await say(client, "list pods in shop", session="k1"))["reply"]["text"]
            assert len(api.calls_to("GET", pods)) == 1, "a 500 is answered at once, not retried in a loop"
            assert "prod-gke" in failed and "web-0" not in failed, failed

            api.stall(3.0, method="GET", path_prefix=pods, times=1)
            started = time.monotonic()
            silent = (await say(client, "list pods in shop", session="k2"))["reply"]["text"]
            assert time.monotonic() - started < 2.5, "the 1 s client timeout bounds the wait"
            assert silent == "The cluster API of prod-gke is not answering; try again in a minute.", silent

            recovered = (await say(client, "list pods in shop", session="k3"))["reply"]["text"]
            assert recovered.startswith("1 pod in namespace shop on prod-gke") and "web-0" in recovered, recovered
    finally:
        await clusters.stop()
