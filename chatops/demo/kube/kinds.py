"""The resource types the stand-in API server serves: built-ins, and custom ones from CRDs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

# Lists a strategic-merge patch merges by key instead of replacing (from the Go types' patchMergeKey tags).
_POD_SPEC_KEYS = {"containers": "name", "initContainers": "name", "volumes": "name", "imagePullSecrets": "name"}


def _prefixed(prefix: str, keys: Mapping[str, str]) -> dict[str, str]:
    return {f"{prefix}.{path}": key for path, key in keys.items()}


@dataclass(frozen=True)
class Kind:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    builtin: bool = True
    status_subresource: bool = False
    merge_keys: Mapping[str, str] = field(default_factory=dict)
    # Field selectors the real server supports for this type, beyond metadata.name/namespace.
    fields: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def key(self) -> tuple[str, str]:
        return (self.group, self.plural)


BUILTIN = (
    Kind("", "v1", "namespaces", "Namespace", namespaced=False, status_subresource=True, fields=("status.phase",)),
    Kind(
        "", "v1", "pods", "Pod", namespaced=True, status_subresource=True,
        merge_keys=_prefixed("spec", _POD_SPEC_KEYS), fields=("status.phase", "spec.nodeName"),
    ),
    Kind("", "v1", "secrets", "Secret", namespaced=True, fields=("type",)),
    Kind("", "v1", "configmaps", "ConfigMap", namespaced=True),
    # The core/v1 event's field selectors (pkg/registry/core/event/strategy.go); "source" is left out.
    Kind("", "v1", "events", "Event", namespaced=True, fields=(
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "type",
    )),
    Kind("", "v1", "services", "Service", namespaced=True, status_subresource=True, merge_keys={"spec.ports": "port"}),
    Kind("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", namespaced=True, status_subresource=True),
    Kind("storage.k8s.io", "v1", "storageclasses", "StorageClass", namespaced=False),
    Kind(
        "apps", "v1", "deployments", "Deployment", namespaced=True, status_subresource=True,
        merge_keys=_prefixed("spec.template.spec", _POD_SPEC_KEYS),
    ),
    Kind(
        "admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration",
        namespaced=False, merge_keys={"webhooks": "name"},
    ),
    Kind(
        "admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration",
        namespaced=False, merge_keys={"webhooks": "name"},
    ),
    Kind(
        "apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition",
        namespaced=False, status_subresource=True,
    ),
)


def kinds_from_crd(crd: Mapping[str, Any]) -> list[Kind]:
    """One Kind per served version of a CustomResourceDefinition."""
    spec = crd["spec"]
    names = spec["names"]
    return [
        Kind(
            spec["group"], version["name"], names["plural"], names["kind"],
            namespaced=spec.get("scope", "Namespaced") == "Namespaced",
            builtin=False,
            status_subresource="status" in (version.get("subresources") or {}),
        )
        for version in spec.get("versions", ())
        if version.get("served", True)
    ]
