"""Slack replies: confirmations as buttons, visibility, images, quick replies, notifications, Socket Mode."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from chatops.channels import texts
from chatops.channels.slack_render import SlackTarget
from chatops.config import Settings
from chatops.fulfillment.prematched import STALE_CONFIRMATION
from chatops.models import Reply, Visibility
from chatops.server_keys import RUNTIME
from tests.channels.channel_table import tiny_png
from tests.channels.slack_support import CHANNEL, USER, click, event, payload, post_event, post_form, settled, slack_settings
from tests.channels.support import serve
from tests.fakes.slack import APP_TOKEN, FakeSlack

THREAD = "1700000001.000100"


def confirmation_value(posted: Any) -> dict[str, Any]:
    actions = [b for b in posted.args["blocks"] if b.get("block_id") == "chatops_confirmation"]
    [confirm, cancel] = actions[0]["elements"]
    assert (confirm["action_id"], confirm["style"], cancel["action_id"], cancel["style"]) == (
        "chatops_confirm", "primary", "chatops_cancel", "danger",
    )
    return json.loads(confirm["value"])


async def ask_restart(client: Any, fake: FakeSlack) -> tuple[dict[str, Any], str]:
    """The question's button value, and its ts (which a click on it carries)."""
    await post_event(client, event(text="<@UBOT> restart the web server"))
    [question] = await fake.wait_for("chat.postMessage")
    await settled(client)
    return confirmation_value(question), question.answer["ts"]


async def test_only_the_requester_can_confirm_and_the_question_is_replaced(settings: Settings, fake_slack: FakeSlack) -> None:
    async with serve(slack_settings(settings, fake_slack)) as client:
        value, question = await ask_restart(client, fake_slack)
        assert value["session"] == f"slack:{CHANNEL}:{THREAD}:{USER}"
        status, _ = await post_form(client, click("chatops_confirm", value, user="U999", message_ts=question))
        assert status == 200
        [refused] = await fake_slack.wait_for("chat.postEphemeral")
        await settled(client)
        assert fake_slack.called("chat.update") == []
        await post_form(client, click("chatops_confirm", value, message_ts=question))
        [updated] = await fake_slack.wait_for("chat.update")
        await settled(client)
        audit = await client.server.app[RUNTIME].runtime.store.query_audit(action="test.restart")
    assert refused.args["user"] == "U999" and refused.args["text"] == texts.SLACK_ONLY_REQUESTER
    assert updated.args["channel"] == CHANNEL and updated.args["ts"] == question and updated.answer["ok"]
    assert updated.args["text"] == "Confirmed by <@U123>. Restarted everything."
    assert all(b.get("block_id") != "chatops_confirmation" for b in updated.args["blocks"])
    assert [(r.decision, r.outcome) for r in reversed(audit)] == [("pending-confirmation", "asked"), ("confirmed", "started"), ("confirmed", "ok")]


async def test_cancel_replaces_the_question_and_runs_nothing(settings: Settings, fake_slack: FakeSlack) -> None:
    async with serve(slack_settings(settings, fake_slack)) as client:
        value, question = await ask_restart(client, fake_slack)
        await post_form(client, click("chatops_cancel", value, message_ts=question))
        [updated] = await fake_slack.wait_for("chat.update")
        await settled(client)
        # The same buttons clicked again answer a question that is no longer pending.
        await post_form(client, click("chatops_confirm", value, message_ts=question))
        [_, again] = await fake_slack.wait_for("chat.update", count=2)
        audit = await client.server.app[RUNTIME].runtime.store.query_audit(action="test.restart")
    assert updated.args["text"].startswith("Cancelled by <@U123>.")
    assert again.args["text"] == f"{texts.SLACK_STALE} {STALE_CONFIRMATION}"
    assert "confirmed" not in [r.decision for r in audit]


async def test_ephemeral_replies_reach_only_the_asker_with_their_email(settings: Settings, fake_slack: FakeSlack) -> None:
    async with serve(slack_settings(settings, fake_slack)) as client:
        await post_event(client, event(text="<@UBOT> who am i"))
        [private] = await fake_slack.wait_for("chat.postEphemeral")
        await settled(client)
    assert private.args["user"] == USER and private.args["channel"] == CHANNEL and private.args["thread_ts"] == THREAD
    assert private.args["text"] == f"You are {USER} (alice@example.com) in {CHANNEL}"
    assert fake_slack.called("chat.postMessage") == []


