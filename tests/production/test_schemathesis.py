"""Schemathesis against the OpenAPI document: generated requests for every operation, answers checked against it.

The service runs on a real port in a thread of its own (schemathesis calls it
synchronously). Its checks: no 5xx, only documented status codes, content
types and headers, bodies that fit the response schemas, and requests that
violate the request schema are rejected.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Iterator

import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from chatops.channels.openapi import document
from chatops.server import create_app
from chatops.testing import ALLOW_ALL, trained_nlu
from tests.channels.slack_support import joined_workspace, slack_settings
from tests.fakes.slack import FakeSlack
from tests.production.conftest import settings_for

SETTINGS = settings_for(Path("/nonexistent"), server={"api_tokens": ("schema-token",)}, security={"admin_tokens": ("schema-admin",)})
schema = schemathesis.openapi.from_dict(document(SETTINGS))
EXCLUDED = {
    # Schema-valid yet unusable (too few rows, one column twice; a 'since' that is no date): that 400 is the answer.
    "/api/v1/datasets": [positive_data_acceptance],
    # Its query string is read leniently: an empty filter is no filter, unknown parameters are ignored.
    "/api/v1/audit": [positive_data_acceptance, negative_data_rejection],
    # The webhook reads DialogFlow's bodies tolerantly by design (clients send [] for {}, omit defaults).
    "/dialogflow/webhook": [negative_data_rejection],
}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app on 127.0.0.1 in a thread with its own event loop, for the module."""
    settings = settings_for(
        tmp_path_factory.mktemp("schemathesis"), server={"api_tokens": ("schema-token",)},
        security={"admin_tokens": ("schema-admin",)}, dialogflow={"deadline_seconds": 1.0},
    )
    ready = threading.Event()
    address: list[str] = []
    stop: list[asyncio.Event] = []

    async def run() -> None:
        async with FakeSlack(workspace=joined_workspace()) as slack:
            runner = web.AppRunner(create_app(slack_settings(settings, slack), policy=ALLOW_ALL, nlu=trained_nlu()), access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            stop.append(asyncio.Event())
            address.append(f"http://127.0.0.1:{runner.addresses[0][1]}")
            ready.set()
            try:
                await stop[0].wait()
            finally:
                await runner.cleanup()

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(run(),), daemon=True)
    thread.start()
    assert ready.wait(120), "the app did not start"
    yield address[0]
    loop.call_soon_threadsafe(stop[0].set)
    thread.join(30)
    loop.close()


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_document(case: schemathesis.Case, base_url: str) -> None:
    headers = {"Authorization": "Bearer schema-admin" if case.path == "/api/v1/audit" else "Bearer schema-token"}
    case.call_and_validate(base_url=base_url, headers=headers, excluded_checks=EXCLUDED.get(case.path, []))
