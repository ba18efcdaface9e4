"""Fixtures for the tests against the real kube-apiserver (see server.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from kubernetes_asyncio import client
from kubernetes_asyncio.client import ApiClient

from tests.kube_real.fixtures import api_client, real_cluster
from tests.kube_real.server import RealCluster

__all__ = ["real_cluster"]


@pytest.fixture
async def admin_api(real_cluster: RealCluster) -> AsyncIterator[ApiClient]:
    """A client authenticated as the admin (system:masters)."""
    async with api_client(real_cluster.kubeconfig_admin) as api:
        yield api


@pytest.fixture
async def bot_api(real_cluster: RealCluster) -> AsyncIterator[ApiClient]:
    """A client authenticated as the bot's ServiceAccount, limited by deploy/rbac.yaml."""
    async with api_client(real_cluster.kubeconfig_bot) as api:
        yield api


@pytest.fixture
async def namespace(admin_api: ApiClient) -> str:
    """A fresh namespace per test. Never deleted: without a controller-manager a
    deleted namespace stays Terminating, and the server dies with the session."""
    name = f"t-{uuid.uuid4().hex[:10]}"
    await client.CoreV1Api(admin_api).create_namespace({"metadata": {"name": name}})
    return name
