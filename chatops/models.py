"""Values that cross the seams: queries, results, replies, principals, contexts."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping


class Visibility(str, enum.Enum):
    """Who may see a reply: the channel, only the asker, or only the asker and never stored."""

    PUBLIC = "public"
    EPHEMERAL = "ephemeral"
    SECRET = "secret"


@dataclass(frozen=True)
class Principal:
    """Who is asking. Channels fill what they know; the access policy reads it.

    ``verified`` is False where the caller names itself (a web ``user``, an
    unauthenticated DialogFlow webhook): such an id is shown and audited, but a
    policy binding of ``<channel>:<id>`` never matches it.
    """

    id: str
    channel: str = "api"
    email: str | None = None
    channel_id: str | None = None
    token: str | None = None
    roles: tuple[str, ...] = ()
    verified: bool = True

    @property
    def identity(self) -> str:
        """Who this is as far as the request proves it: ``channel:id``, plus the fingerprint of the token it presented."""
        base = f"{self.channel}:{self.id}"
        if not self.token:
            return base
        return f"{base}#token-sha256:{hashlib.sha256(self.token.encode()).hexdigest()[:16]}"

    @classmethod
    def anonymous(cls, channel: str = "api") -> Principal:
        return cls(id="anonymous", channel=channel)


@dataclass(frozen=True)
class Context:
    """An active dialogue context: a name, turns left, and the parameters it carries."""

    name: str
    lifespan: int
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Query:
    """One turn from a channel: text, an event, or an intent DialogFlow already matched."""

    session: str
    text: str | None = None
    event: str | None = None
    event_parameters: Mapping[str, Any] = field(default_factory=dict)
    principal: Principal = field(default_factory=Principal.anonymous)
    language: str = "en"
    request_id: str | None = None


@dataclass(frozen=True)
class QuickReplies:
    """Buttons that send their text back as the next utterance."""

    options: tuple[str, ...]
    title: str | None = None


@dataclass(frozen=True)
class Button:
    text: str
    postback: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Card:
    title: str
    subtitle: str | None = None
    text: str | None = None
    image_url: str | None = None
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Image:
    """An image; ``data`` holds the bytes when there is no URL (a generated chart).

    ``png`` draws the same picture as PNG bytes, for channels that can't show
    ``mime`` (Slack shows no SVG). It is called on demand, off the event loop,
    so channels that show ``data`` as it is never pay for it.
    """

    alt: str
    url: str | None = None
    data: bytes | None = None
    mime: str = "image/png"
    png: Callable[[], bytes] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Confirmation:
    """Ask the requester to confirm a pending action (rendered as Confirm/Cancel buttons)."""

    prompt: str
    token: str
    confirm_text: str = "yes"
    cancel_text: str = "no"


Part = QuickReplies | Card | Image | Confirmation


@dataclass(frozen=True)
class OutputContext:
    """A context a reply sets: lifespan in turns, 0 removes it."""

    name: str
    lifespan: int = 5
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionEntityType:
    """Entries of a developer entity for one session (ES's ``sessionEntityTypes``): ``override`` replaces the
    entity's own entries for the session, else they are added to them. Each entry is a value and its synonyms."""

    entity: str
    entries: tuple[tuple[str, tuple[str, ...]], ...]
    override: bool = True


@dataclass(frozen=True)
class Reply:
    """What a handler answers; channels render it."""

    text: str
    parts: tuple[Part, ...] = ()
    visibility: Visibility = Visibility.PUBLIC
    contexts: tuple[OutputContext, ...] = ()
    event: str | None = None
    event_parameters: Mapping[str, Any] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)
    session_entities: tuple[SessionEntityType, ...] = ()


@dataclass(frozen=True)
class IntentRef:
    name: str
    display_name: str


@dataclass(frozen=True)
class QueryResult:
    """The engine's answer to a Query, shaped like DialogFlow's QueryResult."""

    query_text: str
    intent: IntentRef | None
    action: str | None
    parameters: Mapping[str, Any]
    contexts: tuple[Context, ...]
    confidence: float
    all_required_params_present: bool
    fulfillment_text: str
    reply: Reply
    language: str = "en"
    notifications: tuple[Reply, ...] = ()
    # The intent ends the conversation (ES's endInteraction, reported as diagnosticInfo.end_conversation).
    end_interaction: bool = False
    # The user cancelled the slot filling of an intent (ES's cancelsSlotFilling).
    cancels_slot_filling: bool = False
