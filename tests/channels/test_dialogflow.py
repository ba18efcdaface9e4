"""The DialogFlow fulfillment webhook through the real app: v1 and v2 bodies, rendering, deadline, auth."""

from __future__ import annotations

import base64
import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from chatops.channels import texts
from chatops.config import Settings
from chatops.fulfillment import texts as fulfillment_texts
from chatops.server_keys import RUNTIME
from tests.channels.support import serve, with_group

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads" / "dialogflow"
V2_SESSION = "projects/your-agents-project-id/agent/sessions/88d13aa8-2999-4f71-b233-39cbf3a824a0"
AGENT_TEXT = "Text defined in Dialogflow's console for the intent that was matched"


def payload(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / name).read_text())


def v2_body(action: str, *, session: str = "projects/p/agent/sessions/s1", user: str | None = None,
            contexts: list[dict[str, Any]] | None = None, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "session": session,
        "queryResult": {
            "queryText": "something", "action": action, "parameters": parameters or {},
            "outputContexts": contexts or [], "intent": {"displayName": action}, "languageCode": "en",
        },
    }
    if user:
        body["originalDetectIntentRequest"] = {"source": "google", "payload": {"user": {"userId": user}}}
    return body


async def post(client: TestClient, body: Any, **headers: str) -> tuple[int, dict[str, Any]]:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    async with client.post("/dialogflow/webhook", data=data, headers={"Content-Type": "application/json", **headers}) as resp:
        assert resp.content_type == "application/json"
        return resp.status, await resp.json()


async def test_google_v2_sample_answers_in_v2(settings: Settings) -> None:
    async with serve(settings) as client:
        status, answer = await post(client, payload("v2_request_google_sample.json"))
    assert status == 200
    # The sample has no action, so it dispatches by the intent's display name.
    assert answer["fulfillmentText"] == (
        "Handled Matched Intent Name with param=param value for 88d13aa8-2999-4f71-b233-39cbf3a824a0; contexts: generic"
    )
    assert answer["fulfillmentMessages"] == [{"text": {"text": [answer["fulfillmentText"]]}}]
    assert answer["outputContexts"] == [
        {"name": f"{V2_SESSION}/contexts/generic", "lifespanCount": 5, "parameters": {"param": "param value"}},
        {"name": f"{V2_SESSION}/contexts/sample-done", "lifespanCount": 3, "parameters": {"param": "param value"}},
    ]
    assert "speech" not in answer and "followupEventInput" not in answer


async def test_google_v1_sample_answers_in_v1(settings: Settings) -> None:
    async with serve(settings) as client:
        status, answer = await post(client, payload("v1_request_google_sample.json"))
    assert status == 200
    expected = "Handled Matched Dialogflow intent action name with param=param value for 1515191296300; contexts: incoming context name"
    assert answer["speech"] == answer["displayText"] == expected
    assert answer["messages"] == [{"type": 0, "speech": expected}]
    # The incoming context had lifespan 0: seen by the handler for this turn, not carried on.
    assert answer["contextOut"] == [{"name": "sample-done", "lifespan": 3, "parameters": {"param": "param value"}}]
    assert "fulfillmentText" not in answer and "outputContexts" not in answer


async def test_without_a_handler_the_agents_own_text_answers(settings: Settings) -> None:
    body = payload("v2_request_google_sample.json")
    body["queryResult"]["intent"]["displayName"] = "Unknown Intent"
    v1 = payload("v1_request_google_sample.json")
    v1["result"]["action"] = "unknown.action"
    async with serve(settings) as client:
        _, answer = await post(client, body)
        _, legacy = await post(client, v1)
    assert answer["fulfillmentText"] == AGENT_TEXT
    assert legacy["speech"] == AGENT_TEXT


