"""Query-endpoint throughput: the real app on a loopback port, ``POST /api/v1/query`` from concurrent clients."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import time

import aiohttp
from aiohttp.test_utils import TestServer

from chatops.config import load_settings
from chatops.server import create_app

# "help" runs the whole turn (session lock, load, NLU, engine, audit, save) without an external system.
UTTERANCE = "help"


async def requests_per_second(store_url: str, *, seconds: float, concurrency: int, sessions: int) -> float:
    """Requests per second answered 200 by an app whose store is ``store_url``."""
    settings = load_settings(env={})
    settings = dataclasses.replace(settings, store=dataclasses.replace(settings.store, url=store_url))
    server = TestServer(create_app(settings), host="127.0.0.1", port=0)
    await server.start_server()
    counter = itertools.count()
    done = 0
    try:
        async with aiohttp.ClientSession(base_url=str(server.make_url(""))) as http:

            async def ask() -> None:
                i = next(counter)
                async with http.post("/api/v1/query", json={"session": f"b{i % sessions}", "text": UTTERANCE}) as resp:
                    if resp.status != 200:
                        raise RuntimeError(f"query answered {resp.status}: {await resp.text()}")
                    await resp.read()

            await ask()  # warm up
            deadline = time.perf_counter() + seconds

            async def worker() -> None:
                nonlocal done
                while time.perf_counter() < deadline:
                    await ask()
                    done += 1

            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return done / (time.perf_counter() - start)
    finally:
        await server.close()
