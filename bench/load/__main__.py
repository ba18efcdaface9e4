"""``python -m bench.load``: requests per second and p50/p99 latency of the service, against a bare aiohttp endpoint.

The service (bundled agent, every handler table, SQLite file store, Reddit and
AWS on a closed loopback port) and the bare endpoint run in one subprocess and
one event loop; this process drives them over loopback with a closed-loop
generator. Ratios are against the bare endpoint measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.load.generator import Result, drive

ROOT = Path(__file__).resolve().parents[2]
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


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per measured run at 32 connections (default 3000)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections of the measured runs (default 32)")
    parser.add_argument("--soak", type=int, default=10_000, help="requests of the soak run at 100 connections (default 10000)")
    parser.add_argument("--profile", metavar="FILE", help="profile the server process with pyinstrument; report to FILE")
    return parser.parse_args()


def _start(store: Path, profile: str | None) -> tuple[subprocess.Popen[str], dict[str, str]]:
    command = [sys.executable, "-m", "bench.load.server", "--store", str(store)] + (["--profile", profile] if profile else [])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise SystemExit(f"the server did not start (exit {proc.wait()})")
    return proc, json.loads(line)


def _row(result: Result, base: Result | None) -> str:
    ratio = f"{result.rps / base.rps:6.1%}" if base else "     -"
    return (f"{result.name:34} {result.rps:8.0f} {result.percentile(50):8.2f} {result.percentile(99):8.2f}  {ratio:>7}"
            f" {result.errors:7d} {result.lost:6d}")


async def _measure(urls: dict[str, str], args: argparse.Namespace) -> list[tuple[Result, Result | None]]:
    query, webhook, bare = urls["service"] + "/api/v1/query", urls["service"] + "/dialogflow/webhook", urls["bare"]
    c, n = args.connections, args.requests
    for url, bodies in ((bare, [{"text": "warm"}]), (query, UTTERANCES), (webhook, WEBHOOK_V2)):
        await drive("warm-up", url, bodies, requests=300, concurrency=8)
    base = await drive(f"bare aiohttp endpoint, {c} conn", bare, [{"text": "hello"}], requests=n, concurrency=c)
    rows: list[tuple[Result, Result | None]] = [(base, None)]
    rows.append((await drive(f"POST /api/v1/query, {c} conn", query, UTTERANCES, requests=n, concurrency=c), base))
    rows.append((await drive(f"POST /dialogflow/webhook v2, {c} conn", webhook, WEBHOOK_V2, requests=n, concurrency=c), base))
    soak_base = await drive("bare aiohttp endpoint, 100 conn", bare, [{"text": "hello"}], requests=args.soak, concurrency=100)
    rows.append((soak_base, None))
    rows.append((await drive("POST /api/v1/query, 100 conn", query, UTTERANCES, requests=args.soak, concurrency=100), soak_base))
    return rows


def _report(rows: list[tuple[Result, Result | None]], args: argparse.Namespace) -> None:
    print(f"{'':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  {'of bare':>7} {'errors':>7} {'lost':>6}")
    for result, base in rows:
        print(_row(result, base))
    query32, soak = rows[1][0], rows[4][0]
    goals = [
        (f"query rate >= 20% of bare ({query32.rps / rows[0][0].rps:.0%})", query32.rps >= 0.2 * rows[0][0].rps),
        (f"query p99 <= 10 ms at {args.connections} connections ({query32.percentile(99):.2f} ms)", query32.percentile(99) <= 10),
        (f"{args.soak} requests at 100 connections: {soak.errors} errors, {soak.lost} lost", soak.errors == 0 and soak.lost == 0),
    ]
    print()
    for text, met in goals:
        print(f"  [{'met' if met else 'MISSED'}] {text}")


async def main() -> None:
    args = _args()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        proc, urls = _start(Path(tmp) / "load.db", args.profile)
        try:
            rows = await _measure(urls, args)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
    print(f"load: closed-loop Python generator over loopback; service and bare endpoint share one server process "
          f"(python {sys.version.split()[0]}, {os.cpu_count()} cores shared with the generator)\n")
    _report(rows, args)
    if args.profile:
        print(f"\nprofile of the server process: {args.profile}")


asyncio.run(main())