async def test_omitted_fields_and_wrong_containers_are_tolerated(settings: Settings) -> None:
    async with serve(settings) as client:
        status, answer = await post(client, payload("v2_request_minimal.json"))
    assert status == 200
    assert answer["fulfillmentText"].startswith("Why do programmers")
    assert {"quickReplies": {"title": "More?", "quickReplies": ["another one", "tell me a fact"]}} in answer["fulfillmentMessages"]
    # A context without lifespanCount lives for this turn only; the reply's context comes back with its full name.
    assert answer["outputContexts"] == [
        {"name": "projects/p/agent/sessions/minimal-session/contexts/joke-followup", "lifespanCount": 2, "parameters": {}}
    ]


async def test_context_names_compare_without_case(settings: Settings) -> None:
    body = payload("v2_request_google_sample.json")
    body["queryResult"]["outputContexts"][0]["name"] = f"{V2_SESSION}/contexts/GENERIC"
    body["queryResult"]["outputContexts"].append({"name": f"{V2_SESSION}/contexts/Sample-Done", "lifespanCount": 1, "parameters": {"old": 1}})
    async with serve(settings) as client:
        _, answer = await post(client, body)
    assert answer["fulfillmentText"].endswith("contexts: generic,sample-done")
    # The reply's "sample-done" overrides the request's one of another case, keeping its other parameters.
    assert answer["outputContexts"][1] == {
        "name": f"{V2_SESSION}/contexts/sample-done", "lifespanCount": 3, "parameters": {"old": 1, "param": "param value"},
    }


@pytest.mark.parametrize("body", [b"not json", b"", b"[1, 2]", b'{"session": "s"}', b'{"queryResult": "text"}'])
async def test_a_body_that_is_not_a_webhook_request_gets_400(settings: Settings, body: bytes) -> None:
    async with serve(settings) as client:
        status, answer = await post(client, body)
    assert status == 400
    assert answer["error"] == "bad_request" and answer["message"]


async def test_a_failing_handler_still_gets_200_and_a_readable_text(settings: Settings) -> None:
    async with serve(settings) as client:
        status, answer = await post(client, v2_body("test.crash"))
    assert status == 200
    assert answer["fulfillmentText"] == fulfillment_texts.HANDLER_FAILED.format(action="test.crash")
    assert "xyzzy" not in json.dumps(answer)


async def test_a_secret_reply_is_withheld(settings: Settings) -> None:
    async with serve(settings) as client:
        _, answer = await post(client, v2_body("test.secret"))
    assert answer["fulfillmentText"] == texts.SECRET_ELSEWHERE
    assert "hunter2" not in json.dumps(answer)


async def test_a_followup_event_is_returned_in_each_version(settings: Settings) -> None:
    v1 = payload("v1_request_google_sample.json")
    v1["result"]["action"] = "test.followup"
    async with serve(settings) as client:
        _, answer = await post(client, v2_body("test.followup"))
        _, legacy = await post(client, v1)
    assert answer["followupEventInput"] == {"name": "custom-event", "languageCode": "en", "parameters": {"level": 2}}
    assert legacy["followupEvent"]["name"] == "custom-event"
    assert legacy["followupEvent"]["data"] == {"level": 2}


async def test_confirmation_round_trip_only_for_the_requester(settings: Settings) -> None:
    session = "projects/p/agent/sessions/confirm"
    async with serve(settings) as client:
        _, asked = await post(client, v2_body("test.restart", session=session, user="alice"))
        awaiting = [c for c in asked["outputContexts"] if c["name"].endswith("/contexts/awaiting-confirmation")]
        assert awaiting and awaiting[0]["lifespanCount"] == 2
        assert {"quickReplies": {"title": fulfillment_texts.CONFIRM_QUESTION, "quickReplies": ["yes", "no"]}} in asked["fulfillmentMessages"]
        _, intruder = await post(client, v2_body("confirm.yes", session=session, user="mallory", contexts=awaiting))
        _, confirmed = await post(client, v2_body("confirm.yes", session=session, user="alice", contexts=awaiting))
        audit = await client.server.app[RUNTIME].runtime.store.query_audit(action="test.restart")
    assert intruder["fulfillmentText"] == fulfillment_texts.ONLY_REQUESTER
    assert confirmed["fulfillmentText"] == "Restarted everything."
    assert [(r.principal, r.decision, r.outcome) for r in reversed(audit)] == [
        ("dialogflow:alice", "pending-confirmation", "asked"), ("dialogflow:alice", "confirmed", "started"), ("dialogflow:alice", "confirmed", "ok")
    ]


