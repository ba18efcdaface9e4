"""What a kube action acts on, for the access policy: ``kube:<cluster>/<namespace>``.

Cluster names are lowercased, as the handlers resolve them case-insensitively (a
deny on ``kube:prod-gke/*`` must also hold for "PROD-GKE"). A call that names no
cluster goes to the configured default, which a function of the parameters cannot
know: it is unscoped (``*``), so only an allow on ``*`` grants it and every deny applies.
"""

from __future__ import annotations

from typing import Any, Mapping

from handlers.kube.names import dns_label
from handlers.kube.params import ALL_NAMESPACES

UNSCOPED = "*"


def _text(parameters: Mapping[str, Any], name: str) -> str:
    value = parameters.get(name)
    value = value[0] if isinstance(value, list) and value else value
    return str(value).strip() if value not in (None, "", [], {}) else ""


def _namespace(parameters: Mapping[str, Any], default: str) -> str:
    namespace = _text(parameters, "namespace") or default
    return "*" if namespace.lower() in ALL_NAMESPACES else dns_label(namespace, "namespace name")


def namespaced(parameters: Mapping[str, Any]) -> str:
    """pods.list, pods.logs: the cluster and the namespace (``*`` for all namespaces)."""
    cluster = _text(parameters, "cluster").lower()
    return f"kube:{cluster}/{_namespace(parameters, 'default')}" if cluster else UNSCOPED


def cluster_wide(parameters: Mapping[str, Any]) -> str:
    """Cluster-scoped objects (webhook configurations, backups, namespaces): the whole cluster."""
    cluster = _text(parameters, "cluster").lower()
    return f"kube:{cluster}/*" if cluster else UNSCOPED


def migration(parameters: Mapping[str, Any]) -> str:
    """velero.migrate: the namespace as it lands in the target cluster, where the restore writes."""
    target = _text(parameters, "target").lower()
    if not target or not _text(parameters, "namespace"):
        return UNSCOPED
    return f"kube:{target}/{_namespace({'namespace': _text(parameters, 'target_namespace') or _text(parameters, 'namespace')}, '')}"
