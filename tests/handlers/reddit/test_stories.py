"""Stories: which posts may be told, how a TIL title becomes a fact, topic matching, the local collection."""

from __future__ import annotations

import pytest

from handlers.reddit_client import Post
from handlers.reddit_stories import FACT, JOKE, Story, from_post, local_stories, matches, topic_words


def _post(title: str, selftext: str = "", **flags: bool) -> Post:
    return Post(id="p1", subreddit="todayilearned", title=title, selftext=selftext, permalink="/r/x/comments/p1/", **flags)


@pytest.mark.parametrize(
    ("title", "fact"),
    [
        ("TIL that octopuses have three hearts", "Octopuses have three hearts."),
        ("TIL: the Eiffel Tower grows in summer!", "The Eiffel Tower grows in summer!"),
        ("Today I learned about the jiffy, a real unit of time", "The jiffy, a real unit of time."),
        ("TIL of a town named Boring", "A town named Boring."),
        ("Til wombats make cubes", "Wombats make cubes."),
        ("Tilapia is a fish", "Tilapia is a fish."),
    ],
)
def test_a_til_title_becomes_a_sentence(title: str, fact: str) -> None:
    story = from_post(_post(title), FACT)
    assert story is not None and story.title == fact and story.body == ""


@pytest.mark.parametrize("flag", ["stickied", "over_18", "removed"])
def test_stickied_nsfw_and_removed_posts_are_not_told(flag: str) -> None:
    assert from_post(_post("A joke", "Its punchline", **{flag: True}), JOKE) is None


def test_an_essay_is_not_a_chat_joke() -> None:
    assert from_post(_post("A long one", "and then " * 200), JOKE) is None
    story = from_post(_post("A short one", "Punchline."), JOKE)
    assert story == Story(
        id="t3_p1", kind=JOKE, title="A short one", body="Punchline.", source="r/todayilearned",
        url="https://www.reddit.com/r/x/comments/p1/",
    )


@pytest.mark.parametrize(
    ("topic", "text", "expected"),
    [
        ("dogs", "My dog ate it", True),
        ("dog", "Two dogs walk into a bar", True),
        ("puppies", "A puppy and a kitten", True),
        ("boxes", "a box of chocolates", True),
        ("cat", "a category error", False),
        ("my cats", "The cat sat", True),
        ("cats and dogs", "The cat sat", False),
        ("", "Anything at all", True),
        ("c++", "Why C++ developers cry", True),
    ],
)
def test_topic_matching_uses_whole_words_and_simple_plurals(topic: str, text: str, expected: bool) -> None:
    assert matches(Story(id="x", kind=JOKE, title=text), topic_words(topic)) is expected


def test_local_tags_count_for_the_topic() -> None:
    story = Story(id="x", kind=JOKE, title="What do you call it?", body="A meowntain.", tags=("cat",))
    assert matches(story, topic_words("cats"))


def test_the_local_collection_is_well_formed() -> None:
    collection = local_stories()
    ids = [s.id for kind in (JOKE, FACT) for s in collection[kind]]
    assert len(collection[JOKE]) >= 20 and len(collection[FACT]) >= 20
    assert len(ids) == len(set(ids))
    assert all(s.title and s.tags and s.is_local for kind in (JOKE, FACT) for s in collection[kind])
    assert all(s.body for s in collection[JOKE])
    for topic in ("dogs", "cats", "computers"):
        assert any(matches(s, topic_words(topic)) for s in collection[JOKE]), topic
        assert any(matches(s, topic_words(topic)) for s in collection[FACT]), topic