async def test_past_the_deadline_the_user_hears_im_on_it_and_gets_the_result_next_turn(settings: Settings) -> None:
    settings = with_group(settings, "dialogflow", deadline_seconds=0.3)
    session = "projects/p/agent/sessions/slow"
    async with serve(settings) as client:
        started = time.monotonic()
        _, first = await post(client, v2_body("test.slow", session=session, parameters={"seconds": 1.0}))
        assert time.monotonic() - started < 0.9
        assert first["fulfillmentText"] == texts.ON_IT
        tasks = client.server.app[RUNTIME].runtime.tasks
        assert len(tasks) == 1
        await tasks.drain(timeout=3.0)
        _, second = await post(client, v2_body("test.joke", session=session))
    lines = second["fulfillmentText"].split("\n")
    assert lines[0] == "Slow work finished after 1.0s."
    assert lines[1].startswith("Why do programmers")


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def _audit_count(client: TestClient) -> int:
    return len(await client.server.app[RUNTIME].runtime.store.query_audit())


async def test_basic_auth_is_required_when_configured(settings: Settings) -> None:
    settings = with_group(settings, "dialogflow", basic_user="df", basic_password="s3cret")
    async with serve(settings) as client:
        for headers in ({}, {"Authorization": basic("df", "wrong")}, {"Authorization": "Basic !!!"}, {"Authorization": "Bearer s3cret"}):
            status, answer = await post(client, v2_body("test.joke"), **headers)
            assert status == 401 and answer["message"] == texts.UNAUTHORIZED
        assert await _audit_count(client) == 0
        status, answer = await post(client, v2_body("test.joke"), Authorization=basic("df", "s3cret"))
        assert status == 200 and answer["fulfillmentText"].startswith("Why")
        assert await _audit_count(client) == 1


async def test_a_shared_header_token_is_required_when_configured(settings: Settings) -> None:
    settings = with_group(settings, "dialogflow", header_name="X-Chatops-Token", header_value="tok-123")
    async with serve(settings) as client:
        status, _ = await post(client, v2_body("test.joke"), **{"X-Chatops-Token": "tok-12"})
        assert status == 401
        assert await _audit_count(client) == 0
        status, _ = await post(client, v2_body("test.joke"), **{"x-chatops-token": "tok-123"})
        assert status == 200


async def test_either_credential_passes_when_both_are_configured(settings: Settings) -> None:
    settings = with_group(settings, "dialogflow", basic_user="df", basic_password="pw", header_name="X-Key", header_value="k")
    async with serve(settings) as client:
        assert (await post(client, v2_body("test.joke"), Authorization=basic("df", "pw")))[0] == 200
        assert (await post(client, v2_body("test.joke"), **{"X-Key": "k"}))[0] == 200
        assert (await post(client, v2_body("test.joke")))[0] == 401


async def test_the_v1_translation_keeps_rich_parts(settings: Settings) -> None:
    v1 = payload("v1_request_google_sample.json")
    v1["result"]["action"] = "test.fact"
    async with serve(settings) as client:
        _, legacy = await post(client, v1)
    assert legacy["speech"] == "Octopuses have three hearts."
    card = legacy["messages"][1]
    assert card["type"] == 1 and card["title"] == "Octopus" and card["subtitle"] == "Cephalopod"
    assert card["buttons"] == [{"text": "Read more", "postback": "https://example.invalid/octopus"}]


async def test_requests_are_not_shared_between_sessions(settings: Settings) -> None:
    first = copy.deepcopy(v2_body("test.restart", session="projects/p/agent/sessions/a", user="alice"))
    async with serve(settings) as client:
        await post(client, first)
        _, other = await post(client, v2_body("confirm.yes", session="projects/p/agent/sessions/b", user="alice"))
    assert other["fulfillmentText"] == fulfillment_texts.NOTHING_TO_CONFIRM
