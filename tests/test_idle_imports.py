"""A service that nobody asks about clusters, secrets or certificates never loads their libraries.

kubernetes_asyncio, aioboto3/botocore and cryptography were more than half of an
idle worker's memory. The app is started in a fresh interpreter as ``chatops
serve`` starts it (the default settings, no kubeconfig), then answers turns that
need none of them; what it has imported by then is the assertion. The resident
memory is printed for whoever looks, not asserted: that is bench/load's figure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
LAZY = ("kubernetes_asyncio", "aioboto3", "aiobotocore", "botocore", "boto3", "cryptography")

SERVE = """
import asyncio, json, sys
from pathlib import Path
from aiohttp import ClientSession, web
from chatops.config import load_settings
from chatops.server import create_app, new_event_loop

def snapshot():
    status = Path("/proc/self/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return {"packages": sorted({name.split(".")[0] for name in sys.modules}), "modules": len(sys.modules), "rss_kib": rss}

async def main():
    runner = web.AppRunner(create_app(load_settings()))
    await runner.setup()  # opens the runtime, as web.run_app does
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    found = {"idle": snapshot()}
    url = "http://127.0.0.1:%d/api/v1/query" % runner.addresses[0][1]
    async with ClientSession() as http:
        for text in ("tell me a joke", "what can you do?", "how much is a house with a 5000 sq ft lot?"):
            async with http.post(url, json={"session": "s", "text": text}) as response:
                assert response.status == 200, await response.text()
    found["after turns"] = snapshot()
    await runner.cleanup()
    print(json.dumps(found))

new_event_loop().run_until_complete(main())
"""


def test_an_idle_service_loads_no_kubernetes_aws_or_x509_code(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("CHATOPS_") and name != "KUBERNETES_SERVICE_HOST"}
    env.update(
        PYTHONPATH=str(ROOT), HOME=str(tmp_path), KUBECONFIG=str(tmp_path / "no-kubeconfig"),
        CHATOPS_STORE=f"sqlite:///{tmp_path / 'chatops.db'}",
        CHATOPS_REDDIT_URL="http://127.0.0.1:9", CHATOPS_REDDIT_TIMEOUT="1",  # a joke from the local collection, at once
    )
    done = subprocess.run([sys.executable, "-c", SERVE], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    for moment, seen in found.items():
        print(f"{moment}: {seen['modules']} modules, VmRSS {seen['rss_kib'] / 1024:.0f} MiB")
        assert seen["rss_kib"] > 0
        assert not set(LAZY) & set(seen["packages"]), f"{moment}: {sorted(set(LAZY) & set(seen['packages']))} imported"
