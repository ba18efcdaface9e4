"""The REST API through the real aiohttp app: answers, and a readable JSON error for every bad input."""

from __future__ import annotations

from typing import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from chatops.config import load_settings
from chatops.fulfillment import HandlerCall, HandlerTable, Reply
from chatops.server import create_app

from ..engine.conftest import TEST_AGENT, Recorder


def crashing_table(recorder: Recorder) -> list[HandlerTable]:
    table = recorder.table()
    crash = HandlerTable("crash")

    @crash.action("test.paint")
    async def paint(call: HandlerCall) -> Reply:
        raise RuntimeError("boom: internal detail")

    del table.actions["test.paint"]
    return [table, crash]


async def make_client(recorder: Recorder, **env: str) -> TestClient:
    settings = load_settings(
        env={"CHATOPS_MAX_BODY_BYTES": "4096", **env},
        overrides={"engine": {"agent_dir": str(TEST_AGENT)}, "store": {"url": "sqlite:///:memory:"}},
    )
    client = TestClient(TestServer(create_app(settings, tables=crashing_table(recorder))))
    await client.start_server()
    return client


@pytest.fixture
async def client() -> AsyncIterator[TestClient]:
    client = await make_client(Recorder())
    yield client
    await client.close()


async def test_query_returns_the_query_result(client: TestClient) -> None:
    response = await client.post("/api/v1/query", json={"session": "s1", "text": "tell me a joke", "user": "ann"})
    assert response.status == 200
    body = await response.json()
    assert body["intent"]["displayName"] == "tell"
    assert body["action"] == "test.tell"
    assert body["parameters"] == {"content": "joke"}
    assert body["allRequiredParamsPresent"] is True
    assert body["fulfillmentText"] == "a joke #1"
    assert body["outputContexts"] == [
        {"name": "tell-followup", "lifespanCount": 2, "parameters": {"content": "joke", "content.original": "joke"}}
    ]
    assert body["reply"] == {"text": "a joke #1", "visibility": "public", "parts": []}
    assert 0.3 <= body["intentDetectionConfidence"] <= 1


async def test_event_query_and_prompts(client: TestClient) -> None:
    body = await (await client.post("/api/v1/query", json={"session": "s2", "event": "WELCOME"})).json()
    assert body["intent"]["displayName"] == "welcome"
    body = await (await client.post("/api/v1/query", json={"session": "s2", "text": "paint the fence"})).json()
    assert body["allRequiredParamsPresent"] is False and body["fulfillmentText"] == "Which colour?"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "empty"),
        (b"[1, 2]", "JSON object"),
        (b'{"text": "hi"}', "'session'"),
        (b'{"session": "s"}', "exactly one of 'text' or 'event'"),
        (b'{"session": "s", "text": "hi", "event": "WELCOME"}', "exactly one"),
        (b'{"session": "s", "text": 5}', "'text' must be a non-empty string"),
        (b'{"session": "s", "text": "hi", "parameters": [1]}', "'parameters' must be an object"),
        (b'{"session": "s", "text": "' + b"a" * 2001 + b'"}', "longer than 2000"),
        (b'{"session": "s", "text": "hi", "lang": "spanish please"}', "'lang' must be a language code"),
    ],
)
async def test_bad_input_gets_400_with_a_readable_message(client: TestClient, body: bytes, message: str) -> None:
    response = await client.post("/api/v1/query", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 400
    payload = await response.json()
    assert payload["error"] == "bad_request" and message in payload["message"]


async def test_oversized_body_gets_413(client: TestClient) -> None:
    response = await client.post("/api/v1/query", data=b'{"session": "s", "text": "' + b"a" * 5000 + b'"}', headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert (await response.json())["error"] == "too_large"


async def test_unknown_route_and_wrong_method_get_json_errors(client: TestClient) -> None:
    response = await client.get("/nope")
    assert response.status == 404 and (await response.json())["error"] == "not_found"
    response = await client.get("/api/v1/query")
    assert response.status == 405 and (await response.json())["error"] == "method_not_allowed"


async def test_a_crashing_handler_gets_a_readable_reply_not_a_traceback(client: TestClient) -> None:
    response = await client.post("/api/v1/query", json={"session": "s3", "text": "paint the fence red"})
    assert response.status == 200
    text = (await response.json())["fulfillmentText"]
    assert text == "Something went wrong while running test.paint. The details were logged."
    assert "boom" not in text


async def test_health_and_readiness(client: TestClient) -> None:
    assert (await (await client.get("/healthz")).json()) == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status == 200 and (await ready.json())["status"] == "ready"


async def test_api_tokens_are_enforced_when_configured() -> None:
    client = await make_client(Recorder(), CHATOPS_API_TOKENS="t0ken")
    try:
        response = await client.post("/api/v1/query", json={"session": "s", "text": "hi"})
        assert response.status == 401
        response = await client.post("/api/v1/query", json={"session": "s", "text": "hi"}, headers={"Authorization": "Bearer t0ken"})
        assert response.status == 200
    finally:
        await client.close()


async def test_a_dataset_upload_is_stored_and_used_in_chat() -> None:
    settings = load_settings(env={}, overrides={"store": {"url": "sqlite:///:memory:"}})
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        csv = "plot,area_sqft,price\n" + "\n".join(f"p{i},{1000 + 100 * i},{50000 + 9000 * i}" for i in range(30))
        response = await client.post("/api/v1/datasets", json={"name": "bangalore-plots", "csv": csv, "x": "area_sqft", "y": "price"})
        assert response.status == 201, await response.text()
        assert (await response.json())["rows"] == 30
        bad = await client.post("/api/v1/datasets", json={"name": "bad", "csv": "a,b\n1,x\n2,y\n", "x": "a", "y": "b"})
        assert bad.status == 400 and (await bad.json())["error"] == "bad_dataset"
        missing = await client.post("/api/v1/datasets", json={"name": "plots"})
        assert missing.status == 400 and "'csv'" in (await missing.json())["message"]
        body = await (await client.post("/api/v1/query", json={"session": "d", "text": "use dataset bangalore-plots"})).json()
        assert "Now using bangalore-plots: 30 rows" in body["fulfillmentText"]
        body = await (await client.post("/api/v1/query", json={"session": "d", "text": "how much for a lot of 2000 sq ft?"})).json()
        # The fitted line is exact for this data: price = 90 * area - 40000.
        assert "$140,000" in body["fulfillmentText"]
    finally:
        await client.close()