async def test_secret_replies_never_reach_the_channel(settings: Settings, fake_slack: FakeSlack) -> None:
    async with serve(slack_settings(settings, fake_slack)) as client:
        await post_event(client, event(text="<@UBOT> what is the password"))
        [private] = await fake_slack.wait_for("chat.postEphemeral")
        await settled(client)
    assert private.args["user"] == USER and "hunter2" in private.args["text"]
    public = [c for c in fake_slack.calls if c.method in ("chat.postMessage", "chat.update")]
    assert public == []


async def test_an_image_is_uploaded_to_the_thread_with_files_upload_v2(settings: Settings, fake_slack: FakeSlack) -> None:
    async with serve(slack_settings(settings, fake_slack)) as client:
        await post_event(client, event(text="<@UBOT> show the price chart"))
        [completed] = await fake_slack.wait_for("files.completeUploadExternal")
        await settled(client)
    [asked] = fake_slack.called("files.getUploadURLExternal")
    assert asked.args["filename"] == "price-chart.png" and int(asked.args["length"]) == len(tiny_png())
    assert [u.data for u in fake_slack.uploads] == [tiny_png()]
    assert completed.args["channel_id"] == CHANNEL and completed.args["thread_ts"] == THREAD
    assert json.loads(completed.args["files"])[0]["title"] == "price chart"
    assert fake_slack.called("chat.postMessage")[0].args["text"] == "Here is the price chart."


async def test_a_quick_reply_click_continues_the_thread(settings: Settings, fake_slack: FakeSlack) -> None:
    async with serve(slack_settings(settings, fake_slack)) as client:
        await post_event(client, event())
        [joke] = await fake_slack.wait_for("chat.postMessage")
        await settled(client)
        button = [b for b in joke.args["blocks"] if b["type"] == "actions"][0]["elements"][0]
        await post_form(client, click(button["action_id"], json.loads(button["value"])))
        [_, another] = await fake_slack.wait_for("chat.postMessage", count=2)
        await settled(client)
    assert another.args["thread_ts"] == THREAD
    assert another.args["text"] == "I would tell you a UDP joke, but you might not get it."


async def test_notifications_outside_a_turn_go_to_the_thread(settings: Settings, fake_slack: FakeSlack) -> None:
    target = SlackTarget(CHANNEL, THREAD, USER)
    async with serve(slack_settings(settings, fake_slack)) as client:
        conversation = client.server.app[RUNTIME].runtime.conversation
        await conversation.notify(target.session, Reply(text="Migration finished."))
        await conversation.notify(target.session, Reply(text="Only for you.", visibility=Visibility.EPHEMERAL))
        await conversation.notify("web:other", Reply(text="Not for Slack."))
    [public] = fake_slack.called("chat.postMessage")
    [private] = fake_slack.called("chat.postEphemeral")
    assert (public.args["channel"], public.args["thread_ts"], public.args["text"]) == (CHANNEL, THREAD, "Migration finished.")
    assert (private.args["user"], private.args["text"]) == (USER, "Only for you.")


async def test_socket_mode_receives_events_and_acknowledges_them(settings: Settings, fake_slack: FakeSlack) -> None:
    config = slack_settings(settings, fake_slack, socket_mode=True, app_token=APP_TOKEN, signing_secret="")
    async with serve(config) as client:
        async with client.post("/slack/events", data=b"{}") as resp:
            assert resp.status == 404  # no HTTP endpoint in Socket Mode
        await fake_slack.push_envelope(
            {"envelope_id": "env-1", "type": "events_api", "accepts_response_payload": False,
             "retry_attempt": 0, "retry_reason": "", "payload": payload("app_mention.json")}
        )
        [posted] = await fake_slack.wait_for("chat.postMessage", timeout=10.0)
        await fake_slack.wait_until(lambda: any(a.get("envelope_id") == "env-1" for a in fake_slack.acks))
        await settled(client)
    assert fake_slack.called("apps.connections.open")[0].token == APP_TOKEN
    assert posted.args["thread_ts"] == THREAD and posted.args["text"].startswith("Why do programmers")


async def test_a_failing_slack_post_is_logged_not_raised(settings: Settings, fake_slack: FakeSlack, caplog: Any) -> None:
    fake_slack.fail["chat.postMessage"] = "not_in_channel"
    fake_slack.refusals_expected = True
    async with serve(slack_settings(settings, fake_slack)) as client:
        await post_event(client, event())
        await fake_slack.wait_for("chat.postMessage")
        await settled(client)
        await asyncio.sleep(0.05)
    assert "not_in_channel" in caplog.text
