"""Core API semantics on the real server: pods without nodes, paging, watches."""

from __future__ import annotations

from kubernetes_asyncio import client, watch
from kubernetes_asyncio.client import ApiClient


def pod(name: str, **labels: str) -> dict:
    return {
        "metadata": {"name": name, "labels": {"app": "smoke", **labels}},
        "spec": {"containers": [{"name": "app", "image": "registry.invalid/app:1"}]},
    }


async def test_pods_stay_pending_and_page_with_continue(admin_api: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(admin_api)
    names = {f"p{i}" for i in range(5)}
    for name in sorted(names):
        await core.create_namespaced_pod(namespace, pod(name))

    seen: list[str] = []
    pages = 0
    token = None
    while True:
        kwargs = {"_continue": token} if token else {}
        page = await core.list_namespaced_pod(namespace, limit=2, **kwargs)
        pages += 1
        seen.extend(p.metadata.name for p in page.items)
        assert all(p.status.phase == "Pending" for p in page.items)
        token = page.metadata._continue
        if not token:
            break

    assert pages == 3
    assert sorted(seen) == sorted(names)
    assert page.metadata.remaining_item_count is None


async def test_bot_lists_pods_in_every_namespace(admin_api: ApiClient, bot_api: ApiClient, namespace: str) -> None:
    await client.CoreV1Api(admin_api).create_namespaced_pod(namespace, pod("seen-by-bot"))

    everywhere = await client.CoreV1Api(bot_api).list_pod_for_all_namespaces(label_selector="app=smoke")

    assert (namespace, "seen-by-bot") in {(p.metadata.namespace, p.metadata.name) for p in everywhere.items}


async def test_watch_replays_added_modified_deleted(admin_api: ApiClient, bot_api: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(admin_api)
    start = (await core.list_namespaced_pod(namespace)).metadata.resource_version
    await core.create_namespaced_pod(namespace, pod("watched"))
    await core.patch_namespaced_pod("watched", namespace, {"metadata": {"labels": {"stage": "two"}}})
    # Never scheduled, so deletion needs no kubelet: the server marks the pod
    # (deletionTimestamp, one MODIFIED) and removes it at once (DELETED).
    await core.delete_namespaced_pod("watched", namespace)

    events = []
    stream = watch.Watch().stream(
        client.CoreV1Api(bot_api).list_namespaced_pod, namespace, resource_version=start, timeout_seconds=10
    )
    async with stream:
        async for event in stream:
            meta = event["object"].metadata
            events.append((event["type"], meta.labels.get("stage"), meta.deletion_timestamp is not None))
            if event["type"] == "DELETED":
                break

    assert events == [
        ("ADDED", None, False),
        ("MODIFIED", "two", False),
        ("MODIFIED", "two", True),
        ("DELETED", "two", True),
    ]
