"""Clusters from kubeconfig contexts (or in-cluster), one client each, resolved from chat names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kubernetes_asyncio.client import CoreV1Api

from chatops.config import load_settings
from chatops.errors import ConfigError
from chatops.fulfillment import InputError, PermanentError
from handlers import certs, pods, velero
from handlers.kube import Clusters, open_clusters
from tests.fakes.kube.clusters import write_kubeconfig
from tests.handlers.kube.conftest import SOURCE, TARGET, KubeCluster


def _settings(**kube: object):
    return load_settings({}, overrides={"kube": kube})


async def test_one_client_per_cluster_closed_with_the_app(kube_cluster: KubeCluster) -> None:
    async with open_clusters(_settings(kubeconfig=kube_cluster.kubeconfig)) as clusters:
        assert clusters.names == (SOURCE, TARGET) and clusters.default == SOURCE  # the kubeconfig's current context
        first, again = await clusters.get(None), await clusters.get("PROD-GKE")
        assert first is again
        namespaces = await first.call(CoreV1Api(first.api).list_namespace)
        assert namespaces["kind"] == "NamespaceList"
        api = first.api
    assert api.rest_client.pool_manager.closed


def test_contexts_are_limited_by_settings(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "k", {"a": ("http://127.0.0.1:1", "t"), "b": ("http://127.0.0.1:2", "t")}, "a")
    only_b = Clusters.from_settings(_settings(kubeconfig=path, contexts=("b",)).kube)
    assert only_b.names == ("b",) and only_b.default == "b"
    with pytest.raises(InputError, match="I don't know a cluster called 'a'; I know b."):
        only_b.resolve("a")
    with pytest.raises(ConfigError, match="kubeconfig has no context c"):
        Clusters.from_settings(_settings(kubeconfig=path, contexts=("c",)).kube)
    neither = Clusters.from_settings(_settings(kubeconfig=path, contexts=("a", "b"), default_cluster="zzz").kube)
    with pytest.raises(InputError, match="Which cluster\\? I know a, b."):
        neither.resolve(None)


def test_a_kubeconfig_list_gives_the_contexts_of_every_file_there_is(tmp_path: Path) -> None:
    first = write_kubeconfig(tmp_path / "a", {"a": ("http://127.0.0.1:1", "t")}, "a")
    second = write_kubeconfig(tmp_path / "b", {"b": ("http://127.0.0.1:2", "t")}, "b")
    clusters = Clusters.from_settings(_settings(kubeconfig=os.pathsep.join([str(tmp_path / "gone"), first, second])).kube)
    assert clusters.names == ("a", "b")


def test_no_kubeconfig_is_not_fatal(tmp_path: Path) -> None:
    clusters = Clusters.from_settings(_settings(kubeconfig=str(tmp_path / "missing")).kube)
    with pytest.raises(InputError, match="No Kubernetes clusters are configured"):
        clusters.resolve(None)


async def test_in_cluster_without_a_service_account_says_so() -> None:
    async with open_clusters(_settings(in_cluster=True)) as clusters:
        assert clusters.names == ("in-cluster",)
        with pytest.raises(PermanentError, match="I could not load the credentials for cluster in-cluster."):
            await clusters.get(None)


def test_every_kube_table_declares_the_same_resource() -> None:
    factories = {table.name: table.resources[Clusters] for table in (pods.table, certs.table, velero.table)}
    assert set(factories.values()) == {open_clusters}


@pytest.mark.parametrize(("action", "parameters", "resource"), [
    ("pods.list", {"namespace": "shop", "cluster": "PROD-GKE"}, "kube:prod-gke/shop"),
    ("pods.list", {"namespace": "all", "cluster": "dr-aks"}, "kube:dr-aks/*"),
    ("pods.list", {"namespace": "shop"}, "*"),  # the default cluster: unscoped, so every deny applies
    ("pods.logs", {"pod": "web-0", "cluster": "dr-aks"}, "kube:dr-aks/default"),
    ("certs.rotate", {"webhook": "policy", "cluster": "prod-gke"}, "kube:prod-gke/*"),
    ("velero.migrate", {"namespace": "wordpress", "source": "prod-gke", "target": "dr-aks"}, "kube:dr-aks/wordpress"),
    ("velero.migrate", {"namespace": "wordpress", "target": "dr-aks", "target_namespace": "blog"}, "kube:dr-aks/blog"),
    ("velero.backups", {"cluster": "dr-aks"}, "kube:dr-aks/*"),
])
def test_policy_resources(action: str, parameters: dict, resource: str) -> None:
    tables = {table.name: table for table in (pods.table, certs.table, velero.table)}
    registered = next(t.actions[action] for t in tables.values() if action in t.actions)
    assert registered.resource_of(parameters) == resource


def test_a_malformed_namespace_is_explained_before_the_policy() -> None:
    with pytest.raises(InputError):
        pods.table.actions["pods.list"].resource_of({"namespace": "Bad_NS", "cluster": "x"})
