"""A closed-loop HTTP load generator: N workers, each sending its next request when the last one answers.

Every request carries its own X-Request-Id; an answer that does not echo it, a
connection error or a timeout counts as lost. Latencies are per request,
measured from just before sending to the end of the body.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import aiohttp

Body = dict[str, Any]


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    lost: int = 0
    cpu_seconds: float | None = None  # the server processes' CPU time over the run, where it was measured

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def cpu_us_per_request(self) -> float | None:
        return None if self.cpu_seconds is None or not self.latencies else self.cpu_seconds / len(self.latencies) * 1e6

    @property
    def errors(self) -> int:
        """Answers other than 200, plus requests that got no answer."""
        return sum(n for status, n in self.statuses.items() if status != 200) + self.lost

    def percentile(self, q: float) -> float:
        """The q-th percentile latency in milliseconds (nearest rank)."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000


async def drive(
    name: str,
    url: str,
    bodies: Sequence[Body],
    *,
    requests: int,
    concurrency: int,
    session_of: Callable[[int], str] = lambda i: f"load-{i % 200}",
    timeout: float = 30.0,
) -> Result:
    """Send ``requests`` POSTs of ``bodies`` (cycled, each with its session) over ``concurrency`` connections."""
    result = Result(name, requests, 0.0)
    numbers = itertools.count()
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)) as http:

        async def one(i: int) -> None:
            body = {**bodies[i % len(bodies)]}
            if "session" in body:
                body["session"] = session_of(i)
            request_id = f"load-{i}"
            started = time.perf_counter()
            try:
                async with http.post(url, json=body, headers={"X-Request-Id": request_id}) as response:
                    await response.read()
                    echoed = response.headers.get("X-Request-Id")
            except (aiohttp.ClientError, asyncio.TimeoutError):
                result.lost += 1
                return
            if echoed not in (request_id, None):  # the bare endpoint echoes nothing
                result.lost += 1
                return
            result.latencies.append(time.perf_counter() - started)
            result.statuses[response.status] += 1

        async def worker() -> None:
            while (i := next(numbers)) < requests:
                await one(i)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - start
    return result
