"""What the bot's ServiceAccount may not do is refused by the cluster and explained in chat.

The scenario: a cluster still has the ClusterRole of an older deploy/rbac.yaml, from before the
pre-flight read Velero's storage-class mapping (config maps). On the real server the refusal is
the API server's own RBAC decision; the stand-in has no RBAC, so there the same refusal is configured.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Mapping

import pytest
from kubernetes_asyncio import client
from kubernetes_asyncio.client import CoreV1Api

from chatops.fulfillment import AccessError
from chatops.testing import ChatHarness
from handlers.kube import Clusters
from handlers.kube.errors import api_errors
from tests.fakes.kube.server import BOT
from tests.handlers.kube import real, seed_velero
from tests.handlers.kube.conftest import SOURCE, TARGET, KubeCluster, kube_overrides

CONFIG_MAPS = ("", "configmaps", "list")


@pytest.fixture
async def older_role(kube_cluster: KubeCluster, admin: Mapping[str, client.ApiClient]) -> AsyncIterator[None]:
    """dr-aks's bot may not list config maps (put back afterwards: the real servers are shared)."""
    if kube_cluster.fakes:
        kube_cluster.fakes[TARGET].deny(BOT, "list", "configmaps")
        yield
        return
    async with real.older_cluster_role(admin[TARGET], CONFIG_MAPS, kube_cluster.velero_namespace):
        yield


async def test_the_refusal_names_the_bot_and_what_it_may_not_do(clusters: Clusters, kube_cluster: KubeCluster,
                                                                older_role: None) -> None:
    velero_ns = kube_cluster.velero_namespace
    cluster = await clusters.get(TARGET)
    with pytest.raises(AccessError) as refused:
        with api_errors(cluster.name, "list config maps in", f"namespace {velero_ns}"):
            await cluster.call(CoreV1Api(cluster.api).list_namespaced_config_map, velero_ns)
    assert refused.value.user_message == f"On dr-aks, the bot's service account may not list config maps in namespace {velero_ns}."
    assert f'User "{BOT}" cannot list resource "configmaps" in API group "" in the namespace "{velero_ns}"' in refused.value.detail


async def test_a_migration_the_role_does_not_cover_is_explained_in_chat(kube_cluster: KubeCluster, older_role: None,
                                                                        admin: Mapping[str, client.ApiClient]) -> None:
    velero_ns, wordpress = kube_cluster.velero_namespace, kube_cluster.ns("wordpress")
    for context in (SOURCE, TARGET):
        await seed_velero.install_velero(admin[context], velero_ns)
        await seed_velero.storage_class(admin[context], "standard-rwo", default=True)
    await seed_velero.wordpress(admin[SOURCE], wordpress)
    async with ChatHarness(overrides={"kube": kube_overrides(kube_cluster)}) as chat:
        reply = await chat.say(f"migrate namespace {wordpress} from prod-gke to dr-aks")
        audit = await chat.runtime.store.query_audit(action="velero.migrate")
    assert reply.text.startswith(f"Migrate namespace {wordpress} from prod-gke to dr-aks: pre-flight failed.")
    assert ("❌ could not check storage classes: On dr-aks, the bot's service account may not list config maps "
            f"in namespace {velero_ns}.") in reply.text
    assert reply.text.endswith("I can't migrate until these are fixed.") and not reply.parts  # nothing to confirm
    assert [(record.decision, record.outcome.split(":")[0]) for record in audit] == [("allowed", "plan failed")]
