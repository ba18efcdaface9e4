"""Seeding Velero (its CRDs, a BackupStorageLocation) and the article's WordPress namespace through the API.

The CRDs are the manifests in chatops/demo/kube/crds (written from Velero's API reference), on the
stand-in as on the real server, which applies their schemas. A real server is shared by the
whole session, so each test gets its own Velero namespace, and a test that changes the CRDs
(removes one, or installs a newer Velero's with more phases) is undone by ``reset_crds``.
"""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import yaml
from kubernetes_asyncio import client
from kubernetes_asyncio.client.exceptions import ApiException

from chatops.demo.kube import seed

CRD_DIR = Path(__file__).resolve().parent / "crds"

MERGE = "application/merge-patch+json"
PLURALS = ("backups", "restores", "backupstoragelocations")
CHANGED = "chatops.test/changed"  # on a CRD a test changed: reset_crds puts the manifest back


def manifest(plural: str, extra_phases: tuple[str, ...] = ()) -> dict[str, Any]:
    """The CRD manifest; with ``extra_phases``, as a newer Velero's would be (more phases in the enum)."""
    crd: dict[str, Any] = yaml.safe_load((CRD_DIR / f"{plural}.velero.io.yaml").read_text())
    if extra_phases:
        crd = copy.deepcopy(crd)
        crd["metadata"].setdefault("annotations", {})[CHANGED] = "true"
        for version in crd["spec"]["versions"]:
            phase = version["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"]["phase"]
            phase["enum"] = [*phase["enum"], *extra_phases]
    return crd


async def _read(api: client.ApiextensionsV1Api, name: str) -> Any:
    try:
        return await api.read_custom_resource_definition(name)
    except ApiException as exc:
        if exc.status != 404:
            raise
        return None


async def _established(api: client.ApiextensionsV1Api, name: str) -> bool:
    crd = await _read(api, name)
    return crd is not None and any(c.type == "Established" and c.status == "True" for c in crd.status.conditions or [])


async def _until(check: Any, timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.05)


async def velero_crds(api: client.ApiClient, crds: tuple[str, ...] = PLURALS, *, extra_phases: tuple[str, ...] = ()) -> None:
    """Make exactly ``crds`` installed (as their manifests, with ``extra_phases``), and wait until they serve."""
    ext = client.ApiextensionsV1Api(api)
    for plural in PLURALS:
        name, wanted = f"{plural}.velero.io", manifest(plural, extra_phases)
        current = await _read(ext, name)
        if plural not in crds:
            if current is not None:
                await ext.delete_custom_resource_definition(name)  # the server removes its objects first
                await _until(lambda: _absent(ext, name))
        elif current is None:
            await ext.create_custom_resource_definition(wanted)
        elif extra_phases or CHANGED in (current.metadata.annotations or {}):
            wanted["metadata"]["resourceVersion"] = current.metadata.resource_version
            await ext.replace_custom_resource_definition(name, wanted)
    for plural in crds:
        await _until(lambda: _established(ext, f"{plural}.velero.io"))


async def _absent(api: client.ApiextensionsV1Api, name: str) -> bool:
    return await _read(api, name) is None


async def reset_crds(api: client.ApiClient) -> None:
    """Undo what a test did to the CRDs: all three installed, as their manifests say."""
    await velero_crds(api)


async def install_velero(api: client.ApiClient, namespace: str = "velero", *, bucket: str = "migrations", prefix: str = "velero",
                         crds: tuple[str, ...] = PLURALS) -> None:
    """Velero's CRDs, its namespace, and (with its CRD) an Available BackupStorageLocation "default"."""
    await velero_crds(api, crds)
    await seed.namespace(api, namespace)
    if "backupstoragelocations" not in crds:
        return
    custom = client.CustomObjectsApi(api)
    await custom.create_namespaced_custom_object("velero.io", "v1", namespace, "backupstoragelocations", {
        "apiVersion": "velero.io/v1", "kind": "BackupStorageLocation", "metadata": {"name": "default"},
        "spec": {"provider": "aws", "default": True, "objectStorage": {"bucket": bucket, "prefix": prefix}}})
    await custom.patch_namespaced_custom_object_status("velero.io", "v1", namespace, "backupstoragelocations", "default",
                                                       {"status": {"phase": "Available"}}, _content_type=MERGE)


async def storage_class(api: client.ApiClient, name: str, *, default: bool = False) -> None:
    annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if default else {}
    await client.StorageV1Api(api).create_storage_class(
        {"metadata": {"name": name, "annotations": annotations, "labels": seed.SEEDED}, "provisioner": "example.com/disk"})


async def class_mapping(api: client.ApiClient, namespace: str, old: str, new: str) -> None:
    """Velero's change-storage-class plugin configuration, in Velero's namespace."""
    await client.CoreV1Api(api).create_namespaced_config_map(namespace, {
        "metadata": {"name": "change-storage-class-config",
                     "labels": {"velero.io/plugin-config": "", "velero.io/change-storage-class": "RestoreItemAction"}},
        "data": {old: new}})


async def wordpress(api: client.ApiClient, namespace: str = "wordpress") -> None:
    """The article's WordPress: a Deployment, its Service, a config, a Secret and two PVCs (one on the default class)."""
    await seed.namespace(api, namespace)
    core = client.CoreV1Api(api)
    await core.create_namespaced_config_map(namespace, {"metadata": {"name": "wp-config"}, "data": {"WP_DEBUG": "0"}})
    await core.create_namespaced_secret(namespace, {"metadata": {"name": "wp-db"}, "stringData": {"password": "s3cret"}})
    await core.create_namespaced_service(namespace, {"metadata": {"name": "wordpress"},
                                                     "spec": {"selector": {"app": "wordpress"}, "ports": [{"port": 80}]}})
    await client.AppsV1Api(api).create_namespaced_deployment(namespace, {
        "metadata": {"name": "wordpress"},
        "spec": {"selector": {"matchLabels": {"app": "wordpress"}}, "template": {
            "metadata": {"labels": {"app": "wordpress"}},
            "spec": {"containers": [{"name": "wordpress", "image": "wordpress:6"}]}}}})
    for claim, storage_class_name in (("wp-content", "standard-rwo"), ("mysql-data", None)):
        spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
        if storage_class_name:
            spec["storageClassName"] = storage_class_name
        await core.create_namespaced_persistent_volume_claim(namespace, {"metadata": {"name": claim}, "spec": spec})
