"""Pre-flight of a Velero migration, reported before anyone is asked to confirm it.

Every check runs (concurrently) and reports on its own, so one answer lists
everything that needs fixing rather than the first problem only.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Awaitable

from chatops.config import KubeSettings
from chatops.fulfillment import ChatOpsError
from handlers.kube import k8s
from handlers.kube.clusters import Cluster
from handlers.kube.errors import api_errors
from handlers.kube.listing import paged
from handlers.kube.velero_api import items

CRDS = ("backups.velero.io", "restores.velero.io", "backupstoragelocations.velero.io")
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
CLASS_MAPPING = "velero.io/plugin-config,velero.io/change-storage-class=RestoreItemAction"


@dataclass(frozen=True)
class Check:
    ok: bool
    text: str
    blocking: bool = True

    @property
    def mark(self) -> str:
        return "✅" if self.ok else ("❌" if self.blocking else "⚠️")


@dataclass
class Preflight:
    checks: list[Check] = field(default_factory=list)
    location: str | None = None  # the source BackupStorageLocation the backup goes to

    @property
    def ready(self) -> bool:
        return all(check.ok or not check.blocking for check in self.checks)

    def text(self) -> str:
        return "\n".join(f"{check.mark} {check.text}" for check in self.checks)


async def _checked(step: Awaitable[list[Check]], failure: str) -> list[Check]:
    try:
        return await step
    except ChatOpsError as exc:  # a denied or failed read is itself a pre-flight finding
        return [Check(False, f"{failure}: {exc.user_message}")]


async def run_preflight(source: Cluster, target: Cluster, namespace: str, target_namespace: str,
                        settings: KubeSettings) -> Preflight:
    result = Preflight()
    velero_ns = settings.velero_namespace

    async def locations() -> list[Check]:
        checks, result.location = await _locations(source, target, velero_ns)
        return checks

    groups = await asyncio.gather(
        _checked(_namespace(source, namespace), f"could not check namespace {namespace} in {source.name}"),
        _checked(_crds(source), f"could not check Velero's CRDs in {source.name}"),
        _checked(_crds(target), f"could not check Velero's CRDs in {target.name}"),
        _checked(locations(), "could not check the backup storage locations"),
        _checked(_storage_classes(source, target, namespace, velero_ns, settings.page_size), "could not check storage classes"),
        _checked(_target_namespace(target, target_namespace), f"could not check namespace {target_namespace} in {target.name}"),
    )
    result.checks = [check for group in groups for check in group]
    return result


async def _namespace(source: Cluster, namespace: str) -> list[Check]:
    with api_errors(source.name, "read", f"namespace {namespace}"):
        await source.call(k8s.CoreV1Api(source.api).read_namespace, namespace)
    return [Check(True, f"namespace {namespace} exists in {source.name}")]


async def _crds(cluster: Cluster) -> list[Check]:
    api = k8s.ApiextensionsV1Api(cluster.api)
    missing = []
    for name in CRDS:
        with api_errors(cluster.name, "read", f"custom resource definition {name}"):
            try:
                await cluster.call(api.read_custom_resource_definition, name)
            except k8s.ApiException as exc:
                if exc.status != 404:
                    raise
                missing.append(name)
    if missing:
        return [Check(False, f"Velero is not installed in {cluster.name}: missing {', '.join(missing)}")]
    return [Check(True, f"Velero's CRDs are installed in {cluster.name}")]


def _store_of(location: dict[str, Any]) -> tuple[str, str, str]:
    spec = location.get("spec") or {}
    storage = spec.get("objectStorage") or {}
    return str(spec.get("provider") or ""), str(storage.get("bucket") or ""), str(storage.get("prefix") or "")


def _available(locations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [loc for loc in locations if (loc.get("status") or {}).get("phase") == "Available"]


async def _locations(source: Cluster, target: Cluster, velero_ns: str) -> tuple[list[Check], str | None]:
    found = {c.name: _available(await items(c, velero_ns, "backupstoragelocations")) for c in (source, target)}
    checks = [Check(bool(found[c.name]), f"{len(found[c.name])} Available BackupStorageLocation(s) in {c.name}")
              for c in (source, target)]
    targets = {_store_of(loc): loc for loc in found[target.name]}
    for location in found[source.name]:
        if _store_of(location) in targets:
            provider, bucket, prefix = _store_of(location)
            pair = f"{source.name}/{location['metadata']['name']} and {target.name}/{targets[_store_of(location)]['metadata']['name']}"
            checks.append(Check(True, f"{pair} share {provider} bucket {bucket}, prefix {prefix or '(none)'}"))
            return checks, location["metadata"]["name"]
    if found[source.name] and found[target.name]:
        checks.append(Check(False, f"no BackupStorageLocation in {target.name} points at the same bucket and prefix as "
                                   f"one in {source.name}, so the backup would never reach {target.name}"))
    return checks, None


async def _storage_classes(source: Cluster, target: Cluster, namespace: str, velero_ns: str, page_size: int) -> list[Check]:
    default = next((name for name, annotations in await _classes(source) if annotations.get(DEFAULT_CLASS) == "true"), None)
    used: dict[str, list[str]] = {}
    with api_errors(source.name, "list persistent volume claims in", f"namespace {namespace}"):
        method = k8s.CoreV1Api(source.api).list_namespaced_persistent_volume_claim
        async for _, claims in paged(source, method, namespace, page_size=page_size):
            for claim in claims:
                name = (claim.get("spec") or {}).get("storageClassName") or default or "(the default class)"
                used.setdefault(name, []).append(claim["metadata"]["name"])
    if not used:
        return [Check(True, f"no PersistentVolumeClaims in {namespace}: no storage classes to match")]
    present = {name for name, _ in await _classes(target)}
    mapping = await _class_mapping(target, velero_ns)
    checks = []
    for name, claims in sorted(used.items()):
        users = f"used by {', '.join(claims[:3])}{' and more' if len(claims) > 3 else ''}"
        if name in present:
            checks.append(Check(True, f"storage class {name} ({users}) exists in {target.name}"))
        elif mapping.get(name) in present:
            checks.append(Check(True, f"storage class {name} ({users}) maps to {mapping[name]} in {target.name}"))
        else:
            checks.append(Check(False, f"storage class {name} ({users}) does not exist in {target.name}: create it there "
                                       "or map it in Velero's change-storage-class ConfigMap"))
    return checks


async def _classes(cluster: Cluster) -> list[tuple[str, dict[str, str]]]:
    found: list[tuple[str, dict[str, str]]] = []
    with api_errors(cluster.name, "list", "storage classes"):
        async for _, page in paged(cluster, k8s.StorageV1Api(cluster.api).list_storage_class, page_size=500):
            found += [(sc["metadata"]["name"], sc["metadata"].get("annotations") or {}) for sc in page]
    return found


async def _class_mapping(cluster: Cluster, velero_ns: str) -> dict[str, str]:
    """Velero's storage-class mapping for restores (a labelled ConfigMap in its namespace), old -> new."""
    with api_errors(cluster.name, "list config maps in", f"namespace {velero_ns}"):
        found = await cluster.call(k8s.CoreV1Api(cluster.api).list_namespaced_config_map, velero_ns, label_selector=CLASS_MAPPING)
    mapping: dict[str, str] = {}
    for config_map in found.get("items") or []:
        mapping.update(config_map.get("data") or {})
    return mapping


async def _target_namespace(target: Cluster, namespace: str) -> list[Check]:
    with api_errors(target.name, "read", f"namespace {namespace}"):
        try:
            await target.call(k8s.CoreV1Api(target.api).read_namespace, namespace)
        except k8s.ApiException as exc:
            if exc.status != 404:
                raise
            return [Check(True, f"namespace {namespace} does not exist yet in {target.name}")]
    return [Check(False, f"namespace {namespace} already exists in {target.name}: Velero skips objects that exist",
                  blocking=False)]
