"""A CSV shared with the bot in Slack becomes a data set: signed events through the real app, with the prices handler.

The bundled agent and the real ``prices`` table answer; the fake Slack serves the
shared file only to the bot token, and records the replies.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from chatops.config import Settings, load_settings
from chatops.server_keys import RUNTIME
from tests.channels.slack_support import CHANNEL, USER, event, post_event, settled, slack_settings
from tests.channels.support import serve, with_group
from tests.fakes.slack import BOT_TOKEN, FakeSlack

MENTION_TS = "1700000001.000100"
PLOTS = b'plot,area,price\na,1000,"$52,000"\nb,1500,"$61,000"\nc,2000,"$69,500"\nd,2400,"$80,000"\ne,3000,"$91,000"\n'
SAVED = "Saved bangalore-plots: 5 rows, price against area. Say 'use dataset bangalore-plots' to price with it."


@pytest.fixture
def prices_settings(fake_slack: FakeSlack) -> Settings:
    base = load_settings(env={}, overrides={"store": {"url": "sqlite:///:memory:"}})
    return slack_settings(base, fake_slack)


def mention(text: str, *, event_id: str, files: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
    extra = {"files": files} if files is not None else {}
    return event(event_id=event_id, text=f"<@UBOT> {text}", **extra, **fields)


async def say(client: Any, fake: FakeSlack, body: dict[str, Any], count: int) -> Any:
    """Post an event and return the reply it produced (the ``count``-th message posted)."""
    status, _ = await post_event(client, body)
    assert status == 200
    posted = await fake.wait_for("chat.postMessage", count=count)
    await settled(client)
    return posted[count - 1]


async def test_a_csv_shared_in_a_mention_is_stored_then_chosen_in_the_thread(
    prices_settings: Settings, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    file = fake_slack.share_file("plots.csv", PLOTS)
    async with serve(prices_settings, tables=None) as client:
        body = mention("dataset bangalore-plots x=area y=price", event_id="Ev0100", files=[file])
        saved = await say(client, fake_slack, body, 1)
        in_thread = {"event_id": "Ev0101", "ts": "1700000001.000200", "thread_ts": MENTION_TS}
        chosen = await say(client, fake_slack, mention("use dataset bangalore-plots", **in_thread), 2)
        in_thread = {"event_id": "Ev0102", "ts": "1700000001.000300", "thread_ts": MENTION_TS}
        estimate = await say(client, fake_slack, mention("how much for a lot of 2000 sq ft?", **in_thread), 3)
        stored = await client.server.app[RUNTIME].runtime.store.get_dataset("bangalore-plots")
    assert (saved.args["channel"], saved.args["thread_ts"], saved.args["text"]) == (CHANNEL, MENTION_TS, SAVED)
    assert [(d.file_id, d.token, d.status) for d in fake_slack.downloads] == [(file["id"], BOT_TOKEN, 200)]
    assert stored is not None and (stored.x, stored.y, stored.owner) == ("area", "price", USER)
    assert chosen.args["thread_ts"] == MENTION_TS
    assert chosen.args["text"].startswith("Now using bangalore-plots: 5 rows, price against area.")
    assert "Based on bangalore-plots (5 rows)" in estimate.args["text"]
    # The CSV is not secret, but it is not logged whole either.
    assert not [r for r in caplog.records if "c,2000" in r.getMessage()]


async def test_a_csv_shared_in_a_direct_message_is_named_after_the_file(prices_settings: Settings, fake_slack: FakeSlack) -> None:
    file = fake_slack.share_file("Bangalore Plots.csv", PLOTS)
    body = event("message_file_share.json", event_id="Ev0110", text="use Area and Price as x and y", files=[file])
    async with serve(prices_settings, tables=None) as client:
        saved = await say(client, fake_slack, body, 1)
        chosen = await say(client, fake_slack, event("message_im.json", event_id="Ev0111", text="use dataset bangalore-plots"), 2)
    assert (saved.args["channel"], saved.args.get("thread_ts"), saved.args["text"]) == ("D0123", None, SAVED)
    assert chosen.args["text"].startswith("Now using bangalore-plots: 5 rows")


async def test_a_slack_connect_file_is_looked_up_first(prices_settings: Settings, fake_slack: FakeSlack) -> None:
    file = fake_slack.share_file("plots.csv", PLOTS)
    body = mention("dataset bangalore-plots x=area y=price", event_id="Ev0120", files=[{"id": file["id"], "mode": "file_access"}])
    async with serve(prices_settings, tables=None) as client:
        saved = await say(client, fake_slack, body, 1)
    assert fake_slack.called("files.info")[0].args["file"] == file["id"]
    assert saved.args["text"] == SAVED


async def test_without_columns_the_header_and_an_example_are_given(prices_settings: Settings, fake_slack: FakeSlack) -> None:
    file = fake_slack.share_file("plots.csv", PLOTS)
    async with serve(prices_settings, tables=None) as client:
        asked = await say(client, fake_slack, mention("dataset bangalore-plots", event_id="Ev0130", files=[file]), 1)
        again = await say(client, fake_slack, mention("here it is, x=area", event_id="Ev0131", files=[file]), 2)
        stored = await client.server.app[RUNTIME].runtime.store.list_datasets()
    assert asked.args["thread_ts"] == MENTION_TS
    assert asked.args["text"] == (
        "plots.csv has the columns plot, area, price. Which is x (the lot area, in square feet) and which is y (the price)? "
        "Share the file again with a message like:\ndataset bangalore-plots x=area y=price"
    )
    assert again.args["text"].endswith("dataset plots x=area y=price")  # no name said: the file's
    assert stored == []


BAD_SHARES = [
    ("not csv", "cat.png is not a CSV file (Slack says: PNG). Export it as CSV"),
    ("too large", "plots.csv is larger than 3 KB, the most I read."),
    ("deleted", "plots.csv is no longer on Slack (HTTP 404); it may have been deleted."),
    ("bad column", "There is no column 'size'. The columns are: plot, area, price."),
    ("not numeric", "The column plot must be numeric, but row 2 has 'a'."),
    ("empty", "plots.csv is empty: a CSV needs a header row"),
    ("no files:read", "Slack would not let me download plots.csv (HTTP 403). The bot needs the files:read scope"),
]


def bad_share(fake: FakeSlack, case: str) -> tuple[str, dict[str, Any]]:
    """The message and the file of a share that cannot become a data set."""
    text = {"bad column": "x=size y=price", "not numeric": "x=plot y=price"}.get(case, "x=area y=price")
    data = {"too large": b"area,price\n" + b"1000,52000\n" * 400, "empty": b""}.get(case, PLOTS)
    file = fake.share_file("plots.csv", data)
    if case == "not csv":
        file = fake.share_file("cat.png", b"\x89PNG\r\n", filetype="png", mimetype="image/png")
    elif case == "deleted":
        del fake.files[file["id"]]
    elif case == "no files:read":
        fake.scopes.discard("files:read")
    return f"dataset bangalore-plots {text}", file


async def test_a_bad_share_gets_a_readable_threaded_reply(prices_settings: Settings, fake_slack: FakeSlack) -> None:
    settings = with_group(prices_settings, "server", max_body_bytes=3 * 1024)
    replies = []
    async with serve(settings, tables=None) as client:  # one app for all cases: each trains the bundled agent
        for i, (case, _) in enumerate(BAD_SHARES, start=1):
            text, file = bad_share(fake_slack, case)
            ts = f"1700000010.{i:06d}"
            replies.append(await say(client, fake_slack, mention(text, event_id=f"Ev02{i:02d}", files=[file], ts=ts), i))
        stored = await client.server.app[RUNTIME].runtime.store.list_datasets()
    for (case, answer), (i, reply) in zip(BAD_SHARES, enumerate(replies, start=1)):
        assert reply.args["thread_ts"] == f"1700000010.{i:06d}", case
        assert answer in reply.args["text"], case
    assert stored == []


async def test_a_photo_shared_with_a_question_is_just_a_question(prices_settings: Settings, fake_slack: FakeSlack) -> None:
    photo = fake_slack.share_file("cat.png", b"\x89PNG\r\n", filetype="png", mimetype="image/png")
    async with serve(prices_settings, tables=None) as client:
        reply = await say(client, fake_slack, mention("hello", event_id="Ev0150", files=[photo]), 1)
    assert reply.args["text"].startswith(("Hi! I'm ChatOps", "Hello! Ask me"))
    assert fake_slack.downloads == []
