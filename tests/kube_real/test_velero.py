"""The Velero CRDs on the real server: validation, status subresource, watches."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from kubernetes_asyncio import client, watch
from kubernetes_asyncio.client import ApiClient, ApiException

GROUP, VERSION, NS = "velero.io", "v1", "velero"
MERGE = "application/merge-patch+json"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def backup(name: str) -> dict:
    return {
        "apiVersion": "velero.io/v1",
        "kind": "Backup",
        "metadata": {"name": name},
        "spec": {"includedNamespaces": ["shop"], "storageLocation": "default", "ttl": "720h0m0s"},
        "status": {"phase": "Completed"},
    }


async def test_bot_creates_a_backup_and_status_moves_only_through_the_subresource(
    admin_api: ApiClient, bot_api: ApiClient
) -> None:
    name = unique("b")
    created = await client.CustomObjectsApi(bot_api).create_namespaced_custom_object(GROUP, VERSION, NS, "backups", backup(name))
    # With a status subresource, status sent on create is dropped.
    assert "status" not in created

    # Velero's part: its controller reports progress on /status.
    velero = client.CustomObjectsApi(admin_api)
    status = {"status": {"phase": "InProgress", "progress": {"itemsBackedUp": 2, "totalItems": 5}}, "spec": {"ttl": "1h"}}
    await velero.patch_namespaced_custom_object_status(GROUP, VERSION, NS, "backups", name, status, _content_type=MERGE)

    seen = await client.CustomObjectsApi(bot_api).get_namespaced_custom_object(GROUP, VERSION, NS, "backups", name)
    assert seen["status"] == {"phase": "InProgress", "progress": {"itemsBackedUp": 2, "totalItems": 5}}
    assert seen["spec"]["ttl"] == "720h0m0s"  # /status ignores spec changes


async def test_schema_rejects_an_unknown_phase(admin_api: ApiClient) -> None:
    api = client.CustomObjectsApi(admin_api)
    name = unique("b")
    await api.create_namespaced_custom_object(GROUP, VERSION, NS, "backups", backup(name))

    with pytest.raises(ApiException) as refused:
        await api.patch_namespaced_custom_object_status(
            GROUP, VERSION, NS, "backups", name, {"status": {"phase": "Exploded"}}, _content_type=MERGE
        )

    assert refused.value.status == 422
    assert "status.phase" in refused.value.body


async def test_storage_location_needs_a_provider(bot_api: ApiClient) -> None:
    body = {"apiVersion": "velero.io/v1", "kind": "BackupStorageLocation", "metadata": {"name": unique("bsl")},
            "spec": {"objectStorage": {"bucket": "backups"}}}

    with pytest.raises(ApiException) as refused:
        await client.CustomObjectsApi(bot_api).create_namespaced_custom_object(GROUP, VERSION, NS, "backupstoragelocations", body)

    assert refused.value.status == 422
    assert "spec.provider" in refused.value.body


async def test_bot_follows_a_restore_to_completion_with_a_watch(admin_api: ApiClient, bot_api: ApiClient) -> None:
    bot = client.CustomObjectsApi(bot_api)
    name = unique("r")
    body = {"apiVersion": "velero.io/v1", "kind": "Restore", "metadata": {"name": name},
            "spec": {"backupName": "nightly", "namespaceMapping": {"shop": "shop-copy"}}}
    created = await bot.create_namespaced_custom_object(GROUP, VERSION, NS, "restores", body)

    async def velero_finishes() -> None:
        for phase in ("InProgress", "Completed"):
            await client.CustomObjectsApi(admin_api).patch_namespaced_custom_object_status(
                GROUP, VERSION, NS, "restores", name, {"status": {"phase": phase}}, _content_type=MERGE
            )

    phases = []
    stream = watch.Watch().stream(
        bot.list_namespaced_custom_object, GROUP, VERSION, NS, "restores",
        field_selector=f"metadata.name={name}", resource_version=created["metadata"]["resourceVersion"], timeout_seconds=10,
    )
    writer = asyncio.create_task(velero_finishes())
    async with stream:
        async for event in stream:
            phases.append((event["type"], event["object"].get("status", {}).get("phase")))
            if phases[-1][1] == "Completed":
                break
    await writer

    assert phases == [("MODIFIED", "InProgress"), ("MODIFIED", "Completed")]


async def test_bot_reads_the_velero_crds(bot_api: ApiClient) -> None:
    crds = await client.ApiextensionsV1Api(bot_api).list_custom_resource_definition(label_selector="component=velero")

    kinds = {c.spec.names.kind for c in crds.items}
    assert kinds == {"Backup", "Restore", "BackupStorageLocation"}
