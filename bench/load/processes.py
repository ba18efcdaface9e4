"""Server processes of the load benchmark: their CPU time from /proc, and ``chatops serve --workers N`` started for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT = "http://127.0.0.1:9"
_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of ``pids`` so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICK


def rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` now (VmRSS), in MiB."""
    line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def train_model(path: Path) -> None:
    """``chatops train`` the bundled agent into ``path``, as a deployment does once (workers then load, not train)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "chatops", "train", "--out", str(path)], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def service_env(store: Path, model: Path) -> dict[str, str]:
    """The service's settings under load, as environment: a SQLite file, a trained model; Reddit and AWS on a closed port."""
    return {
        "CHATOPS_STORE": f"sqlite:///{store}", "CHATOPS_MODEL": str(model),
        "CHATOPS_REDDIT_URL": CLOSED_PORT, "CHATOPS_REDDIT_OAUTH_URL": CLOSED_PORT, "CHATOPS_REDDIT_TOKEN_URL": CLOSED_PORT,
        "CHATOPS_SSM_ENDPOINT": CLOSED_PORT, "CHATOPS_SSM_ATTEMPTS": "1",
        "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
    }


def start_workers(count: int, store: Path, model: Path, port: int, log: Path) -> tuple[subprocess.Popen[bytes], list[int]]:
    """``chatops serve --workers count`` on ``port`` with the benchmark's settings; the supervisor and the worker pids."""
    # INFO: the workers' start-up lines say when each one listens.
    env = {**os.environ, "PYTHONPATH": str(ROOT), **service_env(store, model), "CHATOPS_LOG_LEVEL": "INFO"}
    command = [sys.executable, "-m", "chatops", "serve", "--workers", str(count), "--port", str(port)]
    with log.open("ab") as err:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 120
    while len(workers := _serving(log)) < count:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"chatops serve --workers {count} did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.2)
    return proc, workers


def _serving(log: Path) -> list[int]:
    """The workers that said they listen (aiohttp's start-up line, one per process, in the shared JSON log)."""
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    return sorted({line["pid"] for line in lines if line["message"].startswith("======== Running on")})
