"""reddit: a joke from r/jokes or a fact from r/todayilearned, never the same one twice in a session.

``reddit.tell`` takes ``content`` ("joke" or "fact", default joke) and an optional
``topic``. Each reply sets the ``reddit-followup`` context with the content and
topic told; ``reddit.another`` ("another one", an intent requiring that context)
tells one more of the same kind and topic unless its parameters say otherwise.

The ids already told travel in a long-lived ``reddit-told`` context rather than
in the store's session memory: the conversation saves the session state it loaded
before the handler ran, so a handler's own write to the session record would be
overwritten, whereas a reply's contexts are applied by the engine (and by
DialogFlow on the webhook path). Its lifespan is renewed at every telling and
outlasts any detour through other intents; the session's idle timeout ends it.
"""

from __future__ import annotations

import asyncio
import logging
import random
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Mapping

import aiohttp

from chatops.config import Settings
from chatops.fulfillment import BackendError, HandlerCall, HandlerTable, InputError, OutputContext, QuickReplies, Reply
from handlers.reddit_client import RedditClient
from handlers.reddit_stories import FACT, JOKE, Story, from_post, local_stories, matches, topic_words

log = logging.getLogger(__name__)

table = HandlerTable("reddit")

FOLLOWUP_CONTEXT = "reddit-followup"
TOLD_CONTEXT = "reddit-told"
_TOLD_LIFESPAN = 1000
# More than a day's top listings of every subreddit plus the local collection; older ids drop out first.
_MAX_TOLD = 300


@table.resource(RedditClient)
@asynccontextmanager
async def open_reddit(settings: Settings) -> AsyncIterator[RedditClient]:
    """One HTTP session for the app's lifetime, closed with it."""
    async with aiohttp.ClientSession(raise_for_status=False) as http:
        yield RedditClient(settings.reddit, http)


@table.action("reddit.tell")
async def reddit_tell(call: HandlerCall) -> Reply:
    """Tell a joke or a fact, optionally about a topic."""
    return await _tell(call, _kind(call.param("content", JOKE)), str(call.param("topic", "")).strip())


@table.action("reddit.another")
async def reddit_another(call: HandlerCall) -> Reply:
    """One more like the last one: the kind and topic the reddit-followup context holds, unless given."""
    last = _context(call, FOLLOWUP_CONTEXT)
    content = call.param("content") or last.get("content") or JOKE
    topic = call.param("topic") or last.get("topic") or ""
    return await _tell(call, _kind(content), str(topic).strip())


def _kind(content: object) -> str:
    text = str(content).lower()
    if "joke" in text:
        return JOKE
    if "fact" in text or "til" in text.split():
        return FACT
    raise InputError(f"I can tell a joke or a fact, but not a {content!r}. Which would you like?")


async def _tell(call: HandlerCall, kind: str, topic: str) -> Reply:
    subreddits = call.settings.reddit.joke_subreddits if kind == JOKE else call.settings.reddit.fact_subreddits
    told = _told(call)
    words = topic_words(topic)
    try:
        from_reddit = await _reddit_stories(call.resources.get(RedditClient), subreddits, kind)
    except BackendError as exc:
        log.warning("reddit: answering from the local collection: %s", exc.detail)
        from_reddit, note = [], f"{exc.user_message} So this one is from my local collection:"
    else:
        note = _why_local(kind, topic, subreddits, from_reddit)
    seen = set(told)
    fresh = [s for s in from_reddit if s.id not in seen and matches(s, words)]
    if not fresh:
        fresh = [s for s in local_stories()[kind] if s.id not in seen and matches(s, words)]
    if not fresh:
        return _nothing_left(kind, topic)
    story = random.choice(fresh)
    return _reply(story, note if story.is_local else "", topic, told)


async def _reddit_stories(client: RedditClient, subreddits: tuple[str, ...], kind: str) -> list[Story]:
    """Tellable stories from every subreddit of a kind; fails only when none of them answers."""
    results = await asyncio.gather(*(client.top(name) for name in subreddits), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    for error in errors:
        if not isinstance(error, BackendError):
            raise error
        log.warning("reddit: %s", error.detail)
    if errors and len(errors) == len(results):
        raise errors[0]
    posts = [post for r in results if not isinstance(r, BaseException) for post in r]
    return [story for post in posts if (story := from_post(post, kind)) is not None]


def _why_local(kind: str, topic: str, subreddits: tuple[str, ...], stories: list[Story]) -> str:
    """Why a story would come from the local collection although Reddit answered."""
    where = " or ".join(f"r/{name}" for name in subreddits)
    if topic and not any(matches(s, topic_words(topic)) for s in stories):
        return f"Nothing about {topic} in today's top posts on {where}, but my local collection has one:"
    if not stories:
        return f"Today's top posts on {where} have nothing I can tell here, so this one is from my local collection:"
    about = f" about {topic}" if topic else ""
    return f"You've heard every {kind}{about} I found on {where} today, so this one is from my local collection:"


def _nothing_left(kind: str, topic: str) -> Reply:
    if topic:
        text = f"I couldn't find a {kind} about {topic}, on Reddit or in my local collection. Shall I try another topic?"
        return Reply(text=text, parts=(QuickReplies((f"tell me a {kind}", _other(kind))),))
    text = f"You've heard every {kind} I have for now. Ask me again tomorrow for fresh ones from Reddit!"
    return Reply(text=text, parts=(QuickReplies((_other(kind),)),))


def _other(kind: str) -> str:
    return "a fact please" if kind == JOKE else "tell me a joke"


def _reply(story: Story, note: str, topic: str, told: list[str]) -> Reply:
    if story.kind == JOKE:
        said = f"{story.title}\n{story.body}".strip()
    else:
        said = f"Did you know? {story.title}"
    source = "" if story.is_local else f"\n(from {story.source})"
    text = f"{note}\n\n{said}{source}" if note else f"{said}{source}"
    return Reply(
        text=text,
        parts=(QuickReplies(("another one", _other(story.kind))),),
        contexts=(
            OutputContext(FOLLOWUP_CONTEXT, lifespan=5, parameters={"content": story.kind, "topic": topic}),
            OutputContext(TOLD_CONTEXT, lifespan=_TOLD_LIFESPAN, parameters={"ids": (told + [story.id])[-_MAX_TOLD:]}),
        ),
        data={"kind": story.kind, "id": story.id, "source": story.source, "url": story.url},
    )


def _context(call: HandlerCall, name: str) -> Mapping[str, Any]:
    """An active context's parameters (DialogFlow sends full context paths; the name is the last part)."""
    return next((c.parameters for c in call.contexts if c.name.rsplit("/", 1)[-1].lower() == name), {})


def _told(call: HandlerCall) -> list[str]:
    ids = _context(call, TOLD_CONTEXT).get("ids")
    return [str(i) for i in ids] if isinstance(ids, list) else []
