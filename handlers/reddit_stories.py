"""Stories to tell: Reddit posts made chat-ready, the bundled local collection, topic matching.

A story is a joke (a title, then a body) or a fact (one sentence). Stories come
from Reddit listings or from ``handlers/data/local_collection.yaml``, which
answers when Reddit cannot be reached or has nothing new.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import yaml

from handlers.reddit_client import Post

JOKE = "joke"
FACT = "fact"
LOCAL = "local collection"

# Longer posts are essays, not chat jokes; the rest of the top listing is plenty.
_MAX_BODY_CHARS = 1500
_STOPWORDS = frozenset({"a", "an", "the", "my", "your", "some", "about", "on", "of", "with", "and"})
_TIL = re.compile(r"^\s*(?:TIL|today\s+i\s+learned)\b[\s:,-]*(?:(?:that|about|of)\b\s*)?", re.IGNORECASE)


@dataclass(frozen=True)
class Story:
    """A joke or a fact ready to tell; ``source`` is ``r/<name>`` or the local collection."""

    id: str
    kind: str
    title: str
    body: str = ""
    source: str = LOCAL
    url: str = ""
    tags: tuple[str, ...] = ()

    @property
    def is_local(self) -> bool:
        return self.source == LOCAL


def from_post(post: Post, kind: str) -> Story | None:
    """The story a Reddit post tells, or None for one we must not tell (stickied, NSFW, removed, too long)."""
    if post.stickied or post.over_18 or post.removed or len(post.selftext) > _MAX_BODY_CHARS:
        return None
    if kind == FACT:
        text = _TIL.sub("", post.title).strip()
        if not text:
            return None
        text = text[0].upper() + text[1:]
        title, body = (text if text[-1] in ".!?\"'" else text + "."), ""
    else:
        title, body = post.title, post.selftext
    return Story(id=f"t3_{post.id}", kind=kind, title=title, body=body, source=f"r/{post.subreddit}", url=post.url)


@functools.cache
def local_stories() -> dict[str, tuple[Story, ...]]:
    """The bundled collection by kind (read once; it is immutable package data)."""
    text = resources.files("handlers").joinpath("data/local_collection.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    jokes = tuple(
        Story(id=f"local:{item['id']}", kind=JOKE, title=item["title"], body=item["body"], tags=tuple(item["topics"]))
        for item in data["jokes"]
    )
    facts = tuple(
        Story(id=f"local:{item['id']}", kind=FACT, title=item["text"], tags=tuple(item["topics"])) for item in data["facts"]
    )
    return {JOKE: jokes, FACT: facts}


def topic_words(topic: str) -> tuple[str, ...]:
    """The words of a topic worth matching ("my cats" -> ("cats",))."""
    words = re.findall(r"[a-z0-9#+']+", topic.lower())
    return tuple(word for word in words if word not in _STOPWORDS)


def matches(story: Story, words: tuple[str, ...]) -> bool:
    """True when every topic word, in singular or plural form, is in the story's text or tags."""
    haystack = " ".join((story.title, story.body, *story.tags)).lower()
    # Word edges by hand: \b fails next to the '+' of "c++" or the '#' of "c#".
    return all(re.search(rf"(?<![a-z0-9])(?:{'|'.join(map(re.escape, _forms(word)))})(?![a-z0-9])", haystack) for word in words)


def _forms(word: str) -> set[str]:
    """A word with its simple English plural and singular forms, so "cats" finds "cat" and back."""
    forms = {word, word + "s", word + "es"}
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    elif word.endswith("es"):
        forms.update({word[:-2], word[:-1]})
    elif word.endswith("s"):
        forms.add(word[:-1])
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    return forms
