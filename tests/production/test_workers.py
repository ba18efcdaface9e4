"""``chatops serve --workers 2``: two processes on one port share the conversation, survive a crash, stop together."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.production.conftest import UNREACHABLE
from tests.production.process import ServiceProcess


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ServiceProcess]:
    env = {
        "CHATOPS_WORKERS": "2", "CHATOPS_STORE": f"sqlite:///{tmp_path / 'chatops.db'}",
        "CHATOPS_REDDIT_URL": UNREACHABLE, "CHATOPS_REDDIT_TIMEOUT": "1",
    }
    process = ServiceProcess(env, log=tmp_path / "serve.log")
    try:
        process.start()
        deadline = time.monotonic() + 60
        while len({line["pid"] for line in process.logs() if line["message"].startswith("======== Running on")}) < 2:
            assert time.monotonic() < deadline, "the second worker never started listening"
            time.sleep(0.2)
        yield process
    finally:
        workers = children(process)  # before the supervisor dies: then they are init's children, not found
        process.kill()
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def children(process: ServiceProcess) -> set[int]:
    """The worker processes: the supervisor's children that serve (not multiprocessing's resource tracker)."""
    assert process.proc is not None
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if stat.rsplit(")", 1)[1].split()[1] == str(process.proc.pid) and b"spawn_main" in command:
            found.add(int(entry.name))
    return found


def say(service: ServiceProcess, session: str, text: str) -> tuple[str, dict[str, Any]]:
    """One turn on a new connection (so the kernel may hand it to either worker); the request id and the answer."""
    body = json.dumps({"session": session, "text": text}).encode()
    request = urllib.request.Request(service.url + "/api/v1/query", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return response.headers["X-Request-Id"], json.loads(response.read())


def served_by(service: ServiceProcess) -> dict[str, int]:
    return {line["request_id"]: line["pid"] for line in service.logs() if "request_id" in line}


def test_turns_of_one_conversation_are_served_by_both_workers(service: ServiceProcess) -> None:
    workers = children(service)
    assert len(workers) == 2
    turns = []
    for i in range(12):
        turns.append(say(service, f"s{i}", "tell me a joke"))
        turns.append(say(service, f"s{i}", "another one"))
    pids = served_by(service)
    assert set(pids.values()) == workers, "the kernel never handed a connection to one of the workers"
    follow_ups = [(first, then) for first, then in zip(turns[::2], turns[1::2])]
    assert all(then[1]["action"] == "reddit.another" and then[1]["fulfillmentText"] for _, then in follow_ups)
    crossed = [pair for pair in follow_ups if pids[pair[0][0]] != pids[pair[1][0]]]
    assert crossed, "no conversation moved between workers; the context test proved nothing"


def test_concurrent_turns_of_one_session_all_answer(service: ServiceProcess) -> None:
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: say(service, "busy", "tell me a joke")[1], range(24)))
    assert all(a["action"] == "reddit.tell" and a["fulfillmentText"] for a in answers)
    assert len(set(served_by(service).values())) == 2


def test_a_crashed_worker_is_replaced(service: ServiceProcess) -> None:
    victim = min(children(service))
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while len(children(service) - {victim}) < 2:
        assert time.monotonic() < deadline, "no worker took the crashed one's place"
        time.sleep(0.2)
    assert say(service, "after", "tell me a joke")[1]["action"] == "reddit.tell"
    assert any("worker 0 exited" in line["message"] or "worker 1 exited" in line["message"] for line in service.logs())


def test_sigterm_stops_every_worker_and_frees_the_port(service: ServiceProcess) -> None:
    workers = children(service)
    service.terminate()
    assert service.wait(40) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    with socket.socket() as sock:
        # As a server binds (aiohttp does): closed connections' TIME_WAIT don't count, a listener still would.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", service.port))
        sock.listen()
    errors = [line for line in service.logs() if line["level"] in ("ERROR", "CRITICAL")]
    assert not errors, errors
