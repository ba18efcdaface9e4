"""``python -m bench.store``: store ops/s and query throughput, SQLite against the Mongo-wire server, side by side.

The baseline is the SQLite file store measured in the same run; the other
columns are printed as ratios to it. The Mongo-wire server is the FerretDB test
server (built by .ci/steps/store.sh) unless ``--mongodb-uri`` names another.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import uuid
from pathlib import Path

from bench.store.endpoint import requests_per_second
from bench.store.ops import measure
from chatops.store.base import Store
from chatops.store.mongo import MongoStore
from chatops.store.sqlite import SqliteStore
from tests.store.ferretdb import FerretDBProcess, binary_path, with_database


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.store", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="time per operation and mode (default 0.5)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent callers (default 8)")
    parser.add_argument("--mongodb-uri", default="", help="use this server instead of starting the FerretDB test server")
    parser.add_argument("--no-endpoint", action="store_true", help="skip the query-endpoint throughput")
    return parser.parse_args()


async def _ops(store: Store, args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    await store.open()
    try:
        return await measure(store, seconds=args.seconds, concurrency=args.concurrency)
    finally:
        await store.close()


def _table(title: str, columns: list[str], rows: dict[str, list[float]]) -> None:
    print(f"\n{title}")
    print(f"{'':22}" + "".join(f"{c:>22}" for c in columns))
    for name, values in rows.items():
        base = values[0]
        cells = [f"{values[0]:>16.0f}/s     "] + [f"{v:>10.0f}/s ({v / base:>5.2f}x)" for v in values[1:]]
        print(f"{name:22}" + "".join(f"{c:>22}" for c in cells))


async def _endpoint(urls: dict[str, str], args: argparse.Namespace) -> None:
    title = f'-- POST /api/v1/query "help", {args.concurrency} concurrent clients, 50 sessions'
    try:
        rps = [await requests_per_second(url, seconds=args.seconds * 4, concurrency=args.concurrency, sessions=50)
               for url in urls.values()]
    except Exception as exc:  # the app is built by others: say why it could not be measured, keep the store figures
        print(f"\n{title}\n  not measured: the app did not serve ({type(exc).__name__}: {exc})")
        return
    _table(title, list(urls), {"requests": rps})


async def main() -> None:
    args = _args()
    server = None if args.mongodb_uri else FerretDBProcess(binary_path())
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        try:
            uri = args.mongodb_uri or await asyncio.to_thread(server.start)  # type: ignore[union-attr]
            mongo = with_database(uri, f"chatops_bench_{uuid.uuid4().hex[:8]}")
            backends = {
                "sqlite file": lambda: SqliteStore(str(Path(tmp) / "ops.db")),
                "sqlite :memory:": lambda: SqliteStore(":memory:"),
                "mongo-wire": lambda: MongoStore(mongo),
            }
            measured = {name: await _ops(make(), args) for name, make in backends.items()}
            ops = list(next(iter(measured.values())))
            print(f"store operations ({args.seconds:g} s each; mongo-wire: {'external' if args.mongodb_uri else 'FerretDB v1 + SQLite'})")
            for mode, index in (("1 caller", 0), (f"{args.concurrency} concurrent callers", 1)):
                _table(f"-- {mode}; ratios against sqlite file", list(backends), {
                    op: [measured[b][op][index] for b in backends] for op in ops
                })
            if not args.no_endpoint:
                urls = {"sqlite file": f"sqlite:///{tmp}/endpoint.db", "mongo-wire": with_database(uri, mongo.rsplit('/', 1)[1] + "_app")}
                await _endpoint(urls, args)
        finally:
            if server is not None:
                await asyncio.to_thread(server.remove)


asyncio.run(main())
