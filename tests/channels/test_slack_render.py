"""Slack rendering and translation details: session ids, escaping, long texts, mentions."""

from __future__ import annotations

import json

import pytest

from chatops.channels.slack_render import SlackTarget, file_name, read_value, render_blocks
from chatops.channels.slack_turns import utterance
from chatops.models import Card, Confirmation, Image, QuickReplies, Reply

TARGET = SlackTarget("C042", "1700000001.000100", "U123")


@pytest.mark.parametrize("target", [TARGET, SlackTarget("D0123", None, "U123")])
def test_a_session_id_leads_back_to_its_thread_and_asker(target: SlackTarget) -> None:
    assert SlackTarget.from_session(target.session) == target


@pytest.mark.parametrize("session", ["web:abc", "slack:C1:U1", "slack::-:U1", "slack:C1:-:U1:extra", "dialogflow:slack:C:-:U"])
def test_other_sessions_are_not_slacks(session: str) -> None:
    assert SlackTarget.from_session(session) is None


def test_handler_text_is_escaped_and_long_text_split_into_sections() -> None:
    blocks = render_blocks(Reply(text="a < b & c > d " + "x" * 3500), TARGET)
    assert [b["type"] for b in blocks] == ["section", "section"]
    assert blocks[0]["text"]["text"].startswith("a &lt; b &amp; c &gt; d ")
    assert len(blocks[0]["text"]["text"]) == 3000


def test_buttons_carry_what_their_click_needs() -> None:
    reply = Reply(text="Pick", parts=(
        QuickReplies(options=("another one",)),
        Card(title="T", buttons=()),
        Confirmation(prompt="Sure?", token="tok"),
        Image(alt="chart", data=b"png"),
    ))
    blocks = render_blocks(reply, TARGET)
    quick = [b for b in blocks if b["type"] == "actions"][0]["elements"][0]
    assert read_value(quick["value"]) == {"say": "another one", "thread": TARGET.thread}
    confirm = [b for b in blocks if b.get("block_id") == "chatops_confirmation"][0]["elements"][0]
    assert json.loads(confirm["value"]) == {"session": TARGET.session, "token": "tok"}
    assert not any(b["type"] == "image" for b in blocks)  # bytes go through files_upload_v2


def test_button_values_that_are_not_json_objects_read_as_empty() -> None:
    assert read_value("not json") == read_value("[1]") == read_value(None) == {}


def test_file_names_come_from_the_alt_text() -> None:
    assert file_name(Image(alt="Price chart: Windsor (2024)", data=b"x")) == "price-chart-windsor-2024.png"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("<@UBOT> tell me a joke", "tell me a joke"),
        ("<@UBOT>, list pods", "list pods"),
        ("hey <@UBOT|chatops> what about <@U999>?", "hey what about <@U999>?"),
        ("<@UBOT> is 1 &lt; 2 &amp;&amp; 3 &gt; 2", "is 1 < 2 && 3 > 2"),
        ("<@UBOT>", ""),
    ],
)
def test_the_utterance_is_the_message_without_the_bots_mention(text: str, expected: str) -> None:
    assert utterance(text, "UBOT") == expected
