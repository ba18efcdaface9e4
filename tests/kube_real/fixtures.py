"""Reusable pytest fixtures for the real kube-apiserver.

Import them into any conftest.py to use them there (pytest registers imported
fixture functions): ``from tests.kube_real.fixtures import real_cluster``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from kubernetes_asyncio.client import ApiClient
from kubernetes_asyncio.config import new_client_from_config

from tests.kube_real.server import RealCluster, binary_path, start_real_cluster


@pytest.fixture(scope="session")
def real_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealCluster]:
    """One API server per session, with the Velero CRDs and deploy/rbac.yaml applied.

    Without the binary: skipped locally, failed in CI (CI=true), so CI can't
    pass by silently running none of these tests.
    """
    binary = binary_path()
    if not binary.is_file():
        reason = f"kube-apiserver test binary missing at {binary}: run .ci/steps/kube-apiserver.sh"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    cluster = start_real_cluster(tmp_path_factory.mktemp("kube-apiserver"), binary=binary)
    yield cluster
    cluster.stop()


@asynccontextmanager
async def api_client(kubeconfig: Path) -> AsyncIterator[ApiClient]:
    """A kubernetes-asyncio client for one of the cluster's kubeconfig files."""
    async with await new_client_from_config(config_file=str(kubeconfig)) as api:
        yield api
