"""``python -m bench.load``: requests per second and p50/p99 latency of the service, against a bare aiohttp endpoint.

The service (bundled agent with its model trained once by ``chatops train``,
every handler table, SQLite file store, Reddit and AWS on a closed loopback port) and the bare endpoint run in one subprocess and
one event loop; this process drives them over loopback with a closed-loop
generator. Ratios are against the bare endpoint measured in the same run.
Then ``chatops serve --workers N`` gets the same query mix. Every run reports
the server processes' CPU time per request; the idle RSS of the server and
of each worker is read from /proc before the first request; where wrk is
installed, it drives the bare endpoint and both services too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import wrk
from bench.load.generator import Result, drive
from bench.load.processes import ROOT, cpu_seconds, rss_mib, start_workers, train_model

# Utterances that stay on the machine: help, greetings, a price (with its chart), a fallback, cancel, an event.
UTTERANCES = [
    {"session": "", "text": "help"},
    {"session": "", "text": "hello"},
    {"session": "", "text": "how much is a house with a 5000 sq ft lot?"},
    {"session": "", "text": "zxqv blorf wuggle"},
    {"session": "", "text": "what can you do?"},
    {"session": "", "text": "cancel"},
    {"session": "", "event": "WELCOME"},
]
WEBHOOK_V2 = [
    {"responseId": "r", "session": "projects/bench/agent/sessions/s",
     "queryResult": {"queryText": "help", "intent": {"displayName": "help"}, "fulfillmentText": "Here is what I can do.",
                     "languageCode": "en"}},
    {"responseId": "r", "session": "projects/bench/agent/sessions/s",
     "queryResult": {"queryText": "how much for 6000 sq ft", "action": "prices.predict",
                     "parameters": {"area": {"amount": 6000, "unit": "sq ft"}}, "intent": {"displayName": "prices.predict"},
                     "outputContexts": [{"name": "projects/bench/agent/sessions/s/contexts/chat", "lifespanCount": 2}]}},
    {"responseId": "r", "session": "projects/bench/agent/sessions/s",
     "queryResult": {"queryText": "hi", "intent": {"displayName": "welcome"}, "fulfillmentText": "Hello!"}},
]


Rows = list[tuple[Result, Result | None]]  # each run beside the bare endpoint's run it is a ratio of


@dataclass
class Findings:
    """Everything one run of the benchmark measured."""

    rows: Rows = field(default_factory=list)
    workers: Rows = field(default_factory=list)
    wrk: list[wrk.WrkResult] = field(default_factory=list)
    server_rss: float = 0.0  # MiB, idle: started, no request yet
    worker_rss: list[float] = field(default_factory=list)


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per measured run at 32 connections (default 3000)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections of the measured runs (default 32)")
    parser.add_argument("--soak", type=int, default=10_000, help="requests of the soak run at 100 connections (default 10000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="worker processes of the second service (default: one per core; 1 skips it)")
    parser.add_argument("--profile", metavar="FILE", help="profile the server process with pyinstrument; report to FILE")
    parser.add_argument("--wrk-seconds", type=int, default=5, help="length of each wrk run, where wrk is installed (default 5)")
    return parser.parse_args()


def _start(store: Path, model: Path, profile: str | None) -> tuple[subprocess.Popen[str], dict[str, str]]:
    command = [sys.executable, "-m", "bench.load.server", "--store", str(store), "--model", str(model)]
    command += ["--profile", profile] if profile else []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise SystemExit(f"the server did not start (exit {proc.wait()})")
    return proc, json.loads(line)


def _row(result: Result, base: Result | None) -> str:
    ratio = f"{result.rps / base.rps:6.1%}" if base else "     -"
    cpu = result.cpu_us_per_request
    return (f"{result.name:38} {result.rps:8.0f} {result.percentile(50):8.2f} {result.percentile(99):8.2f}  {ratio:>7}"
            f" {result.errors:7d} {result.lost:6d} {'-' if cpu is None else f'{cpu:.0f}':>9}")


async def _timed(pids: list[int], name: str, url: str, bodies: list[dict[str, object]], *, requests: int,
                 concurrency: int) -> Result:
    """A run with the CPU time the server processes spent on it."""
    before = cpu_seconds(pids)
    result = await drive(name, url, bodies, requests=requests, concurrency=concurrency)
    result.cpu_seconds = cpu_seconds(pids) - before
    return result


async def _measure(urls: dict[str, str], pid: int, args: argparse.Namespace) -> Rows:
    query, webhook, bare = urls["service"] + "/api/v1/query", urls["service"] + "/dialogflow/webhook", urls["bare"]
    c, n = args.connections, args.requests
    for url, bodies in ((bare, [{"text": "warm"}]), (query, UTTERANCES), (webhook, WEBHOOK_V2)):
        await drive("warm-up", url, bodies, requests=300, concurrency=8)
    base = await _timed([pid], f"bare aiohttp endpoint, {c} conn", bare, [{"text": "hello"}], requests=n, concurrency=c)
    rows: Rows = [(base, None)]
    rows.append((await _timed([pid], f"POST /api/v1/query, {c} conn", query, UTTERANCES, requests=n, concurrency=c), base))
    rows.append((await _timed([pid], f"POST /dialogflow/webhook v2, {c} conn", webhook, WEBHOOK_V2, requests=n, concurrency=c),
                 base))
    soak_base = await _timed([pid], "bare aiohttp endpoint, 100 conn", bare, [{"text": "hello"}], requests=args.soak,
                             concurrency=100)
    rows.append((soak_base, None))
    rows.append((await _timed([pid], "POST /api/v1/query, 100 conn", query, UTTERANCES, requests=args.soak, concurrency=100),
                 soak_base))
    return rows


def _wrk(urls: dict[str, str], args: argparse.Namespace, workdir: Path) -> list[wrk.WrkResult]:
    """wrk at the measured connections against the bare endpoint and each query URL given."""
    c, seconds = args.connections, args.wrk_seconds
    return [wrk.run(f"wrk: {name}, {c} conn", url, bodies, connections=c, seconds=seconds, workdir=workdir)
            for name, url, bodies in ((name, url, [{"text": "hello"}] if name.startswith("bare") else UTTERANCES)
                                      for name, url in urls.items())]


async def _measure_workers(tmp: Path, args: argparse.Namespace, found: Findings) -> None:
    """The same query mix against ``chatops serve --workers N``, beside the one-process bare endpoint's figures."""
    count = args.workers
    port = _free_port()
    proc, pids = start_workers(count, tmp / "workers.db", tmp / "model.bin", port, tmp / "workers.log")
    found.worker_rss = [rss_mib(pid) for pid in pids]
    try:
        query = f"http://127.0.0.1:{port}/api/v1/query"
        await drive("warm-up", query, UTTERANCES, requests=300 * count, concurrency=8 * count)
        c, n = args.connections, args.requests
        bare32, bare100 = found.rows[0][0], found.rows[3][0]
        found.workers = [
            (await _timed(pids, f"query, {c} conn, {count} workers", query, UTTERANCES, requests=n, concurrency=c), bare32),
            (await _timed(pids, f"query, 100 conn, {count} workers", query, UTTERANCES, requests=args.soak, concurrency=100),
             bare100),
        ]
        if wrk.available():
            found.wrk += _wrk({f"query, {count} workers": query}, args, tmp)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)


