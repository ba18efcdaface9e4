"""pods.diagnose against the API stand-in and a real API server.

On the real server there is no kubelet: pods get their status through the status
subresource, events are created as objects, and logs cannot be read, which the
diagnosis must say instead of failing.
"""

from __future__ import annotations

from typing import Mapping

import pytest
from kubernetes_asyncio import client

from chatops.fulfillment import AccessError, Card, InputError, NotFoundError
from chatops.models import Visibility
from handlers import pods
from tests.fakes.kube.server import BOT, FakeKubeApi
from tests.handlers.kube import seed, seed_diagnose
from tests.handlers.kube.conftest import SOURCE, KubeCluster, MakeCall


async def run(make_call: MakeCall, **parameters):
    return await pods.table.actions["pods.diagnose"].handler(make_call("pods.diagnose", **parameters))


@pytest.fixture
async def ns(admin: Mapping[str, client.ApiClient], kube_cluster: KubeCluster) -> str:
    name = kube_cluster.ns("staging")
    await seed.namespace(admin[SOURCE], name)
    return name


CAUSES = {
    "crashloop": ("container app keeps crashing: it exited with code 1 (Error); restarted 7 times", "BackOff", True),
    "oomkilled": ("container app was killed for running out of memory (OOMKilled): it used more than its memory limit "
                  "(128Mi); restarted 3 times", "BackOff", True),
    "imagepull": ("container app cannot pull its image registry.example/app:1.4 (ImagePullBackOff): "
                  'Back-off pulling image "registry.example/app:1.4"', "Failed", False),
    "liveness": ("its probe fails (Liveness probe failed: HTTP probe failed with statuscode: 500), so the kubelet keeps "
                 "restarting container app", "Unhealthy", True),
    "readiness": ('container app runs but is not ready: its readiness probe fails (Readiness probe failed: '
                  'Get "http://10.0.0.7:8080/ready": connection refused)', "Unhealthy", False),
    "unschedulable": ("it cannot be scheduled on any node: 0/3 nodes are available: 3 Insufficient memory.",
                      "FailedScheduling", False),
}


@pytest.mark.parametrize("state", sorted(CAUSES))
async def test_each_failure_has_its_cause_and_events(make_call: MakeCall, admin, ns: str, kube_cluster: KubeCluster,
                                                     state: str) -> None:
    await seed_diagnose.failing_pod(admin[SOURCE], ns, f"{state}-0", state)
    if kube_cluster.fakes:
        kube_cluster.fakes[SOURCE].set_log(ns, f"{state}-0", "app", seed_diagnose.PREVIOUS_LOG, previous=True)
        kube_cluster.fakes[SOURCE].set_log(ns, f"{state}-0", "app", "GET /ready 503\n")
    reply = await run(make_call, name=f"{state}-0", kind="pod", namespace=ns)
    cause, event_reason, previous = CAUSES[state]
    diagnosed = reply.data["pods"][0]
    assert diagnosed["cause"] == cause and event_reason in diagnosed["events"]
    assert reply.text.startswith(f"Pod {ns}/{state}-0 on prod-gke:\n\n*{ns}/{state}-0*: {cause}.\nLook next at ")
    assert "Recent events:\n• " in reply.text and reply.visibility is Visibility.EPHEMERAL
    assert [c.buttons[0].text for c in reply.parts if isinstance(c, Card)] == ["show logs"]
    if state in ("imagepull", "unschedulable"):  # the container never ran: no log to read
        assert "log" not in reply.text.split("Recent events:")[1]
    elif kube_cluster.fakes:
        expected = seed_diagnose.PREVIOUS_LOG.splitlines()[-10:] if previous else ["GET /ready 503"]
        assert diagnosed["log"] == expected
        which = "the app container before its last restart" if previous else "the app container"
        assert f"Last {len(expected)} log lines of {which}:\n```\n{expected[0]}" in reply.text
    else:  # no kubelet behind the real server: the log is unavailable, and the diagnosis says so
        assert diagnosed["log"] == [] and "NotFound" in diagnosed["log_unavailable"]
        assert "log of the app container" in reply.text and "is not available (NotFound: " in reply.text


async def test_a_deployment_by_name_diagnoses_its_failing_pods(make_call: MakeCall, admin, ns: str,
                                                              kube_cluster: KubeCluster) -> None:
    await seed_diagnose.deployment(admin[SOURCE], ns, "my-app")
    crashing = await seed_diagnose.failing_pod(admin[SOURCE], ns, "my-app-5c7d9-aaaaa", "crashloop", labels={"app": "my-app"})
    await seed_diagnose.failing_pod(admin[SOURCE], ns, "my-app-5c7d9-bbbbb", "healthy", labels={"app": "my-app"})
    await seed_diagnose.failing_pod(admin[SOURCE], ns, "other-0", "oomkilled", labels={"app": "other"})
    reply = await run(make_call, name="my-app", namespace=ns)  # no kind: no pod is called my-app, a deployment is
    assert reply.text.startswith(f"1 of 2 pods in deployment {ns}/my-app on prod-gke failing:")
    assert [p["name"] for p in reply.data["pods"]] == ["my-app-5c7d9-aaaaa"]
    card = reply.parts[0]
    assert card.buttons[0].postback == f"show the logs of my-app-5c7d9-aaaaa container app in {ns} on prod-gke"
    if kube_cluster.fakes:
        api = kube_cluster.fakes[SOURCE]
        events = api.calls_to("GET", f"/api/v1/namespaces/{ns}/events")[-1]
        assert events.query["fieldSelector"] == (f"involvedObject.kind=Pod,involvedObject.name=my-app-5c7d9-aaaaa,"
                                                 f"involvedObject.uid={crashing['metadata']['uid']}")
        log = api.calls_to("GET", "/log")[-1]
        assert log.query == {"container": "app", "previous": "True", "tailLines": "10"} and log.status == 200


