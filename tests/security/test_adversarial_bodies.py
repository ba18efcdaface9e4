"""Hostile bodies for every endpoint: never a 5xx, nothing run without its audit record, the canary kept private.

Each body starts from a real request of its endpoint (a REST query, a
DialogFlow v2 WebhookRequest, each Slack body the app handles, signed) and
has one field replaced by something hostile: a lone surrogate, bytes that are
not UTF-8, a deep or wide structure, a number where text belongs, or the
field removed. The policy grants everyone the bench's guarded actions, so
bodies that get through do run them, and the invariants are checked after
every body.
"""

from __future__ import annotations

import copy
import json
import logging
import urllib.parse
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import handlers
from chatops.server_keys import RUNTIME
from tests.channels import channel_table
from tests.channels.slack_support import joined_workspace, payload, settled, signed, slack_settings
from tests.channels.support import with_group
from tests.fakes.slack import FakeSlack
from tests.security.support import CANARY, RAN, bench, bench_settings, table as bench_table

BODIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MARK = "\u2603fuzz"  # replaced by the hostile value after serialising, so it can be raw bytes too

SURROGATES = st.sampled_from(["\ud800", "a\udfffb", "\udbff\udc00\ud800", "ok\ud834"])
HOSTILE_JSON: st.SearchStrategy[Any] = st.one_of(
    SURROGATES,
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
    st.sampled_from([1e308, -1, 0, True, None, [], {}, [1, "x"], {"id": 1e308}, "", " ", "x" * 3000]),
    st.integers(min_value=33, max_value=120).map(lambda n: json.loads("[" * n + "]" * n)),
    st.integers(min_value=1, max_value=3000).map(lambda n: {f"k{i}": i for i in range(n)}),
)
RAW_BYTES = st.sampled_from([b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x00", b"\x80abc"])


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path of a JSON document, containers included."""
    found = [prefix] if prefix else []
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found += paths(value, (*prefix, index))
    return found


def hostile(base: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """``base`` with one field replaced by a hostile value or removed, serialised as the endpoint reads it."""

    def build(path: tuple[Any, ...], value: Any, raw: bytes | None, remove: bool) -> bytes:
        doc = copy.deepcopy(base)
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if remove:
            del parent[path[-1]]
        else:
            parent[path[-1]] = MARK if raw is not None else value
        text = json.dumps(doc).encode()
        return text.replace(json.dumps(MARK).encode(), b'"' + raw + b'"') if raw is not None else text

    return st.builds(
        build, st.sampled_from(paths(base)), HOSTILE_JSON,
        st.none() | RAW_BYTES, st.booleans(),
    )


async def check_answer(response: Any) -> None:
    text = await response.text()
    event(f"HTTP {response.status}")
    assert response.status < 500, f"{response.status}: {text[:300]}"
    if response.status >= 400:
        error = json.loads(text)
        assert error["error"] and error["message"].strip()


async def check_invariants(client: TestClient, caplog: pytest.LogCaptureFixture, db: Path) -> None:
    """Every handler run has its audit records; the canary is nowhere but in a private reply."""
    store = client.server.app[RUNTIME].runtime.store
    records = await store.query_audit(limit=100_000)
    for action, identity in RAN:
        mine = [r.outcome for r in records if r.action == action and r.principal == identity]
        assert "started" in mine and any(o not in ("started", "asked") for o in mine), (action, identity, mine)
    assert CANARY not in json.dumps([vars(r) for r in records])
    assert CANARY not in caplog.text
    assert CANARY not in (await (await client.get("/metrics")).text())
    for path in db.parent.glob(db.name + "*"):
        assert CANARY.encode() not in path.read_bytes(), path


@pytest.fixture
async def client(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[TestClient]:
    caplog.set_level(logging.DEBUG)
    settings = bench_settings(tmp_path, ["*"], dialogflow={"deadline_seconds": 1.0})
    settings = with_group(settings, "store", url=f"sqlite:///{tmp_path / 'fuzz.db'}")
    # The prices table too, so that data set uploads reach their real handler.
    tables = [bench_table, channel_table.table, *handlers.load_tables(("prices",))]
    async with FakeSlack(emails={"U123": "alice@example.com"}, workspace=joined_workspace()) as slack, bench(slack_settings(settings, slack), tables=tables) as running:
        running.slack = slack  # type: ignore[attr-defined]
        yield running


QUERY = {"session": "s-1", "text": "read the canary secret", "user": "alice", "parameters": {"path": "/development/canary"}}
WEBHOOK = {
    "responseId": "r-1",
    "session": "projects/p/agent/sessions/s-1",
    "queryResult": {
        "queryText": "overwrite the canary", "action": "sec.put", "languageCode": "en",
        "parameters": {"path": "/development/canary", "value": CANARY},
        "intent": {"displayName": "sec.put"},
        "outputContexts": [{"name": "projects/p/agent/sessions/s-1/contexts/c1", "lifespanCount": 2, "parameters": {"value": CANARY}}],
    },
    "originalDetectIntentRequest": {"source": "slack", "payload": {"userId": "df-user", "user": {"userId": "df-user"}}},
}


@BODIES
@given(body=hostile(QUERY))
async def test_rest_query(client: TestClient, caplog: pytest.LogCaptureFixture, tmp_path: Path, body: bytes) -> None:
    response = await client.post("/api/v1/query", data=body, headers={"Content-Type": "application/json"})
    await check_answer(response)
    if response.status == 200:
        answer = await response.json()
        assert CANARY not in answer["fulfillmentText"] and CANARY not in json.dumps(answer["outputContexts"])
    await check_invariants(client, caplog, tmp_path / "fuzz.db")


@BODIES
@given(body=hostile(WEBHOOK), confirm=st.booleans())
async def test_dialogflow_webhook(client: TestClient, caplog: pytest.LogCaptureFixture, tmp_path: Path, body: bytes, confirm: bool) -> None:
    response = await client.post("/dialogflow/webhook", data=body, headers={"Content-Type": "application/json"})
    await check_answer(response)
    assert CANARY not in await response.text()
    if confirm:  # play the second half of the reproducer: confirm whatever may be pending
        yes = json.loads(json.dumps(WEBHOOK))
        yes["queryResult"].update(action="confirm.yes", parameters={}, outputContexts=[])
        await check_answer(await client.post("/dialogflow/webhook", json=yes))
    await check_invariants(client, caplog, tmp_path / "fuzz.db")


DATASET = {"name": "plots", "csv": "area,price\n1000,50000\n2000,90000\n3000,130000\n", "x": "area", "y": "price", "user": "alice"}


@BODIES
@given(body=hostile(DATASET))
async def test_dataset_upload(client: TestClient, caplog: pytest.LogCaptureFixture, tmp_path: Path, body: bytes) -> None:
    await check_answer(await client.post("/api/v1/datasets", data=body, headers={"Content-Type": "application/json"}))
    await check_invariants(client, caplog, tmp_path / "fuzz.db")


def slack_bodies() -> dict[str, tuple[dict[str, Any], str]]:
    """Each Slack body the app handles, and how it is sent (JSON, or a form field)."""
    mention = payload("app_mention.json")
    mention["event"]["text"] = "<@UBOT> read the canary secret"
    command = {**payload("slash_command.json"), "text": "overwrite the canary"}
    return {
        "app_mention": (mention, "json"),
        "message.im": (payload("message_im.json"), "json"),
        "file_share": (payload("message_file_share.json"), "json"),
        "slash_command": (command, "form"),
        "block_actions": (payload("block_actions.json"), "payload"),
    }


SLACK = slack_bodies()


def slack_request(kind: str, raw: bytes) -> tuple[bytes, dict[str, str]]:
    shape = SLACK[kind][1]
    if shape == "json":
        return raw, signed(raw, content_type="application/json")
    if shape == "form":
        try:
            fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(raw).items()}
            body = urllib.parse.urlencode(fields).encode()
        except (ValueError, AttributeError, UnicodeError):
            body = b"command=%2Fchatops&text=" + urllib.parse.quote_from_bytes(raw).encode()
    else:
        body = b"payload=" + urllib.parse.quote_from_bytes(raw).encode()
    return body, signed(body, content_type="application/x-www-form-urlencoded")


@BODIES
@given(data=st.data(), kind=st.sampled_from(sorted(SLACK)))
async def test_signed_slack_bodies(client: TestClient, caplog: pytest.LogCaptureFixture, tmp_path: Path, data: st.DataObject, kind: str) -> None:
    raw = data.draw(hostile(SLACK[kind][0]))
    body, headers = slack_request(kind, raw)
    event(f"slack {kind}")
    async with client.post("/slack/events", data=body, headers=headers) as response:
        await check_answer(response)
    await settled(client)
    slack: FakeSlack = client.slack  # type: ignore[attr-defined]
    public = [c for c in slack.calls if c.method in ("chat.postMessage", "chat.update")]
    assert all(CANARY not in json.dumps(c.args) for c in public)
    await check_invariants(client, caplog, tmp_path / "fuzz.db")
