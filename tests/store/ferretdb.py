"""The MongoDB-wire test server (tests/servers/ferretdb) as a process tests can start, stop and restart."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_STEP = ROOT / ".ci" / "steps" / "store.sh"
START_TIMEOUT = 30.0


def binary_path() -> Path:
    """Where .ci/steps/store.sh puts the server (``CHATOPS_FERRETDB_BIN`` overrides)."""
    if explicit := os.environ.get("CHATOPS_FERRETDB_BIN"):
        return Path(explicit)
    cache = Path(os.environ.get("CHATOPS_CACHE") or Path.home() / ".cache" / "chatops")
    return cache / "bin" / "ferretdb-test"


def require_binary() -> Path:
    """The server binary, built on first use outside CI; in CI a missing binary fails the tests."""
    path = binary_path()
    if path.exists():
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{path} is missing: run .ci/steps/store.sh before the tests")
    if shutil.which("go") is None:
        pytest.skip(f"{path} is missing and there is no Go to build it (.ci/steps/store.sh)")
    subprocess.run(["bash", str(BUILD_STEP)], check=True)
    if not path.exists():
        pytest.fail(f"{BUILD_STEP} ran but {path} is still missing")
    return path


def with_database(uri: str, name: str) -> str:
    """``uri`` naming database ``name`` (options kept)."""
    parts = urlsplit(uri)
    return urlunsplit(parts._replace(path="/" + name))


class FerretDBProcess:
    """One server process on 127.0.0.1; ``stop`` and ``start`` again keep its port and its data."""

    def __init__(self, binary: Path) -> None:
        self.binary = binary
        self.data = tempfile.mkdtemp(prefix="chatops-ferretdb-")
        self.port = 0
        self.uri = ""
        self._proc: subprocess.Popen[str] | None = None

    def start(self) -> str:
        """Start the server (on its old port after a stop) and return its ``mongodb://`` URI."""
        self._proc = subprocess.Popen(
            [str(self.binary), "-listen", f"127.0.0.1:{self.port}", "-data", self.data, "-log-level", "error"],
            stdout=subprocess.PIPE, stderr=None, text=True,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().strip()  # printed once the listener is bound
        if not line.startswith("mongodb://"):
            self.stop()
            raise RuntimeError(f"{self.binary} did not start (exit {self._proc.returncode}): {line!r}")
        self.uri = line
        self.port = urlsplit(line).port or 0
        self._wait_accepting()
        return self.uri

    def stop(self) -> None:
        """Stop the process as an operator would (SIGTERM), or kill it when it will not go."""
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.data, ignore_errors=True)

    def _wait_accepting(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
