"""``chatops serve --workers N``: N server processes on one port, so a turn can use every core.

Each worker is a whole service (its own event loop, runtime and store
connection) bound with SO_REUSEPORT, so the kernel spreads connections over
them and no master sits in the request path. State is shared the way replicas
share it: through the store (sessions, confirmations, audit, job leases, Slack
event ids); with several workers the conversation takes the store's session
lease, as it does on MongoDB, so two workers never run turns of one session at
once. The NLU model is trained once, by a short-lived process, and loaded by
every worker, so they agree on it and start faster.

The supervisor restarts a worker that dies, gives up when workers keep dying
right after they start (a port in use, a bad setting), and on SIGTERM/SIGINT
stops them all gracefully: each finishes its requests in flight.
"""

from __future__ import annotations

import ctypes
import dataclasses
import logging
import multiprocessing
import os
import signal
import socket
import sys
import tempfile
import time
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType

from chatops.config import Settings
from chatops.errors import ConfigError
from chatops.store import sqlite_path

log = logging.getLogger(__name__)
# A worker that exits sooner than this after it started is failing to start, not crashing under load.
_EARLY_EXIT_SECONDS = 10.0
_MAX_EARLY_EXITS = 3
_spawn = multiprocessing.get_context("spawn")


def worker_count(settings: Settings) -> int:
    """How many workers ``serve`` runs: the setting, 0 meaning one per core; 1 where processes cannot share."""
    wanted = settings.server.workers or os.cpu_count() or 1
    if wanted < 0:
        raise ConfigError(f"CHATOPS_WORKERS must be 0 (one per core) or more, not {wanted}")
    if wanted > 1 and sqlite_path(settings.store.url) == ":memory:":
        log.warning("one worker: an in-memory store cannot be shared between processes (set CHATOPS_STORE to a file)")
        return 1
    if wanted > 1 and not hasattr(socket, "SO_REUSEPORT"):
        log.warning("one worker: this platform has no SO_REUSEPORT")
        return 1
    return wanted


def run_workers(settings: Settings, count: int) -> int:
    """Train once, start ``count`` workers and supervise them until a signal; the exit status."""
    with tempfile.TemporaryDirectory(prefix="chatops-workers-") as scratch:
        settings = _with_model(settings, Path(scratch) / "model.npz")
        settings = dataclasses.replace(settings, server=dataclasses.replace(settings.server, workers=count))
        return _Supervisor(settings).run()


def _with_model(settings: Settings, path: Path) -> Settings:
    if settings.engine.model_path:
        return settings
    trainer = _spawn.Process(target=_train, args=(settings, str(path)), name="chatops-train")
    trainer.start()
    trainer.join()
    if trainer.exitcode != 0:
        raise ConfigError("the agent could not be trained; run `chatops check` to see why")
    return dataclasses.replace(settings, engine=dataclasses.replace(settings.engine, model_path=str(path)))


class _Supervisor:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workers: list[tuple[BaseProcess, float]] = []
        self.stopping = False
        self.early_exits = 0

    def run(self) -> int:
        previous = {s: signal.signal(s, self._stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            server = self.settings.server
            self.workers = [self._start(i) for i in range(server.workers)]
            log.info("serving with %d workers on %s:%d", server.workers, server.host, server.port)
            while not self.stopping and self.early_exits < _MAX_EARLY_EXITS:
                self._replace_dead()
                time.sleep(0.2)
            return self._shutdown()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _start(self, index: int) -> tuple[BaseProcess, float]:
        process = _spawn.Process(target=_serve_one, args=(self.settings,), name=f"chatops-worker-{index}")
        process.start()
        return process, time.monotonic()

    def _replace_dead(self) -> None:
        for index, (process, started) in enumerate(self.workers):
            if process.is_alive() or self.stopping:
                continue
            early = time.monotonic() - started < _EARLY_EXIT_SECONDS
            self.early_exits += early
            giving_up = self.early_exits >= _MAX_EARLY_EXITS
            log.error("worker %d exited with %s%s%s", index, process.exitcode, " soon after it started" * early,
                      "" if giving_up else "; starting another")
            if giving_up:
                return  # no replacement to start only to stop it
            self.workers[index] = self._start(index)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def _shutdown(self) -> int:
        for process, _ in self.workers:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.settings.server.shutdown_seconds + 5
        for process, _ in self.workers:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                log.error("worker %s did not stop in time; killing it", process.name)
                process.kill()
                process.join()
        if self.early_exits >= _MAX_EARLY_EXITS:
            log.error("workers keep exiting right after they start; giving up (see the errors above)")
            return 1
        return 0


def _configure(settings: Settings) -> None:
    from chatops.observability.logging import configure_logging

    configure_logging(level=settings.server.log_level, fmt=settings.observability.log_format)


def _train(settings: Settings, path: str) -> None:
    from chatops.engine.loader import load_agent
    from chatops.engine.nlu.persist import save_model
    from chatops.engine.nlu.model import train

    _configure(settings)
    save_model(train(load_agent(settings.engine.agent_dir or None)), Path(path))


def _serve_one(settings: Settings) -> None:
    from chatops.server import serve

    # Out of the terminal's process group: Ctrl-C reaches the supervisor, which alone decides when workers stop.
    os.setpgrp()
    _die_with_parent()
    _configure(settings)
    serve(settings, reuse_port=True)


def _die_with_parent() -> None:
    """On Linux, a worker is sent SIGTERM when the supervisor dies (killed, say), so none is left holding the port."""
    if sys.platform == "linux":
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
