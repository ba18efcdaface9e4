"""``kube_cluster`` on real API servers (one per context, shared by the whole session).

The handlers get a kubeconfig with the bot's ServiceAccount token, so every call they make is
authorized by deploy/rbac.yaml's ClusterRole and nothing else; the tests seed with the admin's.
A shared server needs isolation the stand-in (fresh per test) gets for free: each test has its
own namespaces and Velero namespace, and afterwards its cluster-scoped objects are deleted and the
Velero CRDs put back as their manifests say. Namespaces are never deleted: with no
controller-manager, a deleted namespace would stay Terminating for the rest of the session.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Mapping

import yaml
from kubernetes_asyncio import config
from kubernetes_asyncio.utils import create_from_dict

from tests.fakes.kube.clusters import write_kubeconfig
from tests.handlers.kube import seed, seed_velero
from tests.kube_real.server import RBAC_MANIFEST, RealCluster

# deploy/rbac.yaml grants some rights only in Velero's namespace; a test's own Velero namespace gets the same.
VELERO = "velero"


def kubeconfigs(servers: Mapping[str, RealCluster], directory: Path, current: str) -> tuple[str, str]:
    """(the bot's kubeconfig, the admin's): one context per server, named as ``servers`` names them."""
    ca_files = {name: server.ca_file for name, server in servers.items()}
    bot = write_kubeconfig(directory / "bot.kubeconfig", {n: (s.url, s.bot_token) for n, s in servers.items()},
                           current, ca_files)
    admin = write_kubeconfig(directory / "admin.kubeconfig", {n: (s.url, s.admin_token) for n, s in servers.items()},
                             current, ca_files)
    return bot, admin


def velero_grants(namespace: str) -> list[dict[str, Any]]:
    """deploy/rbac.yaml's Roles and RoleBindings for Velero's namespace, moved to ``namespace``."""
    moved = []
    for document in yaml.safe_load_all(RBAC_MANIFEST.read_text()):
        if document and document["metadata"].get("namespace") == VELERO and document["kind"] in ("Role", "RoleBinding"):
            document = copy.deepcopy(document)
            document["metadata"]["namespace"] = namespace
            moved.append(document)
    return moved


async def prepare(admin_kubeconfig: str, contexts: tuple[str, ...], velero_namespace: str) -> None:
    """The test's Velero namespace in every cluster, with the bot's grants there."""
    for context in contexts:
        async with await config.new_client_from_config(admin_kubeconfig, context=context, persist_config=False) as api:
            await seed.namespace(api, velero_namespace)
            for document in velero_grants(velero_namespace):
                await create_from_dict(api, document)


async def clean(admin_kubeconfig: str, contexts: tuple[str, ...]) -> None:
    """Remove what a test changed at cluster scope, so the next test on the shared servers starts as it expects."""
    for context in contexts:
        async with await config.new_client_from_config(admin_kubeconfig, context=context, persist_config=False) as api:
            await seed.remove_seeded(api)
            await seed_velero.reset_crds(api)
