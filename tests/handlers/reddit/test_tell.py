"""reddit.tell and reddit.another ("another one", through the reddit-followup context) through the fake Reddit: what is told, never twice, and the local fallback."""

from __future__ import annotations

import pytest

from chatops.errors import InputError
from chatops.fulfillment import OutputContext, QuickReplies, Reply
from handlers.reddit_stories import Story, local_stories
from tests.fakes.reddit import FakeReddit, Fault, post
from tests.handlers.reddit.conftest import Tell, TellWith, settings_for

TELLABLE = {"t3_j1", "t3_j2", "t3_j3"}


def context(reply: Reply, name: str) -> dict[str, object]:
    return next(dict(c.parameters) for c in reply.contexts if c.name == name)


async def test_a_joke_is_its_title_then_its_body_with_follow_ups(tell: Tell) -> None:
    reply = await tell(content="joke")

    assert reply.data["id"] in TELLABLE
    title, body, source = reply.text.split("\n")
    assert (title, body) in {
        ("Why did the dog sit in the shade?", "He didn't want to be a hot dog."),
        ("What do you call a sleeping bull?", "A bulldozer."),
        ("I told my cat a joke", "It was not amused. Cats never are."),
    }
    assert source == "(from r/Jokes)"
    assert reply.parts == (QuickReplies(("another one", "a fact please")),)
    assert context(reply, "reddit-followup") == {"content": "joke", "topic": ""}
    assert context(reply, "reddit-told") == {"ids": [reply.data["id"]]}
    assert reply.data["url"].startswith("https://www.reddit.com/r/Jokes/comments/")


async def test_another_one_never_repeats_and_then_says_where_the_next_comes_from(tell: Tell) -> None:
    replies = [await tell(content="joke")]
    for _ in range(2):
        replies.append(await tell("reddit.another", after=replies[-1]))
    assert {r.data["id"] for r in replies} == TELLABLE  # stickied, NSFW and removed posts are never told

    fourth = await tell("reddit.another", after=replies[-1])
    assert fourth.data["source"] == "local collection"
    assert fourth.text.startswith("You've heard every joke I found on r/jokes today, so this one is from my local collection:")
    assert context(fourth, "reddit-told")["ids"] == [r.data["id"] for r in replies] + [fourth.data["id"]]


async def test_a_fact_is_the_til_title_made_a_sentence(tell: Tell) -> None:
    reply = await tell(content="a fact please")

    assert reply.text.split("\n")[0] in {"Did you know? Octopuses have three hearts.", "Did you know? Honey never really spoils."}
    assert reply.parts == (QuickReplies(("another one", "tell me a joke")),)
    more = await tell("reddit.another", after=reply)
    assert more.data["kind"] == "fact" and more.data["id"] != reply.data["id"]


async def test_another_with_parameters_follows_them(tell: Tell) -> None:
    first = await tell(content="joke", topic="dogs")
    fact = await tell("reddit.another", after=first, content="fact", topic="octopuses")
    assert fact.data["kind"] == "fact" and "three hearts" in fact.text


async def test_a_topic_picks_a_matching_joke(tell: Tell) -> None:
    assert (await tell(content="joke", topic="dogs")).data["id"] == "t3_j1"
    assert (await tell(content="joke", topic="a cat")).data["id"] == "t3_j3"


async def test_another_one_keeps_the_topic(tell: Tell) -> None:
    first = await tell(content="joke", topic="dogs")
    second = await tell("reddit.another", after=first)

    assert second.data["source"] == "local collection"
    assert "dog" in local_story(second.data["id"]).tags
    assert second.text.startswith("You've heard every joke about dogs I found on r/jokes today")


async def test_a_topic_reddit_lacks_comes_from_the_local_collection_and_says_so(tell: Tell) -> None:
    reply = await tell(content="joke", topic="fish")

    assert reply.text == (
        "Nothing about fish in today's top posts on r/jokes, but my local collection has one:\n\n"
        "What do you call a fish with no eyes?\nA fsh."
    )


async def test_a_topic_nobody_has_gets_a_clear_answer(tell: Tell) -> None:
    reply = await tell(content="joke", topic="penguins")

    assert reply.text == "I couldn't find a joke about penguins, on Reddit or in my local collection. Shall I try another topic?"
    assert reply.parts == (QuickReplies(("tell me a joke", "a fact please")),)
    assert reply.contexts == ()


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (Fault("403html"), "Reddit refused the request."),
        (Fault("slow", delay=1.0), "Reddit can't be reached right now."),
        (Fault("malformed"), "Reddit sent something I don't understand."),
        (Fault("429", retry_after=300), "Reddit asks me to slow down for a moment."),
    ],
)
async def test_when_reddit_fails_the_local_collection_answers(reddit: FakeReddit, tell: Tell, fault: Fault, said: str) -> None:
    reddit.faults["jokes"] = [fault]
    reply = await tell(content="joke")

    assert reply.text.startswith(f"{said} So this one is from my local collection:\n\n")
    assert reply.data["source"] == "local collection"
    assert reply.parts == (QuickReplies(("another one", "a fact please")),)


async def test_oauth_is_used_when_anonymous_access_is_refused(reddit: FakeReddit, tell_with: TellWith) -> None:
    reddit.anonymous_forbidden = True
    settings = settings_for(reddit, client_id="test-client", client_secret="test-secret")
    async with tell_with(settings) as tell:
        reply = await tell(content="joke")
    assert reply.data["id"] in TELLABLE


async def test_one_failing_subreddit_of_several_is_skipped(reddit: FakeReddit, tell_with: TellWith) -> None:
    reddit.listings["dadjokes"] = [post("d1", "I'm afraid for the calendar.", "Its days are numbered.", subreddit="dadjokes")]
    reddit.faults["jokes"] = [Fault("500")]
    async with tell_with(settings_for(reddit, joke_subreddits=("jokes", "dadjokes"))) as tell:
        reply = await tell(content="joke")
    assert reply.data["id"] == "t3_d1"


async def test_when_everything_was_told_it_says_so(tell: Tell, reddit: FakeReddit) -> None:
    told = sorted(TELLABLE | {s.id for s in local_stories()["joke"]})
    previous = Reply(text="", contexts=(OutputContext("reddit-told", lifespan=1000, parameters={"ids": told}),))
    reply = await tell("reddit.another", after=previous)

    assert reply.text == "You've heard every joke I have for now. Ask me again tomorrow for fresh ones from Reddit!"


async def test_an_unknown_content_is_an_input_error(tell: Tell) -> None:
    with pytest.raises(InputError, match="I can tell a joke or a fact"):
        await tell(content="poem")


def local_story(story_id: str) -> Story:
    return next(s for s in local_stories()["joke"] if s.id == story_id)
