"""velero.migrate (pre-flight, job, follow-up, resume after a restart), velero.status and velero.backups,
against two API stand-ins with a fake Velero in each sharing one bucket."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Awaitable, Callable, Mapping

import pytest
from kubernetes_asyncio import client

from chatops.config import Settings, load_settings
from chatops.fulfillment import InputError, NotFoundError, PermanentError, Reply, Resources
from chatops.fulfillment.jobs import JobRunner
from chatops.fulfillment.registry import Registry
from chatops.store import Store
from chatops.store.base import Job
from handlers import velero
from handlers.kube import Clusters, open_clusters
from handlers.kube.migration import KIND, follow_migration
from tests.fakes.kube.server import BOT
from tests.fakes.kube.velero import Bucket, FakeVelero
from tests.handlers.kube import seed_velero
from tests.handlers.kube.conftest import SOURCE, TARGET, KubeCluster, MakeCall, kube_overrides

StartVelero = Callable[..., Awaitable[None]]


@pytest.fixture
async def start_velero(kube_cluster: KubeCluster) -> AsyncIterator[StartVelero]:
    """Start a fake Velero in each cluster (options per side), sharing one bucket."""
    running: list[FakeVelero] = []
    bucket = Bucket()

    async def start(source: dict[str, Any] | None = None, target: dict[str, Any] | None = None) -> None:
        for context, options in ((SOURCE, source or {}), (TARGET, target or {})):
            controller = FakeVelero(kube_cluster.admin_kubeconfig, context, bucket, **options)
            await controller.start()
            running.append(controller)

    yield start
    for controller in running:
        await controller.stop()


@pytest.fixture
async def world(admin: Mapping[str, client.ApiClient]) -> None:
    """Velero in both clusters on one bucket; WordPress in the source; the source's class mapped in the target."""
    for context in (SOURCE, TARGET):
        await seed_velero.install_velero(admin[context])
    await seed_velero.storage_class(admin[SOURCE], "standard-rwo", default=True)
    await seed_velero.storage_class(admin[TARGET], "managed-csi", default=True)
    await seed_velero.class_mapping(admin[TARGET], "standard-rwo", "managed-csi")
    await seed_velero.wordpress(admin[SOURCE])


