"""Run the real kube-apiserver test binary and prepare it for chatops' tests.

The binary (built from tests/servers/kube-apiserver by .ci/steps/kube-apiserver.sh)
embeds etcd, so one process is a whole control plane without controllers: pods
are stored and stay Pending, namespaces never finish terminating.

Reuse from other test folders:

    cluster = start_real_cluster(tmp_path)      # started, CRDs and RBAC applied
    ... kubeconfig files: cluster.kubeconfig_admin, cluster.kubeconfig_bot ...
    cluster.stop()
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml
from kubernetes_asyncio import client
from kubernetes_asyncio.config import new_client_from_config
from kubernetes_asyncio.utils import create_from_dict

from chatops.demo.kube.seed_velero import CRD_DIR

REPO_ROOT = Path(__file__).resolve().parents[2]
RBAC_MANIFEST = REPO_ROOT / "deploy" / "rbac.yaml"
BINARY_ENV = "CHATOPS_KUBE_APISERVER"
# Namespaces the manifests expect: the bot's own, and Velero's.
BASE_NAMESPACES = ("chatops", "velero")


def binary_path() -> Path:
    """Where the test binary is: $CHATOPS_KUBE_APISERVER, else the CI step's cache."""
    explicit = os.environ.get(BINARY_ENV)
    if explicit:
        return Path(explicit)
    cache = os.environ.get("CHATOPS_CACHE") or str(Path.home() / ".cache" / "chatops")
    return Path(cache) / "bin" / "kube-apiserver"


@dataclass
class RealCluster:
    """A running API server: where it is and who may talk to it."""

    url: str
    ca_file: Path
    kubeconfig_admin: Path
    kubeconfig_bot: Path
    admin_token: str = field(repr=False)
    bot_token: str = field(repr=False)
    bot_user: str
    log_file: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def peak_rss_kib(self) -> int:
        """The server's peak resident memory so far (VmHWM), in KiB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise RuntimeError("VmHWM missing from /proc status")

    def stop(self, timeout: float = 30.0) -> None:
        """Shut the server down gracefully (closing stdin), killing it if it hangs."""
        if self.process.poll() is not None:
            return
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_kube_apiserver(workdir: Path, *, binary: Path | None = None, timeout: float = 180.0) -> RealCluster:
    """Start the binary with its files under workdir and wait for its ready line."""
    binary = binary or binary_path()
    workdir.mkdir(parents=True, exist_ok=True)
    log_file = workdir / "kube-apiserver.log"
    with log_file.open("wb") as log:
        # stdin stays open for the server's lifetime: when this process dies,
        # the pipe closes and the server shuts itself down.
        process = subprocess.Popen(
            [str(binary), "-dir", str(workdir / "server"), "-exit-on-stdin-eof"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
        )
    assert process.stdout is not None
    line = _read_line(process.stdout, timeout)
    if not line:
        process.kill()
        process.wait()
        raise RuntimeError(f"kube-apiserver did not become ready; last log lines:\n{_tail(log_file)}")
    ready = json.loads(line)
    return RealCluster(
        url=ready["url"],
        ca_file=Path(ready["ca_file"]),
        kubeconfig_admin=Path(ready["admin_kubeconfig"]),
        kubeconfig_bot=Path(ready["bot_kubeconfig"]),
        admin_token=ready["admin_token"],
        bot_token=ready["bot_token"],
        bot_user=ready["bot_user"],
        log_file=log_file,
        process=process,
    )


async def prepare_cluster(cluster: RealCluster) -> None:
    """Create the base namespaces, the Velero CRDs and deploy/rbac.yaml (as admin)."""
    async with await new_client_from_config(config_file=str(cluster.kubeconfig_admin)) as api:
        for name in BASE_NAMESPACES:
            await create_from_dict(api, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}, apply=True)
        crd_names = []
        for path in sorted(CRD_DIR.glob("*.yaml")):
            crd = yaml.safe_load(path.read_text())
            await create_from_dict(api, crd, apply=True)
            crd_names.append(crd["metadata"]["name"])
        await _wait_established(client.ApiextensionsV1Api(api), crd_names)
        for manifest in yaml.safe_load_all(RBAC_MANIFEST.read_text()):
            await create_from_dict(api, manifest, apply=True)


def start_real_cluster(workdir: Path, *, binary: Path | None = None) -> RealCluster:
    """Start the server and apply the CRDs and RBAC: what every real-server test needs."""
    cluster = start_kube_apiserver(workdir, binary=binary)
    try:
        asyncio.run(prepare_cluster(cluster))
    except BaseException:
        cluster.stop()
        raise
    return cluster


async def _wait_established(api: client.ApiextensionsV1Api, names: list[str], timeout: float = 30.0) -> None:
    # A CRD serves its resources only once Established; creating a custom
    # object before that answers 404.
    async def established(name: str) -> bool:
        crd: Any = await api.read_custom_resource_definition(name)
        conditions = crd.status.conditions or []
        return any(c.type == "Established" and c.status == "True" for c in conditions)

    async with asyncio.timeout(timeout):
        for name in names:
            while not await established(name):
                await asyncio.sleep(0.1)


def _read_line(stream: IO[bytes], timeout: float) -> bytes:
    # readline() blocks with no timeout of its own: read in a thread and wait
    # for it. An empty result means the server exited first.
    lines: queue.Queue[bytes] = queue.Queue(maxsize=1)
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return b""


def _tail(path: Path, count: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-count:])
