"""``/metrics`` and the logs of the running service: what a scrape shows after real traffic, request ids, secrets."""

from __future__ import annotations

import io
import json
import logging
from typing import Any, AsyncIterator, Iterator

import pytest
from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from chatops.observability.logging import configure_logging
from chatops.server_keys import RUNTIME
from chatops.store.base import Job
from handlers.ssm_client import SsmClient
from tests.production.conftest import say, serve, settings_for

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(client: TestClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples: Samples = {}
    for family in text_string_to_metric_families(await response.text()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Everything the service logs during the test, as it would reach stderr (JSON, DEBUG and up)."""
    out = io.StringIO()
    undo = configure_logging(level="DEBUG", fmt="json", stream=out)
    yield out
    undo()


def parsed(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


async def test_a_scrape_counts_requests_turns_fallbacks_intents_and_handler_latency(client: TestClient) -> None:
    await say(client, "help")
    await say(client, "help me please")
    await say(client, "zxqv blorf wuggle")  # nothing matches
    await say(client, "how much is a house with a 5000 sq ft lot?")
    await say(client, "tell me a joke")  # Reddit is unreachable: a joke from the local collection
    await say(client, "list secrets under /development")  # AWS is unreachable: the handler fails, the turn answers
    assert (await client.post("/api/v1/query", data=b"{not json", headers={"Content-Type": "application/json"})).status == 400
    assert (await client.get("/no/such/page")).status == 404
    assert (await client.post("/dialogflow/webhook", json={"queryResult": {"intent": {"displayName": "made-up"}}})).status == 200

    samples = await scrape(client)
    web = {"channel": "web", "route": "/api/v1/query", "method": "POST"}
    assert value(samples, "chatops_http_requests_total", status="200", **web) == 6
    assert value(samples, "chatops_http_requests_total", status="400", **web) == 1
    assert value(samples, "chatops_http_requests_total", channel="system", route="unmatched", method="GET", status="404") == 1
    assert value(samples, "chatops_http_requests_total", channel="dialogflow", route="/dialogflow/webhook", method="POST", status="200") == 1
    assert value(samples, "chatops_http_request_seconds_count", channel="web", route="/api/v1/query") == 7
    assert value(samples, "chatops_http_requests_in_flight") == 1  # the scrape itself

    assert value(samples, "chatops_turns_total") == 7
    assert value(samples, "chatops_fallbacks_total") == 1
    assert value(samples, "chatops_intents_matched_total", intent="help") == 2
    assert value(samples, "chatops_intents_matched_total", intent="prices.predict") == 1
    assert value(samples, "chatops_intents_matched_total", intent="reddit.tell") == 1
    assert value(samples, "chatops_intents_matched_total", intent="secrets.list") == 1
    assert value(samples, "chatops_intents_matched_total", intent="other") == 1  # a name from the request, not a label
    assert value(samples, "chatops_action_seconds_count", action="prices.predict", outcome="ok") == 1
    assert value(samples, "chatops_action_seconds_count", action="reddit.tell", outcome="ok") == 1
    failed = {k: v for k, v in samples.items() if k[0] == "chatops_action_seconds_count" and ("action", "secrets.list") in k[1]}
    assert list(failed.values()) == [1] and dict(next(iter(failed))[1])["outcome"].startswith("error")


async def test_jobs_by_state_are_read_from_the_store_at_scrape_time(client: TestClient) -> None:
    store = client.app[RUNTIME].runtime.store
    for state in ("running", "running", "failed", "succeeded"):
        await store.create_job(Job(kind="velero.migrate", session="s", principal="p", state=state))
    samples = await scrape(client)
    assert {s: value(samples, "chatops_jobs", state=s) for s in ("pending", "running", "failed", "succeeded", "cancelled")} == {
        "pending": 0, "running": 2, "failed": 1, "succeeded": 1, "cancelled": 0,
    }
    assert value(samples, "chatops_store_up") == 1

    await store.close()  # the store goes away: the scrape still answers, and says so
    samples = await scrape(client)
    assert value(samples, "chatops_store_up") == 0
    assert value(samples, "chatops_jobs", state="running") == 2  # the last counts read


async def test_the_request_id_is_echoed_and_carried_into_the_turns_logs(client: TestClient, log_lines: io.StringIO) -> None:
    response = await client.post("/api/v1/query", json={"session": "s", "text": "tell me a joke"}, headers={"X-Request-Id": "trace-7"})
    assert response.status == 200 and response.headers["X-Request-Id"] == "trace-7"
    turn = [line for line in parsed(log_lines) if line.get("request_id") == "trace-7"]
    assert any(line["logger"] == "handlers.reddit" and "127.0.0.1:9" in line["message"] for line in turn), parsed(log_lines)

    forged = await client.post("/api/v1/query", json={"session": "s", "text": "help"}, headers={"X-Request-Id": "a b\tc"})
    replaced = forged.headers["X-Request-Id"]
    assert replaced != "a b\tc" and len(replaced) == 32
    error = await client.post("/api/v1/query", data=b"", headers={"X-Request-Id": "trace-8", "Content-Type": "application/json"})
    assert error.status == 400 and error.headers["X-Request-Id"] == "trace-8"


@pytest.fixture
async def secrets_client(tmp_path: Any, fresh_moto: str) -> AsyncIterator[TestClient]:
    settings = settings_for(
        tmp_path, aws={"endpoint_url": fresh_moto, "access_key_id": "testing", "secret_access_key": "testing", "region": "eu-west-1"},
    )
    async with serve(settings) as client:
        yield client


async def test_a_decrypted_secret_never_reaches_the_logs_even_at_debug(secrets_client: TestClient, log_lines: io.StringIO) -> None:
    canary = "prod-canary-Zq8v1-value"
    ssm = secrets_client.app[RUNTIME].runtime.resources.get(SsmClient)
    await ssm.put("/production/db/password", canary, kind="SecureString")
    logging.getLogger("botocore").setLevel(logging.DEBUG)  # the wire loggers are the usual leak
    try:
        body = await say(secrets_client, "get the secret /production/db/password decrypted")
        await say(secrets_client, "set /production/db/password to new-Zq8v1-password")
        await say(secrets_client, "yes")
    finally:
        logging.getLogger("botocore").setLevel(logging.NOTSET)
    assert body["reply"]["visibility"] == "secret" and canary in body["reply"]["text"]  # the asker sees it
    text = log_lines.getvalue()
    assert len(parsed(log_lines)) > 10  # the logs did record the turns
    assert canary not in text and "new-Zq8v1-password" not in text
    assert "Zq8v1" not in text

