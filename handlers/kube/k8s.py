"""kubernetes_asyncio, imported when a cluster is first listed or connected to.

Importing any part of it imports all of it (859 modules, about 60 MiB resident):
a service with no kubeconfig, or whose clusters nobody asks about, does without.
Use the attributes (``k8s.CoreV1Api(cluster.api)``, ``except k8s.ApiException``).
An ``except`` clause is evaluated only when something is raised, there by code
that works on a ``Cluster``, whose client has loaded the library already.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatops.lazy import lazy_names

if TYPE_CHECKING:  # what type checkers see; the table below is what runs
    from kubernetes_asyncio.client import (
        AdmissionregistrationV1Api,
        ApiClient,
        ApiException,
        ApiextensionsV1Api,
        AppsV1Api,
        Configuration,
        CoreV1Api,
        CustomObjectsApi,
        StorageV1Api,
    )
    from kubernetes_asyncio.client.rest import RESTResponse
    from kubernetes_asyncio.config import ConfigException, list_kube_config_contexts, load_incluster_config, load_kube_config
    from kubernetes_asyncio.config.kube_config import refresh_token
    from kubernetes_asyncio.watch import Watch

__getattr__ = lazy_names(globals(), {
    "kubernetes_asyncio.client": (
        "AdmissionregistrationV1Api", "ApiClient", "ApiException", "ApiextensionsV1Api", "AppsV1Api", "Configuration",
        "CoreV1Api", "CustomObjectsApi", "StorageV1Api",
    ),
    "kubernetes_asyncio.client.rest": ("RESTResponse",),
    "kubernetes_asyncio.config": ("ConfigException", "list_kube_config_contexts", "load_incluster_config", "load_kube_config"),
    "kubernetes_asyncio.config.kube_config": ("refresh_token",),
    "kubernetes_asyncio.watch": ("Watch",),
})
