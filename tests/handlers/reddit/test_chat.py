"""The newcomer's first conversation, through the whole engine: with the fake Reddit, and with Reddit unreachable."""

from __future__ import annotations

from chatops.testing import ChatHarness
from tests.fakes.reddit import FakeReddit
from tests.handlers.reddit.test_tell import TELLABLE


async def test_jokes_facts_and_another_one_through_the_fake_reddit(reddit: FakeReddit) -> None:
    async with ChatHarness(overrides={"reddit": {"base_url": reddit.url}}) as chat:
        first = await chat.say("tell me a joke")
        second = await chat.say("another one")
        fact = await chat.say("a fact please")
        dogs = await chat.say("a joke about dogs")

    assert {first.data["id"], second.data["id"]} < TELLABLE
    assert first.data["id"] != second.data["id"]
    assert first.text.endswith("(from r/Jokes)")
    assert fact.text.startswith("Did you know? ") and fact.text.endswith("(from r/todayilearned)")
    # The only dog joke on Reddit today may already have been told; then the local collection says so.
    assert dogs.data["id"] == "t3_j1" or dogs.text.startswith("You've heard every joke about dogs")


async def test_the_same_conversation_when_reddit_is_unreachable() -> None:
    async with ChatHarness(overrides={"reddit": {"base_url": "http://127.0.0.1:9", "timeout_seconds": 1.0}}) as chat:
        replies = [await chat.say(text) for text in ("tell me a joke", "another one", "a fact please", "a joke about dogs")]

    note = "Reddit can't be reached right now. So this one is from my local collection:\n\n"
    assert all(reply.text.startswith(note) for reply in replies)
    assert [reply.data["kind"] for reply in replies] == ["joke", "joke", "fact", "joke"]
    assert len({reply.data["id"] for reply in replies}) == 4
    assert "dog" in replies[3].text.lower()
