"""What the bot's ServiceAccount may not do is refused by the cluster and explained in chat.

On the real servers deploy/rbac.yaml is all the bot has, so the refusal is the API server's own
RBAC decision; the stand-in has no RBAC, so there the same refusal is configured.
"""

from __future__ import annotations

from typing import Mapping

import pytest
from kubernetes_asyncio import client
from kubernetes_asyncio.client import CoreV1Api

from chatops.config import load_settings
from chatops.fulfillment import AccessError
from chatops.testing import ChatHarness
from handlers.kube import open_clusters
from handlers.kube.errors import api_errors
from tests.fakes.kube.server import BOT
from tests.handlers.kube import seed_velero
from tests.handlers.kube.conftest import SOURCE, TARGET, KubeCluster, kube_overrides


@pytest.fixture
async def elsewhere(kube_cluster: KubeCluster, admin: Mapping[str, client.ApiClient]) -> str:
    """Velero installed in a namespace deploy/rbac.yaml's Role does not cover (config maps are read in "velero" only)."""
    namespace = kube_cluster.ns("backups")
    for context in (SOURCE, TARGET):
        await seed_velero.install_velero(admin[context], namespace)
        await seed_velero.storage_class(admin[context], "standard-rwo", default=True)
    if kube_cluster.fakes:
        kube_cluster.fakes[TARGET].deny(BOT, "list", "configmaps")
    return namespace


async def test_the_refusal_names_the_bot_and_what_it_may_not_do(kube_cluster: KubeCluster, elsewhere: str) -> None:
    settings = load_settings({}, overrides={"kube": kube_overrides(kube_cluster, velero_namespace=elsewhere)})
    async with open_clusters(settings) as clusters:
        cluster = await clusters.get(TARGET)
        with pytest.raises(AccessError) as refused:
            with api_errors(cluster.name, "list config maps in", f"namespace {elsewhere}"):
                await cluster.call(CoreV1Api(cluster.api).list_namespaced_config_map, elsewhere)
    assert refused.value.user_message == f"On dr-aks, the bot's service account may not list config maps in namespace {elsewhere}."
    assert f'User "{BOT}" cannot list resource "configmaps" in API group "" in the namespace "{elsewhere}"' in refused.value.detail


async def test_a_migration_the_role_does_not_cover_is_explained_in_chat(kube_cluster: KubeCluster, elsewhere: str,
                                                                        admin: Mapping[str, client.ApiClient]) -> None:
    wordpress = kube_cluster.ns("wordpress")
    await seed_velero.wordpress(admin[SOURCE], wordpress)
    async with ChatHarness(overrides={"kube": kube_overrides(kube_cluster, velero_namespace=elsewhere)}) as chat:
        reply = await chat.say(f"migrate namespace {wordpress} from prod-gke to dr-aks")
        audit = await chat.runtime.store.query_audit(action="velero.migrate")
    assert reply.text.startswith(f"Migrate namespace {wordpress} from prod-gke to dr-aks: pre-flight failed.")
    assert ("❌ could not check storage classes: On dr-aks, the bot's service account may not list config maps "
            f"in namespace {elsewhere}.") in reply.text
    assert reply.text.endswith("I can't migrate until these are fixed.") and not reply.parts  # nothing to confirm
    assert [(record.decision, record.outcome.split(":")[0]) for record in audit] == [("allowed", "plan failed")]