def _report(found: Findings, args: argparse.Namespace) -> None:
    print(f"{'':38} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  {'of bare':>7} {'errors':>7} {'lost':>6} {'CPU µs/rq':>9}")
    for result, base in found.rows + found.workers:
        print(_row(result, base))
    for run in found.wrk:
        print(f"{run.name:38} {run.rps:8.0f} {run.p50_ms:8.2f} {run.p99_ms:8.2f}  {'':>7} {run.errors:7d}")
    rows, workers = found.rows, found.workers
    print(f"\nidle RSS: one process (service and bare endpoint) {found.server_rss:.0f} MiB"
          + (f"; workers {', '.join(f'{r:.0f}' for r in found.worker_rss)} MiB" if found.worker_rss else ""))
    bare32, query32, soak = rows[0][0], rows[1][0], rows[4][0]
    cpu = query32.cpu_us_per_request or float("inf")
    goals = [
        (f"CPU per turn <= 250 µs, one process ({cpu:.0f} µs)", cpu <= 250),
        (f"query rate >= 30% of bare, one process ({query32.rps / bare32.rps:.0%})", query32.rps >= 0.3 * bare32.rps),
        (f"{args.soak} requests at 100 connections: {soak.errors} errors, {soak.lost} lost", soak.errors == 0 and soak.lost == 0),
    ]
    if workers:
        many, many_soak = workers[0][0], workers[1][0]
        goals.append((f"query p99 <= 10 ms at {args.connections} connections with {args.workers} workers "
                      f"({many.percentile(99):.2f} ms)", many.percentile(99) <= 10))
        goals.append((f"{args.soak} requests at 100 connections, {args.workers} workers: {many_soak.errors} errors, "
                      f"{many_soak.lost} lost", many_soak.errors == 0 and many_soak.lost == 0))
        goals.append((f"idle RSS <= 100 MiB per worker ({max(found.worker_rss):.0f} MiB)", max(found.worker_rss) <= 100))
    print()
    for text, met in goals:
        print(f"  [{'met' if met else 'MISSED'}] {text}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def main() -> None:
    args = _args()
    found = Findings()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        train_model(Path(tmp) / "model.bin")
        proc, urls = _start(Path(tmp) / "load.db", Path(tmp) / "model.bin", args.profile)
        found.server_rss = rss_mib(proc.pid)
        try:
            found.rows = await _measure(urls, proc.pid, args)
            if wrk.available():
                service = {"bare aiohttp endpoint": urls["bare"], "query, one process": urls["service"] + "/api/v1/query"}
                found.wrk += _wrk(service, args, Path(tmp))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
        if args.workers > 1:
            await _measure_workers(Path(tmp), args, found)
    print(f"load: closed-loop Python generator over loopback; service and bare endpoint share one server process, "
          f"then `chatops serve --workers {args.workers}` (python {sys.version.split()[0]}, {os.cpu_count()} cores "
          f"shared with the generator); CPU is the server processes' user+system time per request"
          + ("; wrk rows: wrk -t2 with --latency" if found.wrk else "; wrk is not installed: no wrk rows") + "\n")
    _report(found, args)
    if args.profile:
        print(f"\nprofile of the server process: {args.profile}")


asyncio.run(main())
