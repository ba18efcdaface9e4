"""Hypothesis-generated requests for every endpoint: never a 5xx, and every rejection a JSON error with a message.

Bodies range from random bytes and arbitrary JSON to objects with the
endpoint's own field names holding anything, so both the protocol checks and
what lies behind them (the engine, the dispatcher, the handlers reached by
action name) are exercised. Reddit and AWS are unreachable loopback ports.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import handlers
from chatops.config import load_settings
from tests.channels.slack_support import joined_workspace, signed, slack_settings
from tests.fakes.slack import FakeSlack
from tests.production.conftest import serve, settings_for

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ACTIONS = sorted({name for table in handlers.load_tables(load_settings(env={}).engine.handlers) for name in table.actions})

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=16
)
words = st.sampled_from(["help", "tell me a joke", "list pods in kube-system", "yes", "no", "cancel", "WELCOME", "",
                         " ", "how much for 5000 sq ft", "get /production/db/password decrypted", "another one"])
texty = words | st.text(max_size=60) | json_values
names = st.text(alphabet="abcxyz-_: 0123", min_size=1, max_size=12) | texty


def bodies(fields: dict[str, st.SearchStrategy[Any]], *, valid: st.SearchStrategy[dict[str, Any]] | None = None) -> st.SearchStrategy[bytes]:
    """Raw bytes, any JSON, an object with some of ``fields`` holding anything, or one shaped like ``valid``."""
    shaped = st.fixed_dictionaries({}, optional=fields)
    choices = [st.binary(max_size=120), json_values, shaped, shaped] + ([valid, valid] if valid is not None else [])
    return st.one_of(*choices).map(lambda v: v if isinstance(v, bytes) else json.dumps(v).encode())


async def assert_handled(response: Any) -> None:
    """No server error; a rejection is JSON with an error code and a readable message."""
    text = await response.text()
    event(f"HTTP {response.status}")
    assert response.status < 500, f"{response.status}: {text[:300]}"
    if response.status >= 400:
        assert response.content_type == "application/json", f"{response.status} {response.content_type}: {text[:200]}"
        error = json.loads(text)
        assert isinstance(error.get("error"), str) and isinstance(error.get("message"), str) and error["message"].strip(), text


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    settings = settings_for(tmp_path, dialogflow={"deadline_seconds": 1.0}, security={"admin_tokens": ("adm1n",)})
    async with FakeSlack(workspace=joined_workspace()) as slack, serve(slack_settings(settings, slack)) as running:
        yield running


QUERY = {"session": names, "text": texty, "event": texty, "parameters": json_values, "user": texty}
GOOD_QUERY = st.fixed_dictionaries(
    {"session": st.text(min_size=1, max_size=20)},
    optional={"user": st.text(min_size=1, max_size=10), "parameters": st.dictionaries(st.text(max_size=8), json_values, max_size=3)},
).flatmap(lambda d: st.one_of(
    st.builds(lambda t: {**d, "text": t}, words | st.text(min_size=1, max_size=80)),
    st.builds(lambda e: {**d, "event": e}, st.sampled_from(["WELCOME", "welcome", "NOPE"]) | st.text(min_size=1, max_size=10)),
))


@FUZZ
@given(body=bodies(QUERY, valid=GOOD_QUERY), content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded"]))
async def test_query(client: TestClient, body: bytes, content_type: str) -> None:
    await assert_handled(await client.post("/api/v1/query", data=body, headers={"Content-Type": content_type}))


CSV = st.text(alphabet="ab,;\n0123456789.-", max_size=120)
DATASET = {"name": names, "csv": CSV | json_values, "x": texty, "y": texty, "user": texty}
GOOD_DATASET = st.fixed_dictionaries({
    "name": st.text(min_size=1, max_size=12), "x": st.sampled_from(["a", "b", "lot"]), "y": st.sampled_from(["a", "b", "price"]),
    "csv": st.lists(st.tuples(st.integers(-5, 10**6), st.integers(-5, 10**7)), max_size=12).map(
        lambda rows: "a,b\n" + "\n".join(f"{x},{y}" for x, y in rows)) | CSV.map(lambda c: "a,b\n" + c),
})


@FUZZ
@given(body=bodies(DATASET, valid=GOOD_DATASET))
async def test_datasets(client: TestClient, body: bytes) -> None:
    await assert_handled(await client.post("/api/v1/datasets", data=body, headers={"Content-Type": "application/json"}))


QUERY_RESULT = st.fixed_dictionaries({}, optional={
    "queryText": texty, "action": st.sampled_from(ACTIONS) | texty, "parameters": json_values,
    "intent": st.fixed_dictionaries({}, optional={"displayName": st.sampled_from(ACTIONS) | texty, "name": texty}) | json_values,
    "outputContexts": st.lists(st.fixed_dictionaries({"name": texty}, optional={"lifespanCount": json_values, "parameters": json_values}), max_size=3) | json_values,
    "fulfillmentText": texty, "fulfillmentMessages": json_values, "languageCode": texty, "allRequiredParamsPresent": json_values,
})
V1_RESULT = st.fixed_dictionaries({}, optional={
    "resolvedQuery": texty, "action": st.sampled_from(ACTIONS) | texty, "parameters": json_values, "contexts": json_values,
    "metadata": json_values, "fulfillment": json_values, "actionIncomplete": json_values,
})
WEBHOOK = {"session": names, "responseId": texty, "queryResult": QUERY_RESULT | json_values,
           "originalDetectIntentRequest": json_values, "result": V1_RESULT | json_values, "sessionId": texty, "lang": texty}


@FUZZ
@given(body=bodies(WEBHOOK))
async def test_dialogflow_webhook(client: TestClient, body: bytes) -> None:
    await assert_handled(await client.post("/dialogflow/webhook", data=body, headers={"Content-Type": "application/json"}))


AUDIT = st.fixed_dictionaries({}, optional={"since": st.text(max_size=20) | st.sampled_from(["1h", "30m", "7d", "2025-01-01"]),
                                           "limit": st.text(max_size=6) | st.integers().map(str),
                                           "principal": st.text(max_size=20), "action": st.text(max_size=20)})


@FUZZ
@given(params=AUDIT, admin=st.booleans())
async def test_audit(client: TestClient, params: dict[str, str], admin: bool) -> None:
    headers = {"Authorization": "Bearer adm1n"} if admin else {}
    await assert_handled(await client.get("/api/v1/audit", params=params, headers=headers))


SLACK_JSON = {"type": st.sampled_from(["event_callback", "url_verification", "app_rate_limited"]) | texty,
              "challenge": texty, "event_id": texty, "team_id": texty, "event": json_values}


@FUZZ
@given(body=bodies(SLACK_JSON), sign=st.booleans(),
       content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded"]))
async def test_slack_events(client: TestClient, body: bytes, sign: bool, content_type: str) -> None:
    headers = signed(body, content_type=content_type) if sign else {"Content-Type": content_type}
    await assert_handled(await client.post("/slack/events", data=body, headers=headers))
