"""``chatops serve`` as a subprocess on 127.0.0.1: start it, wait until ready, signal it, read its JSON logs."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Mapping

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServiceProcess:
    """One server process; its stderr (the JSON log) goes to a file so a full pipe never blocks it."""

    def __init__(self, env: Mapping[str, str], *, log: Path, module: str = "chatops") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "CHATOPS_HOST": "127.0.0.1", "CHATOPS_PORT": str(self.port), **env}
        self.module = module
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *, ready_within: float = 90.0) -> ServiceProcess:
        with self.log.open("ab") as err:
            self.proc = subprocess.Popen([PYTHON, "-m", self.module, "serve"], cwd=ROOT, env=self.env,
                                         stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the service exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            if self.status("/readyz") == 200:
                return self
            time.sleep(0.2)
        raise RuntimeError(f"the service was not ready within {ready_within} s:\n{self.log.read_text()[-3000:]}")

    def status(self, path: str) -> int | None:
        try:
            with urllib.request.urlopen(self.url + path, timeout=2) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return None

    def terminate(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def logs(self) -> list[dict[str, Any]]:
        """The JSON log lines so far (each one must parse)."""
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]
