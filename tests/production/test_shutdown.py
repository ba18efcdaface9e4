"""Graceful shutdown of the real ``chatops serve`` process: SIGTERM with a request in flight and a job running.

The request in flight gets its answer, the process exits 0 without a logged
error, the job stays in the store with its checkpoint, and the next process
on the same store picks it up from there and finishes it.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Iterator

import aiohttp
import pytest

from chatops.store.base import Job
from chatops.store.sqlite import SqliteStore
from tests.production.process import ServiceProcess

COUNT_TO = 25  # steps of 0.2 s: about 5 s of work


def webhook(action: str, **parameters: Any) -> dict[str, Any]:
    return {
        "session": "projects/p/agent/sessions/shutdown",
        "queryResult": {"queryText": action, "action": action, "parameters": parameters, "intent": {"displayName": action}},
    }


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "CHATOPS_STORE": f"sqlite:///{tmp_path / 'chatops.db'}",
        "CHATOPS_HANDLERS": "reddit,prices,pods,certs,velero,secrets,slowtest",
        "CHATOPS_REDDIT_URL": "http://127.0.0.1:9",
        "CHATOPS_DIALOGFLOW_DEADLINE": "10",
        "CHATOPS_SHUTDOWN_TIMEOUT": "10",
        "CHATOPS_JOB_LEASE": "2",
        "CHATOPS_LOG_LEVEL": "INFO",
        "CHATOPS_LOG_FORMAT": "json",
    }


@pytest.fixture
def processes() -> Iterator[list[ServiceProcess]]:
    started: list[ServiceProcess] = []
    yield started
    for process in started:
        process.kill()


async def job_where(store: SqliteStore, job_id: int, check: Any, *, within: float) -> Job:
    deadline = time.monotonic() + within
    while True:
        job = await store.get_job(job_id)
        if job is not None and check(job):
            return job
        assert time.monotonic() < deadline, f"job {job_id} never got there: {job}"
        await asyncio.sleep(0.1)


async def start(env: dict[str, str], tmp_path: Path, name: str, processes: list[ServiceProcess]) -> ServiceProcess:
    process = ServiceProcess(env, log=tmp_path / f"{name}.log", module="tests.production.serve_with_slow_table")
    processes.append(process)
    return await asyncio.to_thread(process.start)


async def test_sigterm_finishes_the_request_in_flight_and_the_job_resumes_on_the_next_start(
    env: dict[str, str], tmp_path: Path, processes: list[ServiceProcess]
) -> None:
    first = await start(env, tmp_path, "first", processes)
    async with aiohttp.ClientSession() as http:
        async with http.post(first.url + "/dialogflow/webhook", json=webhook("slowtest.count", to=COUNT_TO)) as response:
            assert (await response.json())["fulfillmentText"] == "job 1 started"
        store = SqliteStore(env["CHATOPS_STORE"].removeprefix("sqlite:///"))
        await store.open()
        try:
            await job_where(store, 1, lambda j: j.progress.get("step", 0) >= 3, within=10)

            in_flight = asyncio.ensure_future(http.post(first.url + "/dialogflow/webhook", json=webhook("slowtest.wait", seconds=2)))
            await asyncio.sleep(0.5)  # the request is inside its handler now
            first.terminate()
            response = await in_flight
            assert response.status == 200
            assert (await response.json())["fulfillmentText"] == "waited 2 s"
            assert await asyncio.to_thread(first.wait, 15) == 0

            stopped = await store.get_job(1)
            assert stopped is not None and stopped.state == "running"
            checkpoint = stopped.progress["step"]
            assert 3 <= checkpoint < COUNT_TO
            errors = [line for line in first.logs() if line["level"] in ("ERROR", "CRITICAL") or "exc" in line]
            assert not errors, errors

            second = await start(env, tmp_path, "second", processes)
            done = await job_where(store, 1, lambda j: j.state == "succeeded", within=COUNT_TO * 0.2 + 15)
            assert done.progress["step"] == COUNT_TO
            assert done.result["starts"] == [0, checkpoint]  # went on from the checkpoint, not from zero
            second.terminate()
            assert await asyncio.to_thread(second.wait, 15) == 0
        finally:
            await store.close()
