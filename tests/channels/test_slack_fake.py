"""The fake Slack refuses what Slack's documentation says Slack refuses, so that a channel test cannot pass on a lax fake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.channels.slack_support import CHANNEL, DM, OTHER, USER, joined_workspace
from tests.fakes.slack import BOT_TOKEN, BOT_USER, FakeSlack

OUTSIDE = "C0OUT"
SECTION = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    workspace = joined_workspace()
    workspace.add_channel(OUTSIDE, USER)
    async with FakeSlack(workspace=workspace) as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(http: aiohttp.ClientSession, slack: FakeSlack, method: str, **args: Any) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {BOT_TOKEN}"}
    async with http.post(f"{slack.base_url}{method}", json=args, headers=headers) as resp:
        answer: dict[str, Any] = await resp.json()
        return answer


REFUSED = [
    ("chat.postMessage", {"channel": OUTSIDE, "text": "hi"}, "not_in_channel"),
    ("chat.postMessage", {"channel": "C0NONE", "text": "hi"}, "channel_not_found"),
    ("chat.postMessage", {"text": "hi"}, "invalid_arguments"),
    ("chat.postMessage", {"channel": CHANNEL}, "no_text"),
    ("chat.postMessage", {"channel": CHANNEL, "blocks": [{"text": "no type"}]}, "invalid_blocks"),
    ("chat.postMessage", {"channel": CHANNEL, "text": "x" * 40_001}, "msg_too_long"),
    ("chat.postEphemeral", {"channel": OUTSIDE, "user": USER, "text": "hi"}, "not_in_channel"),
    ("chat.postEphemeral", {"channel": CHANNEL, "user": "U456", "text": "hi"}, "user_not_in_channel"),
    ("chat.postEphemeral", {"channel": CHANNEL, "text": "hi"}, "invalid_arguments"),
    ("chat.update", {"channel": CHANNEL, "ts": "1.000001", "text": "hi"}, "message_not_found"),
    ("users.info", {"user": "U0NOBODY"}, "user_not_found"),
    ("conversations.open", {}, "users_list_not_supplied"),
    ("files.getUploadURLExternal", {"length": 3}, "invalid_arguments"),
    ("files.getUploadURLExternal", {"filename": "a.png", "length": 0}, "missing_argument"),
    ("files.completeUploadExternal", {"files": [{"id": "F0NEVER"}]}, "file_not_found"),
    ("files.completeUploadExternal", {}, "invalid_arguments"),
]


@pytest.mark.parametrize("method, args, error", REFUSED, ids=[f"{m}-{e}" for m, _, e in REFUSED])
async def test_the_web_api_refuses_what_slack_refuses(
    slack: FakeSlack, http: aiohttp.ClientSession, method: str, args: dict[str, Any], error: str
) -> None:
    answer = await call(http, slack, method, **args)
    assert (answer["ok"], answer["error"]) == (False, error)
    if error == "invalid_arguments":  # Slack says which field, in response_metadata
        assert answer["response_metadata"]["messages"][0].startswith("[ERROR] ")


async def test_only_the_bots_own_messages_can_be_updated(slack: FakeSlack, http: aiohttp.ClientSession) -> None:
    slack.workspace.conversations[CHANNEL].messages["1.000009"] = {"user": USER, "ts": "1.000009", "text": "mine"}
    posted = await call(http, slack, "chat.postMessage", channel=CHANNEL, text="question", blocks=SECTION)
    ephemeral = await call(http, slack, "chat.postEphemeral", channel=CHANNEL, user=USER, text="just you")
    assert (await call(http, slack, "chat.update", channel=CHANNEL, ts="1.000009", text="x"))["error"] == "cant_update_message"
    assert (await call(http, slack, "chat.update", channel=CHANNEL, ts=ephemeral["message_ts"], text="x"))["error"] == "message_not_found"
    updated = await call(http, slack, "chat.update", channel=CHANNEL, ts=posted["ts"], text="answered")
    assert updated["ok"] and slack.workspace.conversations[CHANNEL].messages[posted["ts"]]["text"] == "answered"


async def test_a_direct_message_is_opened_once(slack: FakeSlack, http: aiohttp.ClientSession) -> None:
    known = await call(http, slack, "conversations.open", users=USER)
    new = await call(http, slack, "conversations.open", users=OTHER)
    assert (known["channel"]["id"], known["already_open"]) == (DM, True)
    assert new["already_open"] is False and slack.workspace.conversations[new["channel"]["id"]].members == {OTHER, BOT_USER}


async def test_an_upload_is_completed_only_after_its_bytes_arrived(slack: FakeSlack, http: aiohttp.ClientSession) -> None:
    started = await call(http, slack, "files.getUploadURLExternal", filename="chart.png", length=4)
    early = await call(http, slack, "files.completeUploadExternal", files=[{"id": started["file_id"]}], channel_id=CHANNEL)
    async with http.post(started["upload_url"], data=b"12345") as wrong:
        assert wrong.status == 400  # not the length announced
    async with http.post(started["upload_url"], data=b"1234") as right:
        assert right.status == 200
    outside = await call(http, slack, "files.completeUploadExternal", files=[{"id": started["file_id"]}], channel_id=OUTSIDE)
    done = await call(http, slack, "files.completeUploadExternal", files=[{"id": started["file_id"], "title": "Chart"}],
                      channel_id=CHANNEL, thread_ts="1.000001")
    again = await call(http, slack, "files.completeUploadExternal", files=[{"id": started["file_id"]}])
    assert [early["error"], outside["error"], again["error"]] == ["file_not_found", "not_in_channel", "file_not_found"]
    assert done["ok"] and done["files"] == [{"id": started["file_id"], "name": "chart.png", "title": "Chart"}]
    [shared] = slack.filestore.shared
    assert (shared.channel, shared.thread_ts, shared.data) == (CHANNEL, "1.000001", b"1234")


async def test_files_upload_v2_goes_through_all_three_steps(slack: FakeSlack) -> None:
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.base_url, session=session)
        await client.files_upload_v2(channel=CHANNEL, content=b"\x89PNG", filename="a.png", title="A")
        with pytest.raises(SlackApiError, match="not_in_channel"):
            await client.files_upload_v2(channel=OUTSIDE, content=b"\x89PNG", filename="a.png", title="A")
    assert [s.channel for s in slack.filestore.shared] == [CHANNEL]


async def post_link(http: aiohttp.ClientSession, link: str, body: dict[str, Any]) -> tuple[int, str]:
    async with http.post(link, json=body) as resp:
        return resp.status, await resp.text()


async def test_a_response_url_takes_five_posts_within_thirty_minutes(slack: FakeSlack, http: aiohttp.ClientSession) -> None:
    used, aged = slack.response_url(OUTSIDE, USER), slack.response_url(OUTSIDE, USER)
    answers = [await post_link(http, used, {"text": f"reply {i}", "response_type": "in_channel"}) for i in range(6)]
    slack.advance(30 * 60)
    assert answers == [(200, "ok")] * 5 + [(404, "used_url")]
    assert await post_link(http, aged, {"text": "late"}) == (404, "expired_url")
    conversation = slack.workspace.conversations[OUTSIDE]  # the bot is not a member, and the replies are there
    assert [m["text"] for m in conversation.messages.values()] == [f"reply {i}" for i in range(5)]


async def test_a_response_url_needs_content_and_an_original_to_replace(slack: FakeSlack, http: aiohttp.ClientSession) -> None:
    link = slack.response_url(OUTSIDE, USER)
    assert await post_link(http, link, {"response_type": "in_channel"}) == (400, "no_text")
    assert await post_link(http, link, {"text": "x", "replace_original": True}) == (400, "no_original_message")
    assert await post_link(http, link, {"text": "x", "response_type": "everyone"}) == (400, "invalid_response_type")
    assert await post_link(http, link, {"text": "only alice"}) == (200, "ok")  # ephemeral is the default
    [seen] = slack.workspace.conversations[OUTSIDE].ephemeral
    assert seen["to"] == USER and slack.workspace.conversations[OUTSIDE].messages == {}


async def test_a_clicks_link_replaces_or_deletes_its_message_keeping_its_visibility(
    slack: FakeSlack, http: aiohttp.ClientSession
) -> None:
    command = slack.response_url(OUTSIDE, USER)
    await post_link(http, command, {"text": "question", "response_type": "ephemeral"})
    await post_link(http, command, {"text": "public question", "response_type": "in_channel"})
    conversation = slack.workspace.conversations[OUTSIDE]
    [private] = conversation.ephemeral
    [public_ts] = conversation.messages
    on_private = slack.response_url(OUTSIDE, USER, original=private["ts"], ephemeral=True)
    on_public = slack.response_url(OUTSIDE, USER, original=public_ts)
    replaced = {"text": "answered", "replace_original": True, "response_type": "in_channel"}
    assert await post_link(http, on_private, replaced) == (200, "ok")
    assert [m["text"] for m in conversation.ephemeral] == ["answered"]  # still ephemeral, in place
    assert await post_link(http, on_public, {"delete_original": True}) == (200, "ok")
    assert conversation.messages == {}
