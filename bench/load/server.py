"""The process under load: the chatops app and a bare aiohttp endpoint, side by side in one event loop.

``python -m bench.load.server`` prints one JSON line with both URLs once they
listen, and runs until SIGTERM. The service uses the bundled agent (its
model trained once beforehand, as deployed), every handler table and a SQLite file; Reddit and AWS point at a closed loopback
port so no utterance leaves the machine. ``--profile FILE`` runs the loop under
pyinstrument and writes its text report there at exit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from contextlib import AsyncExitStack
from pathlib import Path

from aiohttp import web

from bench.load.processes import service_env
from chatops.config import load_settings
from chatops.observability.logging import configure_logging
from chatops.server import create_app, new_event_loop


async def bare(request: web.Request) -> web.Response:
    """The reference: read a JSON body, answer a small JSON object; no middleware, no turn."""
    body = await request.json()
    return web.json_response({"text": body.get("text", ""), "ok": True})


async def _site(stack: AsyncExitStack, app: web.Application) -> str:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    await web.TCPSite(runner, "127.0.0.1", 0, backlog=1024).start()
    return f"http://127.0.0.1:{runner.addresses[0][1]}"


async def run(store: str, model: str) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    reference = web.Application()
    reference.router.add_post("/bare", bare)
    async with AsyncExitStack() as stack:
        service = await _site(stack, create_app(load_settings(env=service_env(Path(store), Path(model)))))
        plain = await _site(stack, reference)
        print(json.dumps({"service": service, "bare": plain + "/bare"}), flush=True)
        await stop.wait()


def _serve(args: argparse.Namespace) -> None:
    with asyncio.Runner(loop_factory=new_event_loop) as runner:  # the loop `chatops serve` runs on
        runner.run(run(args.store, args.model))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load.server")
    parser.add_argument("--store", required=True, help="SQLite file for the service's store")
    parser.add_argument("--model", required=True, help="trained model file (chatops train) for the service to load")
    parser.add_argument("--profile", help="write a pyinstrument report of the whole run to this file")
    args = parser.parse_args()
    configure_logging(level="WARNING", fmt="json", stream=sys.stderr)
    if not args.profile:
        _serve(args)
        return
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="disabled", interval=0.0005)
    profiler.start()
    try:
        _serve(args)
    finally:
        profiler.stop()
        Path(args.profile).write_text(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
