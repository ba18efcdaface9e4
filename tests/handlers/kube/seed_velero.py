"""Seeding Velero (CRDs, a BackupStorageLocation) and the article's WordPress namespace through the API."""

from __future__ import annotations

from typing import Any

from kubernetes_asyncio import client

from tests.handlers.kube import seed

VELERO = "velero"
MERGE = "application/merge-patch+json"


def crd(plural: str, kind: str) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.velero.io"},
        "spec": {"group": "velero.io", "scope": "Namespaced",
                 "names": {"kind": kind, "listKind": f"{kind}List", "plural": plural, "singular": kind.lower()},
                 "versions": [{"name": "v1", "served": True, "storage": True, "subresources": {"status": {}},
                               "schema": {"openAPIV3Schema": {"type": "object",
                                                              "x-kubernetes-preserve-unknown-fields": True}}}]},
    }


async def install_velero(api: client.ApiClient, *, bucket: str = "migrations", prefix: str = "velero",
                         crds: tuple[str, ...] = ("backups", "restores", "backupstoragelocations")) -> None:
    kinds = {"backups": "Backup", "restores": "Restore", "backupstoragelocations": "BackupStorageLocation"}
    for plural in crds:
        await client.ApiextensionsV1Api(api).create_custom_resource_definition(crd(plural, kinds[plural]))
    await seed.namespace(api, VELERO)
    if "backupstoragelocations" not in crds:
        return
    custom = client.CustomObjectsApi(api)
    await custom.create_namespaced_custom_object("velero.io", "v1", VELERO, "backupstoragelocations", {
        "apiVersion": "velero.io/v1", "kind": "BackupStorageLocation", "metadata": {"name": "default"},
        "spec": {"provider": "aws", "default": True, "objectStorage": {"bucket": bucket, "prefix": prefix}}})
    await custom.patch_namespaced_custom_object_status("velero.io", "v1", VELERO, "backupstoragelocations", "default",
                                                       {"status": {"phase": "Available"}}, _content_type=MERGE)


async def storage_class(api: client.ApiClient, name: str, *, default: bool = False) -> None:
    annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if default else {}
    await client.StorageV1Api(api).create_storage_class(
        {"metadata": {"name": name, "annotations": annotations}, "provisioner": "example.com/disk"})


async def class_mapping(api: client.ApiClient, old: str, new: str) -> None:
    """Velero's change-storage-class plugin configuration."""
    await client.CoreV1Api(api).create_namespaced_config_map(VELERO, {
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
