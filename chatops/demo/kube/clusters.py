"""Several stand-in clusters at once, with the kubeconfig files a client needs to reach them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import yaml

from chatops.demo.kube.server import ADMIN, BOT, FakeKubeApi


@dataclass
class FakeClusters:
    """Running fake clusters by context name, and kubeconfigs (same context names) for the bot and an admin."""

    apis: dict[str, FakeKubeApi]
    kubeconfig: str
    admin_kubeconfig: str

    async def stop(self) -> None:
        for api in self.apis.values():
            await api.stop()


def write_kubeconfig(path: Path, servers: dict[str, tuple[str, str]], current: str,
                     ca_files: Mapping[str, Path] | None = None) -> str:
    """A kubeconfig with one cluster, user and context per entry of ``servers`` (context -> (url, token)).

    ``ca_files`` gives, per context, the CA that signed an https server's certificate.
    """
    def cluster(name: str, url: str) -> dict[str, str]:
        ca = (ca_files or {}).get(name)
        return {"server": url, **({"certificate-authority": str(ca)} if ca else {})}

    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": current,
        "clusters": [{"name": name, "cluster": cluster(name, url)} for name, (url, _) in servers.items()],
        "users": [{"name": f"{name}-user", "user": {"token": token}} for name, (_, token) in servers.items()],
        "contexts": [
            {"name": name, "context": {"cluster": name, "user": f"{name}-user", "namespace": "default"}}
            for name in servers
        ],
    }
    path.write_text(yaml.safe_dump(config))
    path.chmod(0o600)
    return str(path)


async def start_fake_clusters(names: tuple[str, ...], directory: Path) -> FakeClusters:
    """Start one FakeKubeApi per name; the first name is the kubeconfigs' current context."""
    apis: dict[str, FakeKubeApi] = {}
    try:
        for name in names:
            apis[name] = FakeKubeApi()
            await apis[name].start()
    except BaseException:
        for api in apis.values():
            await api.stop()
        raise
    bot = write_kubeconfig(directory / "bot.kubeconfig", {n: (a.url, a.token(BOT)) for n, a in apis.items()}, names[0])
    admin = write_kubeconfig(directory / "admin.kubeconfig", {n: (a.url, a.token(ADMIN)) for n, a in apis.items()}, names[0])
    return FakeClusters(apis, bot, admin)