class Messages:
    """The runner's notify: what reached each session."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def __call__(self, job: Job, reply: Reply) -> None:
        self.sent.append((job.session, reply.text))

    @property
    def texts(self) -> list[str]:
        return [text for _, text in self.sent]


@pytest.fixture
def messages() -> Messages:
    return Messages()


def runner_for(store: Store, clusters: Clusters, settings: Settings, messages: Messages, owner: str) -> JobRunner:
    return JobRunner(Registry([velero.table]), store=store, resources=Resources({Clusters: clusters}), settings=settings,
                     notify=messages, owner=owner, lease_seconds=0.6)


@pytest.fixture
async def runner(store: Store, clusters: Clusters, settings: Settings, messages: Messages) -> AsyncIterator[JobRunner]:
    started = runner_for(store, clusters, settings, messages, "replica-a")
    yield started
    await started.stop()


async def migrate(make_call: MakeCall, runner: JobRunner, store: Store, **parameters: Any) -> tuple[Reply, Job]:
    reply = await velero.velero_migrate(make_call("velero.migrate", confirmed=True, jobs=runner, **parameters))
    job = await store.get_job(reply.data["job"])
    assert job is not None
    return reply, job


async def settled(store: Store, job_id: int, timeout: float = 30.0) -> Job:
    deadline = asyncio.get_running_loop().time() + timeout
    while (job := await store.get_job(job_id)) is None or job.state in ("pending", "running"):
        assert asyncio.get_running_loop().time() < deadline, f"job {job_id} did not finish: {job}"
        await asyncio.sleep(0.02)
    return job


async def test_migration_from_preflight_to_restored(make_call: MakeCall, world: None, start_velero: StartVelero,
                                                    runner: JobRunner, messages: Messages, store: Store,
                                                    admin: Mapping[str, client.ApiClient], kube_cluster: KubeCluster) -> None:
    await start_velero()
    action = velero.table.actions["velero.migrate"]
    assert action.confirm and action.access == "velero:migrate" and velero.table.followers[KIND] is follow_migration
    plan = await action.plan(make_call("velero.migrate", namespace="wordpress", source="prod-gke", target="dr-aks"))
    assert plan.text.startswith("Migrate namespace wordpress from prod-gke to dr-aks: pre-flight passed.")
    for line in ("✅ namespace wordpress exists in prod-gke", "✅ Velero's CRDs are installed in dr-aks",
                 "✅ prod-gke/default and dr-aks/default share aws bucket migrations, prefix velero",
                 "✅ storage class standard-rwo (used by mysql-data, wp-content) maps to managed-csi in dr-aks",
                 "✅ namespace wordpress does not exist yet in dr-aks"):
        assert line in plan.text

    reply, job = await migrate(make_call, runner, store, namespace="wordpress", target="dr-aks")
    assert reply.text.startswith(f"Migration {job.id} started: namespace wordpress from prod-gke to dr-aks.")
    assert job.kind == KIND and job.session == "S1" and job.principal == "U42" and job.parameters["location"] == "default"
    done = await settled(store, job.id)

    name = f"chatops-wordpress-{job.id}"
    title = f"Migration {job.id} (wordpress: prod-gke → dr-aks)"
    assert done.state == "succeeded" and done.result["restore"]["phase"] == "Completed"
    assert {session for session, _ in messages.sent} == {"S1"}
    assert f"{title}: backup {name} InProgress, 6 of 6 items." in messages.texts
    assert not [text for text in messages.texts if text.endswith("Completed, 6 of 6 items.")]  # the summary says it
    assert f"{title}: backup {name} Completed (0 warnings, 0 errors); waiting for it to sync into dr-aks." in messages.texts
    assert f"{title}: restore {name} InProgress, 6 of 6 items." in messages.texts
    assert messages.texts[-1] == f"{title} finished: restore {name} Completed into namespace wordpress in dr-aks (0 warnings, 0 errors)."
    assert len(messages.texts) == len(set(messages.texts))  # every phase and quarter posted once

    restored = await client.CoreV1Api(admin[TARGET]).read_namespaced_config_map("wp-config", "wordpress")
    assert restored.data == {"WP_DEBUG": "0"}
    backup = await client.CustomObjectsApi(admin[SOURCE]).get_namespaced_custom_object("velero.io", "v1", "velero", "backups", name)
    assert backup["spec"] == {"includedNamespaces": ["wordpress"], "defaultVolumesToFsBackup": True, "ttl": "720h0m0s",
                              "storageLocation": "default"}
    status = await velero.velero_status(make_call("velero.status", job=float(job.id)))
    assert status.text.startswith(f"Migration {job.id} (wordpress: prod-gke → dr-aks) succeeded.")
    assert f"Restore {name}: Completed, 6 items, 0 warnings, 0 errors." in status.text
    if kube_cluster.fakes:  # custom objects: only merge patches, never the strategic merge they reject
        patches = [c for fake in kube_cluster.fakes.values() for c in fake.calls_to("PATCH", "/apis/velero.io/")]
        assert patches and {c.content_type for c in patches} == {"application/merge-patch+json"}
        assert not [c for c in patches if c.user == BOT]


@pytest.mark.parametrize("stage", ["backup", "restore"])
async def test_a_migration_resumes_after_a_restart(stage: str, make_call: MakeCall, world: None, start_velero: StartVelero,
                                                  runner: JobRunner, messages: Messages, settings: Settings, store: Store,
                                                  admin: Mapping[str, client.ApiClient]) -> None:
    await start_velero(source={"tick": 0.05}, target={"tick": 0.05})
    _, job = await migrate(make_call, runner, store, namespace="wordpress", target="dr-aks", target_namespace="blog")
    while (await store.get_job(job.id)).progress.get(f"{stage}_phase") != "InProgress":
        await asyncio.sleep(0.005)
    await runner.stop()  # the service stops mid-migration
    stopped = await store.get_job(job.id)
    assert stopped.state == "running" and stopped.progress["stage"] == stage

    # The service starts again (another instance: new clients, a new runner) and takes the job over
    # once the old lease has run out.
    async with open_clusters(settings) as fresh:
        restarted = runner_for(store, fresh, settings, messages, "replica-b")
        try:
            while not await restarted.resume_all():
                await asyncio.sleep(0.05)
            done = await settled(store, job.id)
        finally:
            await restarted.stop()
    assert done.state == "succeeded" and done.owner == "replica-b"
    custom = client.CustomObjectsApi(admin[SOURCE]), client.CustomObjectsApi(admin[TARGET])
    name = f"chatops-wordpress-{job.id}"
    assert [b["metadata"]["name"] for b in (await custom[0].list_namespaced_custom_object("velero.io", "v1", "velero", "backups"))["items"]] == [name]
    assert [r["metadata"]["name"] for r in (await custom[1].list_namespaced_custom_object("velero.io", "v1", "velero", "restores"))["items"]] == [name]
    restore = await custom[1].get_namespaced_custom_object("velero.io", "v1", "velero", "restores", name)
    assert restore["spec"]["namespaceMapping"] == {"wordpress": "blog"}
    assert (await client.CoreV1Api(admin[TARGET]).read_namespaced_secret("wp-db", "blog")).data == {"password": "czNjcmV0"}
    assert len(messages.texts) == len(set(messages.texts))  # the resumed job does not repeat what it had posted


async def test_unknown_phases_count_as_running(make_call: MakeCall, world: None, start_velero: StartVelero,
                                               runner: JobRunner, messages: Messages, store: Store) -> None:
    await start_velero(source={"extra_phases": ("Uploading",)}, target={"extra_phases": ("Rehydrating",)})
    _, job = await migrate(make_call, runner, store, namespace="wordpress", target="dr-aks")
    done = await settled(store, job.id)
    assert done.state == "succeeded"
    assert any("backup" in text and " Uploading, 6 of 6 items." in text for text in messages.texts)
    assert any("restore" in text and " Rehydrating, 6 of 6 items." in text for text in messages.texts)


async def test_a_failed_backup_ends_the_job(make_call: MakeCall, world: None, start_velero: StartVelero, runner: JobRunner,
                                            messages: Messages, store: Store, admin: Mapping[str, client.ApiClient]) -> None:
    await start_velero(source={"backup_outcome": "Failed"})
    _, job = await migrate(make_call, runner, store, namespace="wordpress", target="dr-aks")
    done = await settled(store, job.id)
    name = f"chatops-wordpress-{job.id}"
    assert done.state == "failed" and done.result["backup"]["phase"] == "Failed"
    assert messages.texts[-1].endswith(f"failed: backup {name} ended Failed (0 warnings, 1 errors); nothing was restored.")
    restores = await client.CustomObjectsApi(admin[TARGET]).list_namespaced_custom_object("velero.io", "v1", "velero", "restores")
    assert restores["items"] == []
    status = await velero.velero_status(make_call("velero.status", job=str(job.id)))
    assert ") failed." in status.text and "Error: backup" in status.text


async def test_a_partially_failed_restore_says_where_to_look(make_call: MakeCall, world: None, start_velero: StartVelero,
                                                             runner: JobRunner, messages: Messages, store: Store) -> None:
    await start_velero(target={"restore_outcome": "PartiallyFailed"})
    _, job = await migrate(make_call, runner, store, namespace="wordpress", target="dr-aks")
    done = await settled(store, job.id)
    assert done.state == "failed" and done.result["restore"]["phase"] == "PartiallyFailed"
    assert messages.texts[-1].endswith(f"(0 warnings, 1 errors). See `velero restore describe chatops-wordpress-{job.id} --details`.")


async def test_a_backup_that_never_syncs_times_out(kube_cluster: KubeCluster, world: None, start_velero: StartVelero,
                                                   make_call: MakeCall, store: Store, messages: Messages) -> None:
    await start_velero(target={"sync": False})
    settings = load_settings({}, overrides={"kube": kube_overrides(kube_cluster, velero_sync_timeout_seconds=0.5)})
    async with open_clusters(settings) as clusters:
        runner = runner_for(store, clusters, settings, messages, "replica-a")
        try:
            _, job = await migrate(make_call, runner, store, namespace="wordpress", target="dr-aks")
            done = await settled(store, job.id)
        finally:
            await runner.stop()
    assert done.state == "failed"
    assert "has not appeared in dr-aks after 0.5 seconds; check that both clusters' BackupStorageLocations" in done.result["error"]


async def test_without_a_job_runner_nothing_starts(make_call: MakeCall, world: None) -> None:
    with pytest.raises(PermanentError):
        await velero.velero_migrate(make_call("velero.migrate", confirmed=True, namespace="wordpress", target="dr-aks"))


async def test_preflight_lists_every_problem(make_call: MakeCall, admin: Mapping[str, client.ApiClient],
                                             kube_cluster: KubeCluster) -> None:
    await seed_velero.install_velero(admin[SOURCE])
    await seed_velero.install_velero(admin[TARGET], prefix="other", crds=("backups", "backupstoragelocations"))
    await seed_velero.storage_class(admin[SOURCE], "standard-rwo", default=True)
    await seed_velero.storage_class(admin[TARGET], "managed-csi", default=True)
    await seed_velero.wordpress(admin[SOURCE])
    await seed_velero.wordpress(admin[TARGET])
    with pytest.raises(InputError) as refused:
        await velero.table.actions["velero.migrate"].plan(make_call("velero.migrate", namespace="wordpress", target="dr-aks"))
    text = refused.value.user_message
    assert "pre-flight failed" in text and text.endswith("I can't migrate until these are fixed.")
    for line in ("❌ Velero is not installed in dr-aks: missing restores.velero.io",
                 "❌ no BackupStorageLocation in dr-aks points at the same bucket and prefix as one in prod-gke",
                 "❌ storage class standard-rwo (used by mysql-data, wp-content) does not exist in dr-aks",
                 "⚠️ namespace wordpress already exists in dr-aks"):
        assert line in text
    with pytest.raises(InputError) as gone:
        await velero.table.actions["velero.migrate"].plan(make_call("velero.migrate", namespace="nothere", target="dr-aks"))
    assert "❌ could not check namespace nothere in prod-gke: No such namespace nothere on prod-gke." in gone.value.user_message


@pytest.mark.parametrize(("parameters", "error", "message"), [
    ({"target": "dr-aks"}, InputError, "Which namespace should I migrate?"),
    ({"namespace": "wordpress"}, InputError, "Which cluster should I migrate wordpress to? I know prod-gke, dr-aks."),
    ({"namespace": "wordpress", "target": "prod-gke"}, InputError, "wordpress is already in prod-gke"),
    ({"namespace": "Word Press", "target": "dr-aks"}, InputError, "not a valid namespace name"),
    ({"namespace": "wordpress", "target": "mars"}, InputError, "I don't know a cluster called 'mars'"),
])
async def test_migrate_refuses_bad_requests(make_call: MakeCall, parameters: dict, error: type, message: str,
                                            kube_cluster: KubeCluster) -> None:
    with pytest.raises(error) as refused:
        await velero.table.actions["velero.migrate"].plan(make_call("velero.migrate", **parameters))
    assert message in refused.value.user_message
    assert not any(fake.calls for fake in kube_cluster.fakes.values())


async def test_status_and_backups(make_call: MakeCall, world: None, start_velero: StartVelero, runner: JobRunner,
                                  store: Store) -> None:
    await start_velero(source={"tick": 0.2})
    _, job = await migrate(make_call, runner, store, namespace="wordpress", target="dr-aks")
    running = await velero.velero_status(make_call("velero.status", job=job.id))
    assert running.text.startswith(f"Migration {job.id} (wordpress: prod-gke → dr-aks) is running.\nStage: backup")
    await settled(store, job.id)
    listed = await velero.velero_backups(make_call("velero.backups", cluster="dr-aks"))
    assert listed.data["backups"] == [f"chatops-wordpress-{job.id}"] and "Completed" in listed.text
    with pytest.raises(NotFoundError):
        await velero.velero_status(make_call("velero.status", job="999"))
    with pytest.raises(InputError):
        await velero.velero_status(make_call("velero.status", job="latest"))


async def test_following_survives_watch_renewals_and_expired_versions(kube_cluster: KubeCluster, world: None,
                                                                      start_velero: StartVelero, make_call: MakeCall,
                                                                      store: Store, messages: Messages,
                                                                      fakes: Mapping[str, Any]) -> None:
    await start_velero(source={"tick": 0.4})
    settings = load_settings({}, overrides={"kube": kube_overrides(kube_cluster, watch_seconds=1)})
    async with open_clusters(settings) as clusters:
        runner = runner_for(store, clusters, settings, messages, "replica-a")
        try:
            _, job = await migrate(make_call, runner, store, namespace="wordpress", target="dr-aks")
            while (await store.get_job(job.id)).progress.get("backup_phase") != "InProgress":
                await asyncio.sleep(0.01)
            fakes[SOURCE].store.compact()  # the watch's resourceVersion is now too old: 410, read again
            done = await settled(store, job.id)
        finally:
            await runner.stop()
    assert done.state == "succeeded"
    watches = [c for c in fakes[SOURCE].calls_to("GET", "/apis/velero.io/v1/namespaces/velero/backups") if c.user == BOT
               and c.query.get("watch")]
    assert len(watches) >= 3 and all(c.query["fieldSelector"] == f"metadata.name=chatops-wordpress-{job.id}" for c in watches)
