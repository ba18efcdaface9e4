"""One SQLite file, several processes (``serve --workers``): each lease, event id and job claim has exactly one winner."""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.synchronize
from pathlib import Path

from chatops.store.base import Job
from chatops.store.sqlite import SqliteStore

PROCESSES, KEYS = 4, 40


def race(path: str, owner: str, start: multiprocessing.synchronize.Event, results: multiprocessing.Queue) -> None:
    async def run() -> list[tuple[str, bool]]:
        store = SqliteStore(path, timeout=10.0)
        await store.open()
        try:
            start.wait()
            won: list[tuple[str, bool]] = []
            for key in range(KEYS):
                won.append((f"lock:{key}", await store.acquire_lock(f"session:{key}", owner, 60.0)))
                won.append((f"event:{key}", await store.remember_event(f"Ev{key}", 60.0)))
                won.append((f"job:{key + 1}", await store.claim_job(key + 1, owner, 60.0)))
            return won
        finally:
            await store.close()

    results.put((owner, asyncio.run(run())))


async def test_processes_racing_on_one_file_each_win_a_key_once(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    setup = SqliteStore(path)
    await setup.open()
    for _ in range(KEYS):
        await setup.create_job(Job(kind="test", session="s", principal="test"))
    await setup.close()

    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Event(), spawn.Queue()
    racers = [spawn.Process(target=race, args=(path, f"worker-{i}", start, results)) for i in range(PROCESSES)]
    for racer in racers:
        racer.start()
    start.set()
    outcomes = [await asyncio.to_thread(results.get, True, 120) for _ in racers]
    for racer in racers:
        racer.join(30)
        assert racer.exitcode == 0

    winners: dict[str, list[str]] = {}
    for owner, won in outcomes:
        for key, ok in won:
            winners.setdefault(key, []).extend([owner] if ok else [])
    assert len(winners) == 3 * KEYS
    assert {key: len(owners) for key, owners in winners.items()} == {key: 1 for key in winners}
