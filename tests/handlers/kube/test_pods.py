"""pods.list, pods.more, pods.logs and namespaces.list against the API stand-in, through kubernetes-asyncio."""

from __future__ import annotations

from typing import Mapping

import pytest
from kubernetes_asyncio import client

from chatops.fulfillment import AccessError, InputError, NotFoundError, RetryableError
from chatops.models import Visibility
from handlers import pods
from tests.fakes.kube.server import BOT, FakeKubeApi
from tests.handlers.kube import seed
from tests.handlers.kube.conftest import SOURCE, TARGET, KubeCluster, MakeCall, contexts_of


async def run(make_call: MakeCall, action: str, **kwargs):
    return await pods.table.actions[action].handler(make_call(action, **kwargs))


@pytest.fixture
async def shop(admin: Mapping[str, client.ApiClient]) -> None:
    """12 pods in shop (8 Running, 2 Pending, 1 Failed, 1 CrashLoopBackOff) and 2 in kube-system."""
    api = admin[SOURCE]
    await seed.namespace(api, "shop")
    await seed.namespace(api, "kube-system")
    for i in range(8):
        await seed.pod(api, "shop", f"web-{i:02}", labels={"app": "web"}, restarts=3 if i == 2 else 0, node=f"node-{i % 3}")
    await seed.pod(api, "shop", "queue-0", phase="Pending", labels={"app": "queue"})
    await seed.pod(api, "shop", "queue-1", phase="Pending", labels={"app": "queue"})
    await seed.pod(api, "shop", "batch-0", phase="Failed", labels={"app": "batch"})
    await seed.pod(api, "shop", "api-0", labels={"app": "api"}, restarts=17, waiting="CrashLoopBackOff")
    await seed.pod(api, "kube-system", "dns-0", labels={"app": "dns"})
    await seed.pod(api, "kube-system", "dns-1", labels={"app": "dns"}, phase="Pending")


async def test_list_summarises_every_page_and_pages_the_table(make_call: MakeCall, shop: None,
                                                              kube_cluster: KubeCluster) -> None:
    reply = await run(make_call, "pods.list", namespace="shop")
    assert reply.text.startswith("12 pods in namespace shop on prod-gke: 8 Running, 2 Pending, 1 Failed, "
                                 "1 CrashLoopBackOff; 20 restarts (most: shop/api-0, 17).")
    assert [p["name"] for p in reply.data["pods"]] == ["api-0", "batch-0", "queue-0", "queue-1", "web-00"]
    assert "CrashLoopBackOff" in reply.text and "NODE" in reply.text and "Showing 1-5 of 12." in reply.text
    assert reply.parts[0].options == ("show more",)
    second = await run(make_call, "pods.more", contexts=contexts_of(reply))
    assert [p["name"] for p in second.data["pods"]] == ["web-01", "web-02", "web-03", "web-04", "web-05"]
    assert "Showing 6-10 of 12." in second.text
    third = await run(make_call, "pods.more", contexts=contexts_of(second))
    assert [p["name"] for p in third.data["pods"]] == ["web-06", "web-07"] and not third.data["more"]
    assert third.contexts[0].parameters["done"] and not third.parts
    over = await run(make_call, "pods.more", contexts=contexts_of(third))
    assert over.text == "That was all: the last listing had no more pods."
    if kube_cluster.fakes:  # the stand-in records how the pages were asked for
        lists = kube_cluster.fakes[SOURCE].calls_to("GET", "/api/v1/namespaces/shop/pods")
        assert all(call.query["limit"] == "4" for call in lists)
        assert sum("continue" in call.query for call in lists) >= 3


async def test_all_namespaces_with_selector_and_state(make_call: MakeCall, shop: None, kube_cluster: KubeCluster) -> None:
    everywhere = await run(make_call, "pods.list", namespace="all")
    assert everywhere.text.startswith("14 pods in all namespaces") and "NAMESPACE" in everywhere.text
    pending = await run(make_call, "pods.list", namespace="all", status="pending", selector="app notin (dns)")
    assert pending.data["summary"]["total"] == 2 and {p["name"] for p in pending.data["pods"]} == {"queue-0", "queue-1"}
    crashing = await run(make_call, "pods.list", namespace="shop", status="CrashLoopBackOff")
    assert [p["name"] for p in crashing.data["pods"]] == ["api-0"] and not crashing.parts
    if kube_cluster.fakes:
        call = kube_cluster.fakes[SOURCE].calls_to("GET", "/api/v1/pods")[-1]
        assert call.query["fieldSelector"] == "status.phase=Pending" and call.query["labelSelector"] == "app notin (dns)"


