"""Kubernetes client code shared by the pods, certs and velero tables.

All three tables declare the same resource type, ``Clusters``, with the same
factory: whichever of them the server loads, the handlers find one ``Clusters``
(one ApiClient per cluster) under that type.
"""

from __future__ import annotations

from chatops.fulfillment import HandlerCall, HandlerTable
from handlers.kube.clusters import Cluster, Clusters, open_clusters


def use_clusters(table: HandlerTable) -> None:
    """Declare on ``table`` that its handlers need the clusters (same type, same factory on every table)."""
    table.resource(Clusters)(open_clusters)


async def cluster_for(call: HandlerCall) -> Cluster:
    """The cluster the call's ``cluster`` parameter names, or the configured default."""
    return await call.resources.get(Clusters).get(call.param("cluster"))


__all__ = ["Cluster", "Clusters", "cluster_for", "open_clusters", "use_clusters"]
