"""Fixtures for tests against the real kube-apiserver (see server.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from kubernetes_asyncio import client
from kubernetes_asyncio.client import ApiClient
from kubernetes_asyncio.config import new_client_from_config

from tests.kube_real.server import RealCluster, binary_path, start_real_cluster


@pytest.fixture(scope="session")
def real_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealCluster]:
    """One API server per session, with the Velero CRDs and deploy/rbac.yaml applied."""
    binary = binary_path()
    if not binary.is_file():
        reason = f"kube-apiserver test binary missing at {binary}: run .ci/steps/kube-apiserver.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    cluster = start_real_cluster(tmp_path_factory.mktemp("kube-apiserver"), binary=binary)
    yield cluster
    cluster.stop()


@pytest.fixture
async def admin_api(real_cluster: RealCluster) -> AsyncIterator[ApiClient]:
    """A client authenticated as the admin (system:masters)."""
    async with await new_client_from_config(config_file=str(real_cluster.kubeconfig_admin)) as api:
        yield api


@pytest.fixture
async def bot_api(real_cluster: RealCluster) -> AsyncIterator[ApiClient]:
    """A client authenticated as the bot's ServiceAccount, limited by deploy/rbac.yaml."""
    async with await new_client_from_config(config_file=str(real_cluster.kubeconfig_bot)) as api:
        yield api


@pytest.fixture
async def namespace(admin_api: ApiClient) -> str:
    """A fresh namespace per test. Never deleted: without a controller-manager a
    deleted namespace stays Terminating, and the server dies with the session."""
    name = f"t-{uuid.uuid4().hex[:10]}"
    await client.CoreV1Api(admin_api).create_namespace({"metadata": {"name": name}})
    return name
