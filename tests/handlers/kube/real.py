"""``kube_cluster`` on real API servers (one per context, shared by the whole session).

The handlers get a kubeconfig with the bot's ServiceAccount token, so every call they make is
authorized by deploy/rbac.yaml's ClusterRole and nothing else; the tests seed with the admin's.
A shared server needs isolation the stand-in (fresh per test) gets for free: each test has its
own namespaces and Velero namespace, and afterwards its cluster-scoped objects are deleted, the
Velero CRDs put back as their manifests say, and the bot's ClusterRole as deploy/rbac.yaml says.
Namespaces are never deleted: with no controller-manager, a deleted namespace would stay
Terminating for the rest of the session.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Mapping

import yaml
from kubernetes_asyncio import client, config
from kubernetes_asyncio.client import ApiClient

from tests.fakes.kube.clusters import write_kubeconfig
from tests.fakes.kube.server import BOT
from tests.handlers.kube import seed, seed_velero
from tests.kube_real.server import RBAC_MANIFEST, RealCluster


def kubeconfigs(servers: Mapping[str, RealCluster], directory: Path, current: str) -> tuple[str, str]:
    """(the bot's kubeconfig, the admin's): one context per server, named as ``servers`` names them."""
    ca_files = {name: server.ca_file for name, server in servers.items()}
    bot = write_kubeconfig(directory / "bot.kubeconfig", {n: (s.url, s.bot_token) for n, s in servers.items()},
                           current, ca_files)
    admin = write_kubeconfig(directory / "admin.kubeconfig", {n: (s.url, s.admin_token) for n, s in servers.items()},
                             current, ca_files)
    return bot, admin


def cluster_role() -> dict[str, Any]:
    """deploy/rbac.yaml's ClusterRole."""
    return next(d for d in yaml.safe_load_all(RBAC_MANIFEST.read_text()) if d and d["kind"] == "ClusterRole")


async def bot_may(api: ApiClient, group: str, resource: str, verb: str, namespace: str) -> bool:
    """The server's own RBAC answer for the bot (a SubjectAccessReview, asked as the admin)."""
    review = {"spec": {"user": BOT, "groups": ["system:serviceaccounts", "system:serviceaccounts:chatops", "system:authenticated"],
                       "resourceAttributes": {"group": group, "resource": resource, "verb": verb, "namespace": namespace}}}
    answer = await client.AuthorizationV1Api(api).create_subject_access_review(review)
    return bool(answer.status.allowed)


async def _set_cluster_role(api: ApiClient, role: dict[str, Any]) -> None:
    rbac = client.RbacAuthorizationV1Api(api)
    current = await rbac.read_cluster_role(role["metadata"]["name"])
    body = {**role, "metadata": {**role["metadata"], "resourceVersion": current.metadata.resource_version}}
    await rbac.replace_cluster_role(role["metadata"]["name"], body)


async def _until(api: ApiClient, allowed: bool, grant: tuple[str, str, str], namespace: str) -> None:
    # The authorizer follows RBAC objects through a watch: a change takes a moment to apply.
    async with asyncio.timeout(10):
        while await bot_may(api, *grant, namespace) != allowed:
            await asyncio.sleep(0.05)


@asynccontextmanager
async def older_cluster_role(api: ApiClient, grant: tuple[str, str, str], namespace: str) -> AsyncIterator[None]:
    """The bot's ClusterRole as an older deploy/rbac.yaml had it, without ``grant`` (group, resource, verb)."""
    role = cluster_role()
    group, resource, verb = grant
    rules = []
    for rule in role["rules"]:
        if group in rule["apiGroups"] and resource in rule["resources"]:
            rule = {**rule, "verbs": [v for v in rule["verbs"] if v != verb]}
        if rule["verbs"]:
            rules.append(rule)
    await _set_cluster_role(api, {**role, "rules": rules})
    try:
        await _until(api, False, grant, namespace)
        yield
    finally:
        await _set_cluster_role(api, role)
        await _until(api, True, grant, namespace)


async def clean(admin_kubeconfig: str, contexts: tuple[str, ...]) -> None:
    """Remove what a test changed at cluster scope, so the next test on the shared servers starts as it expects."""
    for context in contexts:
        async with await config.new_client_from_config(admin_kubeconfig, context=context, persist_config=False) as api:
            await seed.remove_seeded(api)
            await seed_velero.reset_crds(api)
