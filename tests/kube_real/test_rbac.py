"""deploy/rbac.yaml on the real server: the bot can do exactly what the ClusterRole says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from kubernetes_asyncio import client
from kubernetes_asyncio.client import ApiClient, ApiException

from tests.kube_real.server import RBAC_MANIFEST, RealCluster


def cluster_role_grants() -> list[tuple[str, str, str]]:
    """(apiGroup, resource, verb) for every grant in the ClusterRole, read from the file."""
    docs = yaml.safe_load_all(Path(RBAC_MANIFEST).read_text())
    role = next(d for d in docs if d["kind"] == "ClusterRole")
    return [
        (group, resource, verb)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    ]


DENIED = [
    ("", "namespaces", "delete"),
    ("", "pods", "create"),
    ("", "pods", "delete"),
    ("", "secrets", "list"),
    ("", "services", "list"),  # get only: the handlers know the service's name
    ("", "secrets", "delete"),
    ("", "pods/exec", "create"),
    ("apps", "deployments", "delete"),
    ("velero.io", "backups", "delete"),
    ("rbac.authorization.k8s.io", "clusterroles", "create"),
]


async def access_review(api: ApiClient, cluster: RealCluster, group: str, resource: str, verb: str) -> bool:
    resource, _, subresource = resource.partition("/")
    review = {
        "spec": {
            "user": cluster.bot_user,
            "groups": ["system:serviceaccounts", "system:serviceaccounts:chatops", "system:authenticated"],
            "resourceAttributes": {"group": group, "resource": resource, "subresource": subresource, "verb": verb, "namespace": "shop"},
        }
    }
    answer = await client.AuthorizationV1Api(api).create_subject_access_review(review)
    return bool(answer.status.allowed)


async def test_the_server_grants_the_bot_every_rule_in_the_cluster_role(admin_api: ApiClient, real_cluster: RealCluster) -> None:
    grants = cluster_role_grants()
    assert len(grants) >= 20

    refused = [g for g in grants if not await access_review(admin_api, real_cluster, *g)]

    assert refused == []


@pytest.mark.parametrize("grant", DENIED, ids=["/".join(filter(None, g)) for g in DENIED])
async def test_the_server_refuses_the_bot_anything_else(
    admin_api: ApiClient, real_cluster: RealCluster, grant: tuple[str, str, str]
) -> None:
    assert not await access_review(admin_api, real_cluster, *grant)


async def test_bot_token_is_refused_deleting_a_namespace_and_told_why(bot_api: ApiClient, namespace: str) -> None:
    with pytest.raises(ApiException) as refused:
        await client.CoreV1Api(bot_api).delete_namespace(namespace)

    status = json.loads(refused.value.body)
    assert (refused.value.status, status["reason"]) == (403, "Forbidden")
    assert 'User "system:serviceaccount:chatops:chatops" cannot delete resource "namespaces"' in status["message"]


async def test_bot_token_is_refused_listing_secrets(bot_api: ApiClient, namespace: str) -> None:
    with pytest.raises(ApiException) as refused:
        await client.CoreV1Api(bot_api).list_namespaced_secret(namespace)

    assert refused.value.status == 403


async def test_bot_token_may_list_pods_and_namespaces(bot_api: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(bot_api)

    pods = await core.list_namespaced_pod(namespace)
    namespaces = await core.list_namespace()

    assert pods.items == []
    assert namespace in {n.metadata.name for n in namespaces.items}


async def test_an_unknown_token_is_unauthorized(real_cluster: RealCluster) -> None:
    config = client.Configuration(
        host=real_cluster.url, api_key={"BearerToken": "not-a-token"}, api_key_prefix={"BearerToken": "Bearer"}
    )
    config.ssl_ca_cert = str(real_cluster.ca_file)
    async with ApiClient(config) as api:
        with pytest.raises(ApiException) as refused:
            await client.CoreV1Api(api).list_namespace()

    assert refused.value.status == 401
