"""Fixtures for the Kubernetes handler tests.

The seam is ``kube_cluster``: kubeconfig files (the bot's, and an admin's with
the same context names) and the context names. It is parametrized: every test
runs against the API stand-in (tests/fakes/kube, fresh per test) and against
real kube-apiservers (tests/kube_real, one per context, shared by the session;
see real.py for how tests stay apart there). Tests seed data through the admin
kubeconfig with kubernetes-asyncio, never by reaching into the stand-in, and
name namespaces with ``kube_cluster.ns(...)``. Tests that need the stand-in's
fault injection or pod logs (which a bare API server has no kubelet for) ask
for ``fakes``, and are skipped on the real servers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Mapping

import pytest
from kubernetes_asyncio import client, config

from chatops.config import Settings, StoreSettings, load_settings
from chatops.fulfillment import HandlerCall, Principal, Reply, Resources
from chatops.fulfillment.registry import JobControl
from chatops.models import Context
from chatops.store import Store, create_store
from handlers.kube import Clusters, open_clusters
from tests.fakes.kube.clusters import start_fake_clusters
from tests.fakes.kube.server import FakeKubeApi
from tests.handlers.kube import real
from tests.kube_real.fixtures import real_servers
from tests.kube_real.server import RealCluster

SOURCE, TARGET = "prod-gke", "dr-aks"


@dataclass(frozen=True)
class KubeCluster:
    kubeconfig: str
    admin_kubeconfig: str
    contexts: tuple[str, ...]
    run: str  # unique to the test
    fakes: Mapping[str, FakeKubeApi] = field(default_factory=dict)  # empty against a real API server

    def ns(self, name: str) -> str:
        """A namespace name of the test's own (a real server keeps every earlier test's namespaces)."""
        return f"{name}-{self.run}"

    @property
    def velero_namespace(self) -> str:
        return self.ns("velero")


@pytest.fixture(params=["standin", "real"])
def kube_servers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, RealCluster]:
    """The real servers by context name; empty for the stand-in run."""
    if request.param == "standin":
        return {}
    return dict(zip((SOURCE, TARGET), real_servers(request.config, tmp_path_factory).get(SOURCE, TARGET)))


@pytest.fixture
async def kube_cluster(kube_servers: dict[str, RealCluster], tmp_path: Path) -> AsyncIterator[KubeCluster]:
    run = uuid.uuid4().hex[:6]
    if not kube_servers:
        fake = await start_fake_clusters((SOURCE, TARGET), tmp_path)
        try:
            yield KubeCluster(fake.kubeconfig, fake.admin_kubeconfig, (SOURCE, TARGET), run, fake.apis)
        finally:
            await fake.stop()
        return
    bot, admin = real.kubeconfigs(kube_servers, tmp_path, SOURCE)
    try:
        yield KubeCluster(bot, admin, (SOURCE, TARGET), run)
    finally:
        await real.clean(admin, (SOURCE, TARGET))


@pytest.fixture
def fakes(kube_cluster: KubeCluster) -> Mapping[str, FakeKubeApi]:
    if not kube_cluster.fakes:
        pytest.skip("needs the Kubernetes API stand-in (fault injection, pod logs)")
    return kube_cluster.fakes


def kube_overrides(kube_cluster: KubeCluster, **more: Any) -> dict[str, Any]:
    return {"kubeconfig": kube_cluster.kubeconfig, "default_cluster": kube_cluster.contexts[0], "page_size": 4,
            "table_rows": 5, "timeout_seconds": 5.0, "velero_poll_seconds": 0.05, "watch_seconds": 2,
            "velero_namespace": kube_cluster.velero_namespace, **more}


@pytest.fixture
def settings(kube_cluster: KubeCluster) -> Settings:
    return load_settings({}, overrides={"kube": kube_overrides(kube_cluster)})


@pytest.fixture
async def clusters(settings: Settings) -> AsyncIterator[Clusters]:
    async with open_clusters(settings) as opened:
        yield opened


@pytest.fixture
async def admin(kube_cluster: KubeCluster) -> AsyncIterator[dict[str, client.ApiClient]]:
    """Admin clients by context name, for seeding and for checking what the handlers did."""
    clients = {
        name: await config.new_client_from_config(kube_cluster.admin_kubeconfig, context=name, persist_config=False)
        for name in kube_cluster.contexts
    }
    yield clients
    for api in clients.values():
        await api.close()


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    opened = create_store(StoreSettings(url="sqlite:///:memory:"))
    await opened.open()
    yield opened
    await opened.close()


MakeCall = Callable[..., HandlerCall]


@pytest.fixture
def make_call(settings: Settings, clusters: Clusters, store: Store) -> MakeCall:
    def make(action: str, *, confirmed: bool = False, contexts: tuple[Context, ...] = (), jobs: JobControl | None = None,
             **parameters: Any) -> HandlerCall:
        return HandlerCall(
            action=action, parameters=parameters, principal=Principal(id="U42", channel="slack"), session="S1",
            resources=Resources({Clusters: clusters}), store=store, settings=settings, contexts=contexts,
            confirmed=confirmed, jobs=jobs,
        )

    return make


def contexts_of(reply: Reply) -> tuple[Context, ...]:
    """What the engine would hand the next turn: the reply's output contexts that are still alive."""
    return tuple(Context(c.name, c.lifespan, dict(c.parameters)) for c in reply.contexts if c.lifespan > 0)