async def test_a_namespace_shows_its_first_failing_pods(make_call: MakeCall, admin, ns: str) -> None:
    for state in ("healthy", "crashloop", "imagepull", "readiness", "unschedulable"):
        await seed_diagnose.failing_pod(admin[SOURCE], ns, f"{state}-0", state)
    reply = await run(make_call, namespace=ns)
    assert reply.text.startswith(f"4 of 5 pods in namespace {ns} on prod-gke failing; the first 3:")
    assert [p["name"] for p in reply.data["pods"]] == ["crashloop-0", "imagepull-0", "readiness-0"]
    assert len(reply.parts) == 3


async def test_healthy_pods_and_empty_namespaces(make_call: MakeCall, admin, ns: str, kube_cluster: KubeCluster) -> None:
    empty = await run(make_call, namespace=ns)
    assert empty.text == f"There are no pods in namespace {ns} on prod-gke." and not empty.parts
    await seed_diagnose.failing_pod(admin[SOURCE], ns, "web-0", "healthy")
    fine = await run(make_call, namespace=ns)
    assert fine.text == f"Nothing is failing in namespace {ns} on prod-gke: 1 pod, all running and ready or completed."
    one = await run(make_call, name="web-0", namespace=ns)
    assert one.text == f"Pod {ns}/web-0 on prod-gke:\n\n*{ns}/web-0*: nothing looks wrong: it is running and every " \
                       "container is ready." and not one.parts
    with pytest.raises(NotFoundError) as missing:
        await run(make_call, name="ghost", namespace=ns)
    assert missing.value.user_message == f"No pod or deployment ghost in namespace {ns} on prod-gke."
    with pytest.raises(NotFoundError) as no_deployment:
        await run(make_call, name="ghost", kind="deployment", namespace=ns)
    assert no_deployment.value.user_message == f"No such deployment {ns}/ghost on prod-gke."
    with pytest.raises(NotFoundError) as no_namespace:
        await run(make_call, namespace=kube_cluster.ns("nowhere"))
    assert no_namespace.value.user_message == f"No such namespace {kube_cluster.ns('nowhere')} on prod-gke."


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"name": "My_App", "namespace": "shop"}, "'My_App' is not a valid pod or deployment name"),
        ({"name": "web-0", "kind": "pod", "namespace": "shop"}, None),
        ({"name": "Web", "kind": "deployment"}, "'Web' is not a valid deployment name"),
        ({"name": "web", "kind": "service"}, "I can diagnose a pod or a deployment, not a 'service'."),
        ({"namespace": "Bad_NS"}, "'Bad_NS' is not a valid namespace name"),
    ],
)
async def test_bad_input_is_refused_before_any_call(make_call: MakeCall, fakes: Mapping[str, FakeKubeApi],
                                                     parameters: dict, message: str | None) -> None:
    if message is None:  # a valid name reaches the server (and, here, finds nothing)
        with pytest.raises(NotFoundError):
            await run(make_call, **parameters)
        assert fakes[SOURCE].calls
        return
    with pytest.raises(InputError) as refused:
        await run(make_call, **parameters)
    assert message in refused.value.user_message
    assert not fakes[SOURCE].calls


async def test_events_the_bot_may_not_list_read_well(make_call: MakeCall, admin, fakes: Mapping[str, FakeKubeApi]) -> None:
    await seed.namespace(admin[SOURCE], "shop")
    await seed_diagnose.failing_pod(admin[SOURCE], "shop", "web-0", "crashloop")
    fakes[SOURCE].deny(BOT, "list", "events")
    with pytest.raises(AccessError) as denied:
        await run(make_call, name="web-0", namespace="shop")
    assert denied.value.user_message == "On prod-gke, the bot's service account may not list the events of pod shop/web-0."


async def test_a_log_the_kubelet_refuses_is_explained(make_call: MakeCall, admin, fakes: Mapping[str, FakeKubeApi]) -> None:
    await seed.namespace(admin[SOURCE], "shop")
    await seed_diagnose.failing_pod(admin[SOURCE], "shop", "web-0", "crashloop")
    fakes[SOURCE].fail(400, path_prefix="/api/v1/namespaces/shop/pods/web-0/log")
    reply = await run(make_call, name="web-0", namespace="shop")
    assert "The log of the app container before its last restart is not available (BadRequest: injected fault" in reply.text
    assert reply.data["pods"][0]["cause"].startswith("container app keeps crashing")
