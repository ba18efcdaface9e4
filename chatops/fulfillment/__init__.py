"""The public fulfillment API: what handler modules import."""

from chatops.errors import AccessError, BackendError, ChatOpsError, InputError, NotFoundError, PermanentError, RetryableError
from chatops.fulfillment.registry import Action, HandlerCall, HandlerTable, Registry, Resources
from chatops.security.masking import register_secret
from chatops.models import (
    Button,
    Card,
    Confirmation,
    Image,
    OutputContext,
    Principal,
    QuickReplies,
    Reply,
    Visibility,
)

__all__ = [
    "AccessError",
    "Action",
    "BackendError",
    "Button",
    "Card",
    "ChatOpsError",
    "Confirmation",
    "HandlerCall",
    "HandlerTable",
    "Image",
    "InputError",
    "NotFoundError",
    "OutputContext",
    "PermanentError",
    "Principal",
    "QuickReplies",
    "Registry",
    "Reply",
    "Resources",
    "register_secret",
    "RetryableError",
    "Visibility",
]
