"""/chatops and button clicks answered through their response_url, where the bot is not a member, on the strict fake Slack."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from chatops.channels import texts
from chatops.channels.slack_render import SlackTarget
from chatops.channels.slack_respond import LIFETIME_SECONDS, USES, ResponseUrl
from chatops.config import Settings
from chatops.models import Reply
from chatops.server_keys import RUNTIME
from tests.channels.channel_table import tiny_png
from tests.channels.slack_support import DM, OTHER, USER, click, command, post_form, settled, slack_settings
from tests.channels.support import serve
from tests.fakes.slack import FakeSlack

OUTSIDE = "C0OUT"  # a channel alice is in and the bot is not
THEIR_DM = "D0999"  # a direct message between alice and a colleague


def web_api_posts(fake: FakeSlack) -> list[str]:
    return [c.method for c in fake.calls if c.method.startswith("chat.")]


def texts_of(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


async def slash(client: Any, fake: FakeSlack, text: str, *, channel: str = OUTSIDE, age: float = 0.0) -> str:
    """Run ``/chatops text`` in ``channel``, typed ``age`` seconds ago, and wait for its turn; returns its response_url."""
    link = fake.response_url(channel, USER)
    fake.advance(age)
    status, body = await post_form(client, command(text, channel_id=channel, response_url=link))
    assert (status, body) == (200, "")
    await settled(client)
    return link


async def test_a_slash_command_in_a_channel_the_bot_has_not_joined_is_answered_in_the_channel(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    fake_slack.workspace.add_channel(OUTSIDE, USER, OTHER)
    async with serve(slack_settings(settings, fake_slack)) as client:
        await slash(client, fake_slack, "tell me a fact")
    [posted] = fake_slack.responses.posted
    assert (posted.status, posted.body["response_type"], posted.body["replace_original"]) == (200, "in_channel", False)
    [message] = fake_slack.workspace.conversations[OUTSIDE].messages.values()
    assert message["text"] == "Octopuses have three hearts." and message["blocks"] == posted.body["blocks"]
    assert web_api_posts(fake_slack) == []


async def test_a_slash_command_in_a_direct_message_between_other_people_is_answered(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    fake_slack.workspace.add_channel(THEIR_DM, USER, "U456")
    async with serve(slack_settings(settings, fake_slack)) as client:
        await slash(client, fake_slack, "tell me a fact", channel=THEIR_DM)
    [message] = fake_slack.workspace.conversations[THEIR_DM].messages.values()
    assert message["text"] == "Octopuses have three hearts."
    assert web_api_posts(fake_slack) == []


async def test_a_secret_answer_to_a_slash_command_is_ephemeral_never_in_channel(settings: Settings, fake_slack: FakeSlack) -> None:
    fake_slack.workspace.add_channel(OUTSIDE, USER, OTHER)
    async with serve(slack_settings(settings, fake_slack)) as client:
        await slash(client, fake_slack, "what is the password")
    [posted] = fake_slack.responses.posted
    assert posted.body["response_type"] == "ephemeral" and "hunter2" in posted.body["text"]
    conversation = fake_slack.workspace.conversations[OUTSIDE]
    assert conversation.messages == {}
    assert [(m["to"], "hunter2" in m["text"]) for m in conversation.ephemeral] == [(USER, True)]


async def test_an_expired_link_falls_back_to_a_direct_message_where_the_bot_is_not_a_member(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    fake_slack.workspace.add_channel(OUTSIDE, USER, OTHER)
    fake_slack.refusals_expected = True  # chat.postEphemeral in a channel without the bot: not_in_channel
    async with serve(slack_settings(settings, fake_slack)) as client:
        await slash(client, fake_slack, "tell me a fact", age=LIFETIME_SECONDS)
    assert [(p.status, p.answer) for p in fake_slack.responses.posted] == [(404, "expired_url")]
    assert [(c.method, c.answer.get("error")) for c in fake_slack.refused()] == [("chat.postEphemeral", "not_in_channel")]
    [direct] = fake_slack.succeeded("chat.postMessage")
    assert direct.args["channel"] == DM
    assert texts_of(direct.args["blocks"])[:3] == [
        texts.SLACK_NOT_IN_CHANNEL.format(channel=OUTSIDE), texts.SLACK_LINK_SPENT, "Octopuses have three hearts.",
    ]


async def test_a_used_up_link_falls_back_to_an_ephemeral_note_where_the_bot_is_a_member(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    link = fake_slack.response_url("C042", USER)
    async with aiohttp.ClientSession() as http:  # five earlier replies used the link up
        for _ in range(USES):
            async with http.post(link, json={"text": "earlier"}) as resp:
                assert resp.status == 200
    async with serve(slack_settings(settings, fake_slack)) as client:
        await post_form(client, command("tell me a fact", response_url=link))
        await settled(client)
    assert (fake_slack.responses.posted[-1].status, fake_slack.responses.posted[-1].answer) == (404, "used_url")
    [note] = fake_slack.succeeded("chat.postEphemeral")
    assert (note.args["channel"], note.args["user"]) == ("C042", USER)
    assert texts_of(note.args["blocks"])[:2] == [texts.SLACK_LINK_SPENT, "Octopuses have three hearts."]


def test_the_link_is_counted_and_timed_before_it_is_used() -> None:
    link = ResponseUrl("https://hooks.slack.com/commands/T1/1/x", issued=1000.0)
    assert link.usable(now=1000.0 + LIFETIME_SECONDS - 1)
    assert not link.usable(now=1000.0 + LIFETIME_SECONDS)
    link.used = USES
    assert not link.usable(now=1000.0)


async def test_a_link_outside_slack_is_not_used(settings: Settings, fake_slack: FakeSlack) -> None:
    async with serve(slack_settings(settings, fake_slack)) as client:
        await post_form(client, command("tell me a fact", response_url="https://attacker.example/collect"))
        await settled(client)
    [posted] = fake_slack.succeeded("chat.postMessage")  # the Web API, in the channel the bot is in
    assert posted.args["channel"] == "C042" and posted.args["text"] == "Octopuses have three hearts."


async def test_a_confirmation_where_the_bot_is_not_a_member_is_replaced_through_the_clicks_link(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    fake_slack.workspace.add_channel(OUTSIDE, USER, OTHER)
    async with serve(slack_settings(settings, fake_slack)) as client:
        await slash(client, fake_slack, "restart the web server")
        [(ts, question)] = fake_slack.workspace.conversations[OUTSIDE].messages.items()
        value = confirmation(question["blocks"])
        clicked = fake_slack.response_url(OUTSIDE, USER, original=ts)
        await post_form(client, click("chatops_confirm", value, message_ts=ts, thread=None, channel=OUTSIDE, response_url=clicked))
        await settled(client)
    [(_, replaced)] = fake_slack.workspace.conversations[OUTSIDE].messages.items()
    assert replaced["text"] == "Confirmed by <@U123>. Restarted everything."
    assert all(b.get("block_id") != "chatops_confirmation" for b in replaced["blocks"])
    assert fake_slack.responses.posted[-1].body["replace_original"] is True
    assert web_api_posts(fake_slack) == []


async def test_an_ephemeral_confirmation_is_replaced_in_place_and_the_public_outcome_follows(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    fake_slack.workspace.add_channel(OUTSIDE, USER, OTHER)
    async with serve(slack_settings(settings, fake_slack)) as client:
        await slash(client, fake_slack, "rotate the api key")
        conversation = fake_slack.workspace.conversations[OUTSIDE]
        [question] = conversation.ephemeral
        assert conversation.messages == {} and question["to"] == USER
        clicked = fake_slack.response_url(OUTSIDE, USER, original=question["ts"], ephemeral=True)
        body = click("chatops_confirm", confirmation(question["blocks"]), message_ts=question["ts"], thread=None,
                     channel=OUTSIDE, ephemeral=True, response_url=clicked)
        await post_form(client, body)
        await settled(client)
    [replaced] = conversation.ephemeral
    assert replaced["ts"] == question["ts"] and replaced["text"] == "Confirmed by <@U123>."
    assert all(b.get("block_id") != "chatops_confirmation" for b in replaced["blocks"])
    [outcome] = conversation.messages.values()  # the public result, for the channel to see
    assert outcome["text"] == "Rotated the API key."
    assert web_api_posts(fake_slack) == []


async def test_a_quick_reply_where_the_bot_is_not_a_member_answers_through_the_clicks_link(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    fake_slack.workspace.add_channel(OUTSIDE, USER, OTHER)
    async with serve(slack_settings(settings, fake_slack)) as client:
        await slash(client, fake_slack, "tell me a joke")
        [(ts, joke)] = fake_slack.workspace.conversations[OUTSIDE].messages.items()
        button = [b for b in joke["blocks"] if b["type"] == "actions"][0]["elements"][0]
        clicked = fake_slack.response_url(OUTSIDE, USER, original=ts)
        await post_form(client, click(button["action_id"], json.loads(button["value"]), message_ts=ts, thread=None,
                                      channel=OUTSIDE, response_url=clicked))
        await settled(client)
    replies = [m["text"] for m in fake_slack.workspace.conversations[OUTSIDE].messages.values()]
    assert replies == [joke["text"], "I would tell you a UDP joke, but you might not get it."]
    assert web_api_posts(fake_slack) == []


async def test_an_image_for_a_channel_without_the_bot_goes_to_a_direct_message(settings: Settings, fake_slack: FakeSlack) -> None:
    fake_slack.workspace.add_channel(OUTSIDE, USER, OTHER)
    fake_slack.refusals_expected = True  # files.completeUploadExternal into the channel: not_in_channel
    async with serve(slack_settings(settings, fake_slack)) as client:
        await slash(client, fake_slack, "show the price chart")
    assert [(c.method, c.answer.get("error")) for c in fake_slack.refused()] == [("files.completeUploadExternal", "not_in_channel")]
    [shared] = fake_slack.filestore.shared
    assert (shared.channel, shared.filename, shared.data) == (DM, "price-chart.png", tiny_png())
    [message] = fake_slack.workspace.conversations[OUTSIDE].messages.values()
    assert texts_of(message["blocks"]) == ["Here is the price chart.", texts.SLACK_IMAGE_PRIVATE]


async def test_a_later_notification_for_a_channel_without_the_bot_arrives_in_a_direct_message(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    fake_slack.workspace.add_channel(OUTSIDE, USER, OTHER)
    fake_slack.refusals_expected = True  # chat.postMessage in the channel: not_in_channel
    async with serve(slack_settings(settings, fake_slack)) as client:
        conversation = client.server.app[RUNTIME].runtime.conversation
        await conversation.notify(SlackTarget(OUTSIDE, None, USER).session, Reply(text="Restore finished."))
    assert [(c.method, c.answer.get("error")) for c in fake_slack.refused()] == [("chat.postMessage", "not_in_channel")]
    [direct] = fake_slack.succeeded("chat.postMessage")
    assert direct.args["channel"] == DM
    assert texts_of(direct.args["blocks"]) == [texts.SLACK_NOT_IN_CHANNEL.format(channel=OUTSIDE), "Restore finished."]


def confirmation(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    [actions] = [b for b in blocks if b.get("block_id") == "chatops_confirmation"]
    return json.loads(actions["elements"][0]["value"])
