"""One reproducer per finding of the outside review (security issue, findings 1-8), played against the real app.

Each test sends what the attacker sent and asserts the refusal, that no handler
ran, and what the audit holds.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from chatops.config import load_settings
from chatops.errors import ConfigError, StoreUnavailable
from chatops.fulfillment.audit import NOT_RECORDED
from chatops.models import Principal
from chatops.security import exposure
from chatops.security.policy import Policy
from chatops.server_keys import RUNTIME
from chatops.store.sqlite import SqliteStore
from tests.channels.slack_support import event, joined_workspace, post_event, post_raw, signed, slack_settings
from tests.channels.support import with_group
from tests.fakes.slack import FakeSlack
from tests.security.support import CANARY, RAN, bench, bench_settings, policy_file

JSON = {"Content-Type": "application/json"}
DF_PUT = {
    "session": "projects/p/agent/sessions/x",
    "queryResult": {"action": "sec.put", "parameters": {"path": "/development/api/key", "value": "X"}},
    "originalDetectIntentRequest": {"payload": {"userId": "df-ops"}},
}
DF_AUTH = {"Authorization": "Basic " + base64.b64encode(b"df:s3cret").decode()}


def df(action: str, **fields: object) -> dict[str, object]:
    body = json.loads(json.dumps(DF_PUT))
    body["queryResult"]["action"] = action
    body.update(fields)
    return body


async def audit(client: TestClient, action: str | None = None) -> list[tuple[str, str, str]]:
    records = await client.server.app[RUNTIME].runtime.store.query_audit(action=action, limit=1000)
    return [(r.principal, r.decision, r.outcome) for r in reversed(records)]


# 1. Anonymous secret access through an unauthenticated webhook


async def test_a_dialogflow_binding_without_a_webhook_credential_refuses_to_start(tmp_path: Path) -> None:
    settings = bench_settings(tmp_path, ["dialogflow:df-ops"])
    with pytest.raises(ConfigError, match=r"policy.yaml:\d+: binding: dialogflow user ids are chosen by the caller.*CHATOPS_DIALOGFLOW_USER"):
        async with bench(settings):
            pass


async def test_the_reproducer_is_refused_once_the_webhook_has_its_credential(tmp_path: Path) -> None:
    settings = bench_settings(tmp_path, ["dialogflow:df-ops"], dialogflow={"basic_user": "df", "basic_password": "s3cret"})
    async with bench(settings) as client:
        for body in (DF_PUT, df("confirm.yes")):
            response = await client.post("/dialogflow/webhook", json=body)
            assert response.status == 401
        assert RAN == [] and await audit(client) == []
        # DialogFlow itself, with the credential, still gets its user's role.
        asked = await (await client.post("/dialogflow/webhook", json=DF_PUT, headers=DF_AUTH)).json()
        done = await (await client.post("/dialogflow/webhook", json=df("confirm.yes"), headers=DF_AUTH)).json()
        assert "Shall I go ahead?" in asked["fulfillmentText"] and done["fulfillmentText"] == "Overwrote /development/api/key."
        assert RAN == [("sec.put", "dialogflow:df-ops")]


async def test_an_unverified_principal_never_matches_a_channel_binding(tmp_path: Path) -> None:
    """Defence in depth: a policy object handed in directly is still not fooled by a caller-chosen id."""
    settings = bench_settings(tmp_path)
    policy = Policy.load(policy_file(tmp_path, ["dialogflow:df-ops"]))
    async with bench(settings, policy=policy) as client:
        reply = await (await client.post("/dialogflow/webhook", json=DF_PUT)).json()
        assert "You are not allowed to do that" in reply["fulfillmentText"]
    assert RAN == []
    assert policy.check(Principal(id="df-ops", channel="dialogflow", verified=True), "ssm:put", "/development/x").allowed
    assert not policy.check(Principal(id="df-ops", channel="dialogflow", verified=False), "ssm:put", "/development/x").allowed


# 2. An action with no audit record


async def test_a_lone_surrogate_in_an_identity_is_a_400_on_every_channel(tmp_path: Path) -> None:
    settings = bench_settings(tmp_path)
    async with bench(settings) as client:
        rest = await client.post("/api/v1/query", data=b'{"session": "s", "text": "read the canary secret", "user": "\\ud800"}', headers=JSON)
        hook = await client.post(
            "/dialogflow/webhook", headers=JSON,
            data=json.dumps(df("sec.read", originalDetectIntentRequest={"payload": {"userId": "\ud800"}})).encode(),
        )
        spaced = await client.post("/api/v1/query", json={"session": "s", "text": "hi", "user": "alice <script>"})
        assert [r.status for r in (rest, hook, spaced)] == [400, 400, 400]
        assert "not valid Unicode" in (await rest.json())["message"]
        assert RAN == [] and await audit(client) == []


class BrokenAudit(SqliteStore):
    """A store whose audit table refuses writes (a full disk, an encoding it cannot take)."""

    async def append_audit(self, record: object) -> None:
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")


async def test_an_action_whose_record_cannot_be_written_does_not_run(tmp_path: Path) -> None:
    settings = bench_settings(tmp_path, ["*"])
    async with bench(settings, store=BrokenAudit(":memory:")) as client:
        read = await (await client.post("/api/v1/query", json={"session": "s", "text": "read the canary secret"})).json()
        put = await (await client.post("/api/v1/query", json={"session": "s2", "text": "overwrite the canary"})).json()
    assert read["fulfillmentText"] == NOT_RECORDED and put["fulfillmentText"] == NOT_RECORDED
    assert RAN == []


async def test_denied_attempts_and_outcomes_are_recorded_before_and_after_acting(tmp_path: Path) -> None:
    settings = bench_settings(tmp_path, ["*"])
    async with bench(settings) as client:
        await client.post("/api/v1/query", json={"session": "s", "text": "read the canary secret"}, headers={"X-Request-Id": "req-read-1"})
        denied = await client.post(
            "/dialogflow/webhook", json=df("sec.read", queryResult={"action": "sec.read", "parameters": {"path": "/production/db"}})
        )
        assert "not allowed" in (await denied.json())["fulfillmentText"]
        records = await client.server.app[RUNTIME].runtime.store.query_audit(action="sec.read")
    rows = [(r.principal, r.decision, r.outcome, r.request_id) for r in reversed(records)]
    assert rows[:2] == [("web:anonymous", "allowed", "started", "req-read-1"), ("web:anonymous", "allowed", "ok", "req-read-1")]
    assert rows[2][:2] == ("dialogflow:df-ops", "denied") and rows[2][3]
    assert RAN == [("sec.read", "web:anonymous")]


# 3. A secret stored in clear


async def test_secret_context_parameters_are_sealed_in_the_store_and_not_echoed(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    settings = with_group(bench_settings(tmp_path, ["*"]), "store", url=f"sqlite:///{db}")
    body = df(
        "sec.read",
        queryResult={
            "action": "sec.read", "parameters": {"path": "/development/x"},
            "outputContexts": [{"name": "projects/p/agent/sessions/x/contexts/put-followup", "lifespanCount": 2,
                                "parameters": {"value": CANARY, "path": "/development/x"}}],
        },
    )
    async with bench(settings) as client:
        response = await (await client.post("/dialogflow/webhook", json=body)).json()
    stored = sqlite3.connect(db).execute("SELECT doc FROM sessions").fetchall()
    assert stored and all(CANARY not in row[0] for row in stored)
    assert "$sealed" in stored[0][0]
    [context] = [c for c in response["outputContexts"] if c["name"].endswith("/put-followup")]
    assert context["parameters"] == {"path": "/development/x"}
    assert CANARY not in json.dumps(response)


# 4. Confirmations by someone else


async def test_a_pending_confirmation_belongs_to_the_token_that_asked(tmp_path: Path) -> None:
    settings = bench_settings(tmp_path, ["*"], server={"api_tokens": ("token-ana", "token-eve")})
    ana, eve = {"Authorization": "Bearer token-ana"}, {"Authorization": "Bearer token-eve"}
    async with bench(settings) as client:

        async def say(text: str, headers: dict[str, str], request_id: str) -> str:
            body = {"session": "shared", "text": text, "user": "ana"}
            response = await client.post("/api/v1/query", json=body, headers={**headers, "X-Request-Id": request_id})
            return (await response.json())["fulfillmentText"]

        assert "Shall I go ahead?" in await say("overwrite the canary", ana, "req-ask")
        assert await say("yes", eve, "req-eve-yes") == "Only the person who asked for this can confirm it."
        assert await say("no", eve, "req-eve-no") == "Only the person who asked for this can confirm it."
        assert RAN == []
        assert await say("yes", ana, "req-ana-yes") == "Overwrote /development/canary."
        records = await client.server.app[RUNTIME].runtime.store.query_audit(action="sec.put")
    ana_identity = Principal(id="ana", channel="web", token="token-ana").identity
    assert [(r.principal, r.decision, r.request_id) for r in reversed(records)] == [
        (ana_identity, "pending-confirmation", "req-ask"), (ana_identity, "confirmed", "req-ana-yes"),
        (ana_identity, "confirmed", "req-ana-yes"),
    ]
    assert ana_identity.startswith("web:ana#token-sha256:") and "token-ana" not in ana_identity


# 5. 5xx on bad input


DEEP = b"[" * 100_000 + b"]" * 100_000


async def test_deep_json_is_a_400_on_all_three_endpoints(tmp_path: Path) -> None:
    async with FakeSlack(workspace=joined_workspace()) as slack, bench(slack_settings(bench_settings(tmp_path), slack)) as client:
        rest = await client.post("/api/v1/query", data=DEEP, headers=JSON)
        hook = await client.post("/dialogflow/webhook", data=DEEP, headers=JSON)
        nested = json.dumps({"session": "s", "text": "hi", "parameters": {"a": json.loads("[" * 40 + "]" * 40)}}).encode()
        shallow = await client.post("/api/v1/query", data=nested, headers=JSON)
        status, _ = await post_raw(client, DEEP, signed(DEEP, content_type="application/json"))
    assert [rest.status, hook.status, shallow.status, status] == [400, 400, 400, 400]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b["event"].pop("channel"),
        lambda b: b["event"].pop("ts"),
        lambda b: b["event"].update(files="x"),
        lambda b: b["event"].update(files=[1]),
        lambda b: b["event"].update(user=1e308),
        lambda b: b.update(event=[]),
    ],
    ids=["no-channel", "no-ts", "files-string", "files-int", "user-float", "event-list"],
)
async def test_malformed_signed_events_are_a_400(tmp_path: Path, mutate: object) -> None:
    body = event(event_id="Ev-bad")
    mutate(body)  # type: ignore[operator]
    async with FakeSlack(workspace=joined_workspace()) as slack, bench(slack_settings(bench_settings(tmp_path), slack)) as client:
        status, text = await post_event(client, body)
    assert status == 400 and json.loads(text)["error"] == "bad_request"


@pytest.mark.parametrize(
    "change",
    [{"user": 1e308}, {"user": {"id": 1e308}}, {"actions": [{"type": "button"}]}, {"actions": "x"}, {"container": "x"}],
    ids=["user-float", "user-id-float", "no-action-id", "actions-string", "container-string"],
)
async def test_malformed_signed_clicks_are_a_400(tmp_path: Path, change: dict[str, object]) -> None:
    from tests.channels.slack_support import payload

    body = {**payload("block_actions.json"), **change}
    raw = ("payload=" + json.dumps(body).replace("%", "%25").replace("&", "%26").replace("+", "%2B")).encode()
    async with FakeSlack(workspace=joined_workspace()) as slack, bench(slack_settings(bench_settings(tmp_path), slack)) as client:
        status, _ = await post_raw(client, raw, signed(raw, content_type="application/x-www-form-urlencoded"))
    assert status == 400


async def test_a_body_without_an_event_id_is_handled_once(tmp_path: Path) -> None:
    body = event(event_id="Ev-none", text="<@UBOT> tell me a joke")
    del body["event_id"]
    async with FakeSlack(workspace=joined_workspace()) as slack, bench(slack_settings(bench_settings(tmp_path), slack)) as client:
        first, _ = await post_event(client, body)
        retry, _ = await post_event(client, body, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
        [posted] = await slack.wait_for("chat.postMessage")
        time.sleep(0.3)
    assert first == retry == 200
    assert len(slack.called("chat.postMessage")) == 1 and "light attracts bugs" in posted.args["text"]


# 6. Store stalls


def hold_exclusive_lock(db: Path, seconds: float, held: threading.Event) -> None:
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    held.set()
    time.sleep(seconds)
    other.execute("ROLLBACK")
    other.close()


async def test_a_locked_store_answers_503_within_its_timeout_and_readiness_sees_it(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    settings = with_group(bench_settings(tmp_path), "store", url=f"sqlite:///{db}", timeout_seconds=1.0)
    async with bench(settings) as client:
        assert (await client.get("/readyz")).status == 200
        held = threading.Event()
        locker = threading.Thread(target=hold_exclusive_lock, args=(db, 7.0, held))
        locker.start()
        held.wait()
        answers, took = [], []
        for i in range(2):
            started = time.monotonic()
            answers.append(await client.post("/api/v1/query", json={"session": f"s{i}", "text": "tell me a joke"}))
            took.append(time.monotonic() - started)
        ready = await client.get("/readyz")
        locker.join()
        assert (await client.get("/readyz")).status == 200
    assert [a.status for a in answers] == [503, 503] and ready.status == 503
    # A turn makes two writes (its audit record, its session), each bounded by the 1 s timeout.
    assert max(took) < 2 * 1.0 + 0.8, f"turns took {took} against a 1s store timeout"


async def test_queued_sqlite_calls_give_up_at_the_timeout(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    store = SqliteStore(str(db), timeout=0.5)
    await store.open()
    held = threading.Event()
    locker = threading.Thread(target=hold_exclusive_lock, args=(db, 2.0, held))
    locker.start()
    held.wait()
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            await store.ping()
        assert time.monotonic() - started < 1.5
    finally:
        locker.join()
        await store.close()


# 7. Browser-facing headers


async def test_the_page_and_the_api_carry_browser_protections(tmp_path: Path) -> None:
    settings = with_group(bench_settings(tmp_path), "observability", metrics_token="scrape-me")
    async with bench(settings) as client:
        page = await client.get("/")
        plain = await client.post("/api/v1/query", data=b'{"session": "s", "text": "hi"}', headers={"Content-Type": "text/plain"})
        form = await client.post("/dialogflow/webhook", data=b'{"queryResult": {}}', headers={"Content-Type": "application/x-www-form-urlencoded"})
        metrics_open = await client.get("/metrics")
        metrics_ok = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        refusal = await plain.json()
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "script-src 'self'" in policy and "unsafe-eval" not in policy
    assert plain.status == 415 and form.status == 415 and refusal["error"] == "unsupported_media_type"
    assert metrics_open.status == 401 and metrics_ok.status == 200
    for response in (page, plain, metrics_ok):
        assert response.headers["Server"] == "chatops" and response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in plain.headers["Content-Security-Policy"]


# 8. Example policy and unsafe combinations


def test_the_example_widget_token_changes_nothing_and_a_changing_grant_is_warned_about(tmp_path: Path) -> None:
    example = Policy.load(Path(__file__).parents[2] / "deploy" / "policy.example.yaml")
    changing = ["ssm:put", "certs:rotate", "velero:migrate"]
    settings = load_settings(env={"CHATOPS_WIDGET_TOKENS": "example-widget-token"})
    assert [w for w in exposure.warnings(settings, example, changing) if "widget token" in w] == []
    greedy = Policy.load(policy_file(tmp_path, ["token:example-widget-token"]))
    [warning] = [w for w in exposure.warnings(settings, greedy, changing) if "widget token" in w]
    assert "ssm:put" in warning and "example-widget-token" not in warning


def test_a_public_address_without_credentials_is_warned_about() -> None:
    settings = load_settings(env={"CHATOPS_HOST": "0.0.0.0"})
    found = exposure.warnings(settings, Policy.deny_all_infrastructure(), [])
    assert any("CHATOPS_API_TOKENS" in w for w in found) and any("CHATOPS_METRICS_TOKEN" in w for w in found)
    assert any("CHATOPS_DIALOGFLOW_USER" in w for w in found)
    assert exposure.warnings(load_settings(env={}), Policy.deny_all_infrastructure(), []) == []
