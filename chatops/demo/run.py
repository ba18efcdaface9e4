"""Run the demo: stand-ins first, then the normal service pointed at them through its settings, until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import tempfile
from contextlib import AsyncExitStack
from importlib import resources
from pathlib import Path

from aiohttp import web

from chatops.config import Settings, load_settings
from chatops.demo import ssm
from chatops.demo.agent import write_agent
from chatops.demo.clusters import PROD, demo_clusters
from chatops.server import create_app

HOST = "127.0.0.1"  # the demo policy lets everyone who reaches the port operate: loopback only


def demo_settings(directory: Path, *, port: int, kubeconfig: str, ssm_url: str) -> Settings:
    """The service's own settings, pointed at the stand-ins."""
    policy = directory / "policy.yaml"
    policy.write_text(resources.files("chatops.demo").joinpath("policy.yaml").read_text())
    return load_settings(overrides={
        "server": {"host": HOST, "port": port, "workers": 1, "demo": True, "shutdown_seconds": 2.0},
        "engine": {"agent_dir": str(write_agent(directory))},
        "store": {"url": f"sqlite:///{directory / 'chatops.db'}"},
        "security": {"policy_file": str(policy)},
        "kube": {"kubeconfig": kubeconfig, "default_cluster": PROD, "velero_poll_seconds": 0.5},
        "aws": {"endpoint_url": ssm_url, "region": ssm.REGION, "access_key_id": ssm.KEY, "secret_access_key": ssm.KEY},
    })


async def run_demo(port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    with tempfile.TemporaryDirectory(prefix="chatops-demo-") as temp, ssm.parameter_store() as ssm_url:
        directory = Path(temp)
        await ssm.seed(ssm_url)
        async with AsyncExitStack() as stack:
            kubeconfig = await stack.enter_async_context(demo_clusters(directory))
            settings = demo_settings(directory, port=port, kubeconfig=kubeconfig, ssm_url=ssm_url)
            runner = web.AppRunner(create_app(settings), access_log=None, shutdown_timeout=settings.server.shutdown_seconds)
            await runner.setup()
            stack.push_async_callback(runner.cleanup)
            await web.TCPSite(runner, HOST, port).start()
            print(f"chatops demo: open http://{HOST}:{port}/ (clusters {PROD} and demo-dr, SSM at {ssm_url}); Ctrl-C stops it",
                  flush=True)
            await stop.wait()
