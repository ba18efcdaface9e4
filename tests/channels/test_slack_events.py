"""Slack events through the real app: signed bodies in, calls on the fake Slack Web API out."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from chatops.channels import texts
from chatops.channels.slack import PATH
from chatops.config import Settings
from chatops.errors import ConfigError
from chatops.server import create_app
from tests.channels.slack_support import (
    CHANNEL,
    USER,
    command,
    event,
    post_event,
    post_form,
    post_raw,
    settled,
    signed,
    slack_settings,
)
from tests.channels.support import serve, with_group
from tests.fakes.slack import BOT_ID, BOT_USER, FakeSlack

MENTION_TS = "1700000001.000100"


async def test_a_signed_mention_gets_a_threaded_reply(settings: Settings, fake_slack: FakeSlack) -> None:
    async with serve(slack_settings(settings, fake_slack)) as client:
        started = time.monotonic()
        status, _ = await post_event(client, event())
        assert status == 200
        assert time.monotonic() - started < 1.0  # acknowledged at once, the turn runs afterwards
        [posted] = await fake_slack.wait_for("chat.postMessage")
    assert posted.args["channel"] == CHANNEL
    assert posted.args["thread_ts"] == MENTION_TS
    assert posted.args["text"].startswith("Why do programmers prefer dark mode?")
    assert posted.token.startswith("xoxb-")
    buttons = [b for b in json.loads(json.dumps(posted.args["blocks"])) if b["type"] == "actions"][0]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["another one", "tell me a fact"]
    # The Slack user became the principal, with the email Slack knows.
    assert fake_slack.called("users.info")[0].args["user"] == USER


async def test_a_retried_delivery_produces_no_second_reply(settings: Settings, fake_slack: FakeSlack) -> None:
    async with serve(slack_settings(settings, fake_slack)) as client:
        await post_event(client, event())
        await fake_slack.wait_for("chat.postMessage")
        status, _ = await post_event(client, event(), **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
        assert status == 200
        await settled(client)
        await post_event(client, event(event_id="Ev0099", text="<@UBOT> tell me a fact"))
        await fake_slack.wait_for("chat.postMessage", count=2)
        await settled(client)
    texts_posted = [c.args["text"] for c in fake_slack.called("chat.postMessage")]
    assert len(texts_posted) == 2 and texts_posted[1] == "Octopuses have three hearts."


async def test_two_replicas_sharing_a_store_answer_once(settings: Settings, fake_slack: FakeSlack, tmp_path: Path) -> None:
    shared = with_group(slack_settings(settings, fake_slack), "store", url=f"sqlite:///{tmp_path / 'shared.db'}")
    async with serve(shared) as first, serve(shared) as second:
        statuses = await asyncio.gather(post_event(first, event()), post_event(second, event()))
        assert [s for s, _ in statuses] == [200, 200]
        await fake_slack.wait_for("chat.postMessage")
        await settled(first)
        await settled(second)
    assert len(fake_slack.called("chat.postMessage")) == 1


@pytest.mark.parametrize("how", ["forged", "stale", "missing"])
async def test_a_bad_signature_gets_401_and_nothing_runs(settings: Settings, fake_slack: FakeSlack, how: str) -> None:
    raw = json.dumps(event()).encode()
    headers = {
        "forged": signed(raw, secret="not-the-secret", content_type="application/json"),
        "stale": signed(raw, timestamp=int(time.time()) - 6 * 60, content_type="application/json"),
        "missing": {"Content-Type": "application/json"},
    }[how]
    async with serve(slack_settings(settings, fake_slack)) as client:
        status, _ = await post_raw(client, raw, headers)
        await settled(client)
        await asyncio.sleep(0.1)
    assert status == 401
    assert fake_slack.calls == []


@pytest.mark.parametrize(
    "fields",
    [
        {"bot_id": "B999", "text": "<@UBOT> tell me a joke"},
        {"user": BOT_USER, "bot_id": BOT_ID, "text": "<@UBOT> tell me a joke"},
        {"subtype": "bot_message", "text": "<@UBOT> tell me a joke"},
    ],
)
async def test_bots_are_ignored(settings: Settings, fake_slack: FakeSlack, fields: dict[str, str]) -> None:
    async with serve(slack_settings(settings, fake_slack)) as client:
        status, _ = await post_event(client, event(**fields))
        dm_status, _ = await post_event(client, event("message_im.json", event_id="Ev0003", **fields))
        await settled(client)
        await asyncio.sleep(0.1)
    assert status == dm_status == 200
    assert [c.method for c in fake_slack.calls if c.method.startswith("chat.")] == []


async def test_a_direct_message_is_answered_in_the_conversation(settings: Settings, fake_slack: FakeSlack) -> None:
    async with serve(slack_settings(settings, fake_slack)) as client:
        await post_event(client, event("message_im.json", event_id="Ev0002"))
        [posted] = await fake_slack.wait_for("chat.postMessage")
    assert posted.args["channel"] == "D0123"
    assert "thread_ts" not in posted.args
    assert posted.args["text"].startswith("Why do programmers")


async def test_the_slash_command_is_acknowledged_then_answered_through_its_response_url(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    link = fake_slack.response_url(CHANNEL, USER)
    async with serve(slack_settings(settings, fake_slack)) as client:
        status, body = await post_form(client, command("tell me a fact", response_url=link))
        assert status == 200 and body == ""
        [posted] = await fake_slack.wait_for_responses()
        status, body = await post_form(client, command("   "))
    assert (posted.status, posted.body["response_type"]) == (200, "in_channel") and "thread_ts" not in posted.body
    assert posted.body["text"] == "Octopuses have three hearts."
    assert fake_slack.called("chat.postMessage") == []
    assert status == 200 and body == texts.SLACK_EMPTY  # bolt answers a text-only ack as plain text


async def test_other_subscribed_events_are_acknowledged_and_ignored(settings: Settings, fake_slack: FakeSlack) -> None:
    body = event(event_id="Ev0050")
    body["event"] = {"type": "reaction_added", "user": USER, "reaction": "tada", "item": {"type": "message", "channel": CHANNEL}}
    async with serve(slack_settings(settings, fake_slack)) as client:
        status, _ = await post_event(client, body)
        await settled(client)
    assert status == 200
    assert [c.method for c in fake_slack.calls if c.method != "auth.test"] == []


async def test_url_verification_answers_the_challenge(settings: Settings, fake_slack: FakeSlack) -> None:
    body = {"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"}
    async with serve(slack_settings(settings, fake_slack)) as client:
        status, text = await post_event(client, body)
    assert status == 200 and json.loads(text)["challenge"] == body["challenge"]


async def test_slack_stays_unmounted_without_a_bot_token(settings: Settings) -> None:
    async with serve(settings) as client:
        async with client.post(PATH, data=b"{}") as resp:
            assert resp.status == 404


@pytest.mark.parametrize(
    "values, problem",
    [
        ({"api_base_url": "http://127.0.0.1:1/api"}, "must end with '/'"),
        ({"signing_secret": ""}, "signing secret"),
        ({"socket_mode": True, "app_token": ""}, "app-level token"),
    ],
)
def test_misconfiguration_is_reported_when_the_app_is_built(
    settings: Settings, fake_slack: FakeSlack, values: dict[str, object], problem: str
) -> None:
    with pytest.raises(ConfigError, match=problem):
        create_app(slack_settings(settings, fake_slack, **values))