async def test_other_cluster_by_name(make_call: MakeCall, admin: Mapping[str, client.ApiClient]) -> None:
    await seed.namespace(admin[TARGET], "dr")
    await seed.pod(admin[TARGET], "dr", "standby-0")
    reply = await run(make_call, "pods.list", namespace="dr", cluster="DR-AKS")
    assert reply.text.startswith("1 pod in namespace dr on dr-aks: 1 Running")


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"namespace": "Bad_NS"}, "'Bad_NS' is not a valid namespace name"),
        ({"namespace": "shop", "selector": "app in ()"}, "empty set"),
        ({"namespace": "shop", "selector": "-bad=x"}, "not a valid label key"),
        ({"namespace": "shop", "status": "sleepy"}, "not 'sleepy'"),
        ({"namespace": "shop", "cluster": "moon"}, "I don't know a cluster called 'moon'; I know prod-gke, dr-aks."),
    ],
)
async def test_bad_input_is_refused_before_any_call(make_call: MakeCall, fakes: Mapping[str, FakeKubeApi],
                                                     parameters: dict, message: str) -> None:
    with pytest.raises(InputError) as refused:
        await run(make_call, "pods.list", **parameters)
    assert message in refused.value.user_message
    assert not fakes[SOURCE].calls and not fakes[TARGET].calls


async def test_selector_reaches_the_server_canonical(make_call: MakeCall, shop: None,
                                                     fakes: Mapping[str, FakeKubeApi]) -> None:
    reply = await run(make_call, "pods.list", namespace="shop", selector=" app == web , !tier")
    assert reply.data["summary"]["total"] == 8
    assert fakes[SOURCE].calls_to("GET", "/pods")[-1].query["labelSelector"] == "app=web,!tier"


async def test_api_errors_read_well_in_chat(make_call: MakeCall, shop: None, fakes: Mapping[str, FakeKubeApi],
                                            settings, clusters) -> None:
    fakes[SOURCE].deny(BOT, "list", "pods")
    with pytest.raises(AccessError) as denied:
        await run(make_call, "pods.list", namespace="shop")
    assert denied.value.user_message == "On prod-gke, the bot's service account may not list pods in namespace shop."
    assert 'cannot list resource "pods"' in denied.value.detail
    with pytest.raises(NotFoundError) as missing:
        await run(make_call, "pods.list", namespace="nowhere", cluster=TARGET)
    assert missing.value.user_message == "No such namespace nowhere on dr-aks."
    fakes[TARGET].fail(503)
    with pytest.raises(RetryableError) as down:
        await run(make_call, "pods.list", namespace="shop", cluster=TARGET)
    assert down.value.user_message == "The cluster API of dr-aks is not answering; try again in a minute."


async def test_a_slow_api_times_out_as_retryable(kube_cluster: KubeCluster, fakes: Mapping[str, FakeKubeApi],
                                                 store) -> None:
    from chatops.config import load_settings
    from chatops.fulfillment import HandlerCall, Principal, Resources
    from handlers.kube import Clusters, open_clusters
    from tests.handlers.kube.conftest import kube_overrides

    settings = load_settings({}, overrides={"kube": kube_overrides(kube_cluster, timeout_seconds=0.3)})
    fakes[SOURCE].stall(2.0)
    async with open_clusters(settings) as clusters:
        call = HandlerCall("pods.list", {"namespace": "all"}, Principal("U1"), "S1", Resources({Clusters: clusters}),
                           store, settings)
        with pytest.raises(RetryableError) as slow:
            await pods.pods_list(call)
    assert "not answering" in slow.value.user_message


async def test_more_after_the_listing_expired(make_call: MakeCall, shop: None, fakes: Mapping[str, FakeKubeApi]) -> None:
    reply = await run(make_call, "pods.list", namespace="shop")
    fakes[SOURCE].store.compact()  # etcd compaction: continue tokens go stale
    with pytest.raises(InputError) as expired:
        await run(make_call, "pods.more", contexts=contexts_of(reply))
    assert expired.value.user_message == "That listing on prod-gke has expired; please ask again."
    with pytest.raises(InputError):
        await run(make_call, "pods.more")  # no listing at all


async def test_logs_tail_and_stay_with_the_asker(make_call: MakeCall, admin, fakes: Mapping[str, FakeKubeApi]) -> None:
    await seed.namespace(admin[SOURCE], "shop")
    await seed.pod(admin[SOURCE], "shop", "web-0", containers=("app", "proxy"))
    fakes[SOURCE].set_log("shop", "web-0", "app", "".join(f"line {i}\n" for i in range(100)))
    reply = await run(make_call, "pods.logs", pod="web-0", namespace="shop", container="app", lines="3")
    assert "line 97\nline 98\nline 99" in reply.text and "line 96" not in reply.text
    assert reply.visibility is Visibility.EPHEMERAL
    assert fakes[SOURCE].calls[-1].query == {"container": "app", "tailLines": "3"}
    with pytest.raises(InputError) as ambiguous:
        await run(make_call, "pods.logs", pod="web-0", namespace="shop")
    assert "a container name must be specified" in ambiguous.value.user_message
    with pytest.raises(InputError):
        await run(make_call, "pods.logs", pod="web-0", namespace="shop", lines="5000")


async def test_namespaces_list(make_call: MakeCall, shop: None) -> None:
    reply = await run(make_call, "namespaces.list")
    assert reply.data["namespaces"] == ["kube-system", "shop"]
    assert "Active" in reply.text
