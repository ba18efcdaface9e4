"""The stand-in API server, driven through kubernetes-asyncio itself (as the handlers drive it)."""

from __future__ import annotations

import asyncio
import json
from typing import AsyncIterator

import pytest
from kubernetes_asyncio import client, config, watch
from kubernetes_asyncio.client.exceptions import ApiException

from tests.fakes.kube.clusters import FakeClusters, start_fake_clusters
from tests.fakes.kube.server import BOT

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "backups.velero.io"},
    "spec": {
        "group": "velero.io",
        "scope": "Namespaced",
        "names": {"kind": "Backup", "plural": "backups", "singular": "backup", "listKind": "BackupList"},
        "versions": [{"name": "v1", "served": True, "storage": True, "subresources": {"status": {}},
                      "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}],
    },
}


@pytest.fixture
async def fake(tmp_path) -> AsyncIterator[FakeClusters]:
    clusters = await start_fake_clusters(("one",), tmp_path)
    yield clusters
    await clusters.stop()


@pytest.fixture
async def api(fake: FakeClusters) -> AsyncIterator[client.ApiClient]:
    async with await config.new_client_from_config(fake.admin_kubeconfig, context="one", persist_config=False) as api:
        yield api


async def _namespace(api: client.ApiClient, name: str) -> None:
    await client.CoreV1Api(api).create_namespace({"metadata": {"name": name}})


def _pod(name: str, labels: dict[str, str] | None = None) -> dict:
    return {"metadata": {"name": name, "labels": labels or {}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


async def test_list_pages_share_one_snapshot(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    await _namespace(api, "shop")
    for i in range(7):
        await core.create_namespaced_pod("shop", _pod(f"web-{i}", {"app": "web" if i % 2 else "db"}))
    first = await core.list_namespaced_pod("shop", limit=3)
    await core.create_namespaced_pod("shop", _pod("web-late"))  # not in the snapshot the token points at
    assert first.metadata.remaining_item_count == 4
    second = await core.list_namespaced_pod("shop", limit=3, _continue=first.metadata._continue)
    third = await core.list_namespaced_pod("shop", limit=3, _continue=second.metadata._continue)
    names = [p.metadata.name for p in first.items + second.items + third.items]
    assert names == [f"web-{i}" for i in range(7)] and not third.metadata._continue
    selected = await core.list_namespaced_pod("shop", label_selector="app in (web),app!=db")
    assert [p.metadata.name for p in selected.items] == ["web-1", "web-3", "web-5"]


async def test_errors_are_status_objects(api: client.ApiClient, fake: FakeClusters) -> None:
    core = client.CoreV1Api(api)
    with pytest.raises(ApiException) as missing:
        await core.read_namespaced_secret("nope", "default")
    assert missing.value.status == 404 and '"reason":"NotFound"' in missing.value.body.replace(" ", "")
    await _namespace(api, "default")
    secret = await core.create_namespaced_secret("default", {"metadata": {"name": "s"}, "stringData": {"k": "v"}})
    assert secret.data == {"k": "dg=="}
    with pytest.raises(ApiException) as exists:
        await core.create_namespaced_secret("default", {"metadata": {"name": "s"}})
    assert exists.value.status == 409 and "AlreadyExists" in exists.value.body
    stale = {"metadata": {"name": "s", "resourceVersion": secret.metadata.resource_version}, "data": {"k": "dw=="}}
    await core.replace_namespaced_secret("s", "default", stale)
    with pytest.raises(ApiException) as conflict:
        await core.replace_namespaced_secret("s", "default", stale)
    assert conflict.value.status == 409 and "the object has been modified" in conflict.value.body
    with pytest.raises(ApiException) as invalid:
        await _namespace(api, "Bad_Name")
    assert invalid.value.status == 422


async def test_custom_objects_accept_merge_patch_only(api: client.ApiClient) -> None:
    await client.ApiextensionsV1Api(api).create_custom_resource_definition(CRD)
    await _namespace(api, "velero")
    custom = client.CustomObjectsApi(api)
    body = {"apiVersion": "velero.io/v1", "kind": "Backup", "metadata": {"name": "b1"}, "spec": {"ttl": "1h"},
            "status": {"phase": "Completed"}}
    created = await custom.create_namespaced_custom_object("velero.io", "v1", "velero", "backups", body)
    assert "status" not in created  # a status subresource: create drops it
    with pytest.raises(ApiException) as strategic:
        await custom.patch_namespaced_custom_object(
            "velero.io", "v1", "velero", "backups", "b1", {"spec": {"ttl": "2h"}},
            _content_type="application/strategic-merge-patch+json")
    assert strategic.value.status == 415
    with pytest.raises(ApiException) as as_json_patch:  # the client's default for a dict body: a JSON patch
        await custom.patch_namespaced_custom_object("velero.io", "v1", "velero", "backups", "b1", {"spec": {"ttl": "2h"}})
    assert as_json_patch.value.status == 400
    patched = await custom.patch_namespaced_custom_object_status(
        "velero.io", "v1", "velero", "backups", "b1", {"status": {"phase": "InProgress"}},
        _content_type="application/merge-patch+json")
    assert patched["status"] == {"phase": "InProgress"} and patched["spec"] == {"ttl": "1h"}


async def test_strategic_merge_keys_webhooks_by_name(api: client.ApiClient) -> None:
    admission = client.AdmissionregistrationV1Api(api)
    hook = lambda name, bundle: {  # noqa: E731
        "name": name, "clientConfig": {"service": {"name": "svc", "namespace": "ns"}, "caBundle": bundle},
        "admissionReviewVersions": ["v1"], "sideEffects": "None"}
    await admission.create_mutating_webhook_configuration(
        {"metadata": {"name": "cfg"}, "webhooks": [hook("a.example.com", "QQ=="), hook("b.example.com", "Qg==")]})
    await admission.patch_mutating_webhook_configuration(
        "cfg", {"webhooks": [{"name": "b.example.com", "clientConfig": {"caBundle": "Qw=="}}]})
    result = await admission.read_mutating_webhook_configuration("cfg")
    assert [(w.name, w.client_config.ca_bundle) for w in result.webhooks] == [("a.example.com", "QQ=="), ("b.example.com", "Qw==")]
    assert result.webhooks[1].client_config.service.name == "svc"


async def test_watch_streams_events_from_a_resource_version(api: client.ApiClient, fake: FakeClusters) -> None:
    core = client.CoreV1Api(api)
    await _namespace(api, "w")
    listed = await core.list_namespaced_pod("w")
    seen: list[tuple[str, str]] = []

    async def follow() -> None:
        async with watch.Watch() as stream:
            async for event in stream.stream(core.list_namespaced_pod, "w", resource_version=listed.metadata.resource_version,
                                             timeout_seconds=5):
                seen.append((event["type"], event["object"].metadata.deletion_timestamp is not None))
                if event["type"] == "DELETED":
                    return

    task = asyncio.create_task(follow())
    await core.create_namespaced_pod("w", _pod("p"))
    await core.patch_namespaced_pod_status("p", "w", {"status": {"phase": "Running"}})
    await core.delete_namespaced_pod("p", "w")
    await asyncio.wait_for(task, 5)
    # Not on a node, so no kubelet to wait for: marked (deletionTimestamp), then removed, as the real server does.
    assert seen == [("ADDED", False), ("MODIFIED", False), ("MODIFIED", True), ("DELETED", True)]
    fake.apis["one"].store.compact()
    with pytest.raises(ApiException) as gone:
        async with watch.Watch() as stream:
            async for _ in stream.stream(core.list_namespaced_pod, "w", resource_version=listed.metadata.resource_version,
                                         timeout_seconds=1):
                pass
    assert gone.value.status == 410


async def test_denials_and_call_record(fake: FakeClusters) -> None:
    api = fake.apis["one"]
    api.deny(BOT, "list", "pods")
    async with await config.new_client_from_config(fake.kubeconfig, context="one", persist_config=False) as bot:
        with pytest.raises(ApiException) as denied:
            await client.CoreV1Api(bot).list_pod_for_all_namespaces()
    assert denied.value.status == 403 and "cannot list resource" in denied.value.body
    assert api.calls[-1].user == BOT and api.calls[-1].path == "/api/v1/pods" and api.calls[-1].status == 403


async def test_events_filter_by_involved_object(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    await _namespace(api, "shop")
    for name, pod, uid in (("a.1", "web-0", "u-1"), ("b.1", "web-0", "u-0"), ("c.1", "web-1", "u-2")):
        await core.create_namespaced_event("shop", {"metadata": {"name": name}, "reason": "BackOff", "type": "Warning",
                                                    "involvedObject": {"kind": "Pod", "name": pod, "uid": uid}})
    mine = await core.list_namespaced_event("shop", field_selector="involvedObject.kind=Pod,involvedObject.name=web-0,"
                                                                   "involvedObject.uid=u-1")
    assert [event.metadata.name for event in mine.items] == ["a.1"]
    with pytest.raises(ApiException) as unsupported:
        await core.list_namespaced_event("shop", field_selector="involvedObject.bogus=x")
    assert unsupported.value.status == 400 and "field label not supported: involvedObject.bogus" in unsupported.value.body


async def test_pod_log_previous_and_tail_as_the_kubelet_answers(api: client.ApiClient, fake: FakeClusters) -> None:
    core = client.CoreV1Api(api)
    await _namespace(api, "shop")
    await core.create_namespaced_pod("shop", {**_pod("web-0"), "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "x"}]}})
    await core.create_namespaced_pod("shop", _pod("unscheduled-0"))  # no node yet
    fake.apis["one"].set_log("shop", "web-0", "c", "now 1\nnow 2\n")
    fake.apis["one"].set_log("shop", "web-0", "c", "before 1\nbefore 2\nbefore 3\n", previous=True)
    assert await core.read_namespaced_pod_log("web-0", "shop", tail_lines=1) == "now 2\n"
    with pytest.raises(ApiException) as no_previous:  # it never restarted
        await core.read_namespaced_pod_log("web-0", "shop", previous=True)
    assert no_previous.value.status == 400
    assert json.loads(no_previous.value.body)["message"] == 'previous terminated container "c" in pod "web-0" not found'
    restarted = {"containerStatuses": [{"name": "c", "ready": False, "restartCount": 1, "image": "x", "imageID": "",
                                        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                                        "lastState": {"terminated": {"exitCode": 1, "containerID": "containerd://1"}}}]}
    await core.patch_namespaced_pod_status("web-0", "shop", {"status": restarted})
    assert await core.read_namespaced_pod_log("web-0", "shop", previous=True, tail_lines=2) == "before 2\nbefore 3\n"
    pulling = {"containerStatuses": [{"name": "c", "ready": False, "restartCount": 0, "image": "x", "imageID": "",
                                      "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}
    await core.patch_namespaced_pod_status("web-0", "shop", {"status": pulling})
    with pytest.raises(ApiException) as waiting:
        await core.read_namespaced_pod_log("web-0", "shop")
    assert json.loads(waiting.value.body)["message"] == 'container "c" in pod "web-0" is waiting to start: trying and failing to pull image'
    assert await core.read_namespaced_pod_log("unscheduled-0", "shop") == ""
