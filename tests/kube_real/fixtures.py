"""Reusable pytest fixtures for the real kube-apiserver.

Import them into any conftest.py to use them there (pytest registers imported
fixture functions): ``from tests.kube_real.fixtures import real_cluster``.

Servers are started at most once per pytest session, by name, whichever test
folder asks first (``real_servers(config, ...).get("prod-gke", "dr-aks")``), and
stopped when the session ends: importing a session fixture into two conftests
would make two fixtures, and so two servers of ~290 MiB each.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from kubernetes_asyncio.client import ApiClient
from kubernetes_asyncio.config import new_client_from_config

from tests.kube_real.server import RealCluster, binary_path, start_real_cluster

# The server the smoke tests in tests/kube_real use; the handler tests use it as their first cluster too.
FIRST = "prod-gke"


class RealServers:
    """Named real API servers of one pytest session, each started on first use."""

    def __init__(self, workdirs: pytest.TempPathFactory) -> None:
        self._workdirs = workdirs
        self._running: dict[str, RealCluster] = {}

    def get(self, *names: str) -> tuple[RealCluster, ...]:
        """The servers by name, starting the missing ones side by side (each takes ~4.5 s to be ready).

        Without the binary: skipped locally, failed in CI (CI=true), so CI can't
        pass by silently running none of these tests.
        """
        missing = [name for name in names if name not in self._running]
        if missing:
            binary = binary_path()
            if not binary.is_file():
                reason = f"kube-apiserver test binary missing at {binary}: run .ci/steps/kube-apiserver.sh"
                if os.environ.get("CI", "").lower() == "true":
                    pytest.fail(reason)
                pytest.skip(reason)
            # A thread each: the start blocks on the server's ready line, then applies
            # the manifests with its own event loop (never the test's).
            with ThreadPoolExecutor(max_workers=len(missing)) as pool:
                futures = {name: pool.submit(start_real_cluster, self._workdirs.mktemp(name), binary=binary)
                           for name in missing}
            failed = [future.exception() for future in futures.values() if future.exception() is not None]
            # Keep what did start, so stop() ends it with the session, then report what did not.
            self._running.update({name: future.result() for name, future in futures.items() if future.exception() is None})
            if failed:
                raise failed[0]  # type: ignore[misc]
        return tuple(self._running[name] for name in names)

    def stop(self) -> None:
        for cluster in self._running.values():
            cluster.stop()
        self._running.clear()


_SERVERS = pytest.StashKey[RealServers]()


def real_servers(config: pytest.Config, workdirs: pytest.TempPathFactory) -> RealServers:
    """The session's servers (kept on the pytest config, so every conftest shares them)."""
    if _SERVERS not in config.stash:
        config.stash[_SERVERS] = RealServers(workdirs)
        config.add_cleanup(config.stash[_SERVERS].stop)
    return config.stash[_SERVERS]


@pytest.fixture(scope="session")
def real_cluster(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> RealCluster:
    """One API server for the session, with the Velero CRDs and deploy/rbac.yaml applied."""
    (cluster,) = real_servers(pytestconfig, tmp_path_factory).get(FIRST)
    return cluster


@asynccontextmanager
async def api_client(kubeconfig: Path) -> AsyncIterator[ApiClient]:
    """A kubernetes-asyncio client for one of the cluster's kubeconfig files."""
    async with await new_client_from_config(config_file=str(kubeconfig)) as api:
        yield api
