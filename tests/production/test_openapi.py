"""The OpenAPI document against the app: a valid document, every route in it, and real responses that fit it."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from aiohttp.test_utils import TestClient
from openapi_spec_validator import validate

from chatops.channels.web_render import render_part
from chatops.models import Button, Card, Confirmation, Image, QuickReplies
from chatops.server_keys import RUNTIME
from tests.channels.slack_support import joined_workspace, signed, slack_settings
from tests.fakes.slack import FakeSlack
from tests.production.conftest import serve, settings_for
from tests.production.openapi_check import Contract

V2 = {
    "responseId": "r-1",
    "session": "projects/p/agent/sessions/df-1",
    "queryResult": {
        "queryText": "how much is a house with a 6000 sq ft lot",
        "action": "prices.predict",
        "parameters": {"area": {"amount": 6000, "unit": "sq ft"}},
        "allRequiredParamsPresent": True,
        "intent": {"name": "projects/p/agent/intents/1", "displayName": "prices.predict"},
        "intentDetectionConfidence": 0.9,
        "languageCode": "en",
        "outputContexts": [{"name": "projects/p/agent/sessions/df-1/contexts/chat", "lifespanCount": 2}],
    },
}
V1 = {
    "id": "r-2",
    "sessionId": "df-2",
    "lang": "en",
    "result": {"resolvedQuery": "help", "action": "", "parameters": {}, "metadata": {"intentName": "help"},
               "fulfillment": {"speech": "Here is what I can do."}},
}


@pytest.fixture
async def client(tmp_path: Path, fresh_moto: str) -> AsyncIterator[TestClient]:
    settings = settings_for(
        tmp_path, server={"api_tokens": ("t0ken-for-tests",), "max_body_bytes": 4096},
        dialogflow={"basic_user": "df", "basic_password": "pw"},
        aws={"endpoint_url": fresh_moto, "region": "eu-west-1"},
        security={"admin_tokens": ("adm1n-token",)},
    )
    async with FakeSlack(workspace=joined_workspace()) as slack, serve(slack_settings(settings, slack)) as running:
        yield running


@pytest.fixture
async def contract(client: TestClient) -> Contract:
    response = await client.get("/api/openapi.json")
    assert response.status == 200 and response.content_type == "application/json"
    document: dict[str, Any] = await response.json()
    return Contract(document)


AUTH = {"Authorization": "Bearer t0ken-for-tests"}
ADMIN = {"Authorization": "Bearer adm1n-token"}
CSV = "lot,price\n" + "\n".join(f"{1000 * i},{40000 + 9000 * i}" for i in range(1, 12))
DF_AUTH = {"Authorization": "Basic " + base64.b64encode(b"df:pw").decode()}


async def test_the_document_is_valid_openapi_and_names_every_route(client: TestClient, contract: Contract) -> None:
    validate(contract.document)
    routes = {
        (route.method.lower(), route.resource.canonical)
        for route in client.app.router.routes()
        if route.method != "HEAD" and route.resource is not None
    }
    documented = {(method, path) for path, item in contract.document["paths"].items() for method in item}
    assert routes == documented
    assert contract.document["components"]["schemas"]["QueryRequest"]["properties"]["text"]["maxLength"] == 2000
    assert contract.document["info"]["version"] == "0.1.0"


async def test_query_answers_fit_the_document(client: TestClient, contract: Contract) -> None:
    path = "/api/v1/query"
    for body in (
        {"session": "a", "text": "help"},
        {"session": "a", "text": "zxqv blorf"},
        {"session": "a", "event": "WELCOME", "parameters": {"x": 1}},
        {"session": "b", "text": "how much is a house with a 5000 sq ft lot?", "user": "ana"},
        {"session": "c", "text": "set /development/api/key to abc123"},  # asks for confirmation
        {"session": "c", "text": "no"},
    ):
        result = await contract.check(await client.post(path, json=body, headers=AUTH))
        assert result["reply"]["text"]
    kinds = set()
    for body in ({"session": "b", "text": "how much is a house with a 5000 sq ft lot?"}, {"session": "c", "text": "set /development/api/key to abc123"}):
        result = await contract.check(await client.post(path, json=body, headers=AUTH))
        kinds |= {part["type"] for part in result["reply"]["parts"]}
    assert kinds == {"image", "quickReplies", "confirmation"}

    for body, headers, status in (
        ({"session": "a", "text": "help"}, {}, 401),
        ({"session": "a", "text": "help"}, {"Authorization": "Bearer wrong"}, 401),
        ({"session": "a"}, AUTH, 400),
        ({"session": "", "text": "hi"}, AUTH, 400),
        ({"session": "a", "text": "x" * 2001}, AUTH, 400),
        ({"session": "a", "text": "hi", "event": "WELCOME"}, AUTH, 400),
        ([1, 2], AUTH, 400),
    ):
        response = await client.post(path, json=body, headers=headers)
        assert response.status == status
        error = await contract.check(response)
        assert error["message"]
    too_large = await client.post(path, data=b"{" + b" " * 5000 + b"}", headers={**AUTH, "Content-Type": "application/json"})
    assert too_large.status == 413
    await contract.check(too_large)


async def test_webhook_health_metrics_and_errors_fit_the_document(client: TestClient, contract: Contract) -> None:
    v2 = await contract.check(await client.post("/dialogflow/webhook", json=V2, headers=DF_AUTH))
    assert "6,000 sq ft" in v2["fulfillmentText"] and v2["outputContexts"]
    v1 = await contract.check(await client.post("/dialogflow/webhook", json=V1, headers=DF_AUTH))
    assert v1["speech"]
    assert (await client.post("/dialogflow/webhook", json=V2)).status == 401
    await contract.check(await client.post("/dialogflow/webhook", json=V2), path="/dialogflow/webhook")
    bad = await client.post("/dialogflow/webhook", json={"nothing": 1}, headers=DF_AUTH)
    assert bad.status == 400
    await contract.check(bad)

    for path in ("/healthz", "/readyz", "/metrics", "/api/openapi.json"):
        response = await client.get(path)
        assert response.status == 200
        await contract.check(response)

    await client.app[RUNTIME].runtime.store.close()
    down = await client.get("/readyz")
    assert down.status == 503
    assert (await contract.check(down))["error"] == "store_unavailable"
    query = await client.post("/api/v1/query", json={"session": "a", "text": "help"}, headers=AUTH)
    assert query.status == 503
    await contract.check(query)

    for method, path, status in (("GET", "/nowhere", 404), ("DELETE", "/api/v1/query", 405)):
        response = await client.request(method, path)
        assert response.status == status
        contract.check_value("Error", await response.json())


async def test_datasets_audit_slack_and_the_widget_fit_the_document(client: TestClient, contract: Contract) -> None:
    path = "/api/v1/datasets"
    stored = await contract.check(await client.post(path, json={"name": "mine", "csv": CSV, "x": "lot", "y": "price"}, headers=AUTH))
    assert stored["rows"] == 11 and stored["dataset"] == "mine"
    for body, headers, status in (
        ({"name": "mine", "csv": CSV, "x": "lot", "y": "price"}, {}, 401),
        ({"name": "mine", "csv": CSV, "x": "lot"}, AUTH, 400),
        ({"name": "bad", "csv": "lot,price\nx,y\n", "x": "lot", "y": "price"}, AUTH, 400),
    ):
        response = await client.post(path, json=body, headers=headers)
        assert response.status == status, await response.text()
        assert (await contract.check(response))["message"]

    await client.post("/api/v1/query", json={"session": "a", "text": "how much for a lot of 3000 sq ft?"}, headers=AUTH)
    audit = await contract.check(await client.get("/api/v1/audit", params={"since": "1h", "limit": "10"}, headers=ADMIN))
    assert audit["records"] and audit["records"][0]["action"].startswith("prices.")
    for params, headers, status in (({}, AUTH, 401), ({"limit": "0"}, ADMIN, 400), ({"since": "yesterday"}, ADMIN, 400)):
        response = await client.get("/api/v1/audit", params=params, headers=headers)
        assert response.status == status
        assert (await contract.check(response))["message"]

    challenge = b'{"type": "url_verification", "challenge": "c-123", "token": "t"}'
    answered = await client.post("/slack/events", data=challenge, headers=signed(challenge, content_type="application/json"))
    assert answered.status == 200 and (await answered.json())["challenge"] == "c-123"
    unsigned = await client.post("/slack/events", data=challenge, headers={"Content-Type": "application/json"})
    assert unsigned.status == 401
    await contract.check(unsigned)

    for path in ("/", "/widget.js"):
        response = await client.get(path)
        assert response.status == 200
        assert "chatops-chat" in await contract.check(response)


async def test_every_reply_part_kind_fits_the_part_schema(contract: Contract) -> None:
    parts = [
        QuickReplies(("yes", "no"), title="Sure?"),
        Card(title="Pod web-1", subtitle="Running", text="2 restarts", buttons=(Button("Logs", postback="logs web-1"), Button("Docs", url="https://k8s.io"))),
        Image(alt="chart", data=b"<svg/>", mime="image/svg+xml"),
        Image(alt="remote", url="https://example.com/x.png"),
        Confirmation(prompt="Go ahead?", token="tok"),
    ]
    for part in parts:
        contract.check_value("Part", render_part(part))
