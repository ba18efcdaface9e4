"""Kubernetes API failures turned into chat-readable errors, once, at the client boundary.

Only the Status object's reason and message go into an error's private detail:
never a whole response body, which for a Secret could carry key material.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import contextmanager
from typing import Iterator

import aiohttp

from chatops.fulfillment import AccessError, InputError, NotFoundError, PermanentError, RetryableError
from handlers.kube import k8s


def status_of(exc: k8s.ApiException) -> tuple[str, str]:
    """The (reason, message) of the Status object an API error carries, when it has one."""
    try:
        body = json.loads(exc.body) if exc.body else {}
    except (TypeError, ValueError):
        body = {}
    if not isinstance(body, dict):
        body = {}
    return str(body.get("reason") or exc.reason or ""), str(body.get("message") or "")


def to_chat_error(exc: BaseException, *, cluster: str, doing: str, what: str) -> Exception:
    """Map one failure of ``doing`` (``"list pods in"``) on ``what`` to a chatops error.

    Anything not recognised is returned unchanged, so programming errors stay loud.
    """
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ClientError, ConnectionError)):
        return RetryableError(
            f"The cluster API of {cluster} is not answering; try again in a minute.",
            detail=f"{cluster}: {doing} {what}: {type(exc).__name__}: {exc}",
        )
    if not isinstance(exc, k8s.ApiException):
        return exc
    reason, message = status_of(exc)
    detail = f"{cluster}: {doing} {what}: HTTP {exc.status} {reason}: {message}"
    status = exc.status or 0
    if status == 401:
        return AccessError(f"Cluster {cluster} rejected the bot's credentials.", detail=detail)
    if status == 403:
        return AccessError(f"On {cluster}, the bot's service account may not {doing} {what}.", detail=detail)
    if status == 404:
        return NotFoundError(f"No such {what} on {cluster}.", detail=detail)
    if status == 409:
        return RetryableError(f"{what} on {cluster} changed while I was updating it; try again.", detail=detail)
    if status == 410:
        return InputError(f"That listing on {cluster} has expired; please ask again.", detail=detail)
    if status in (400, 422):
        return InputError(f"{cluster} refused to {doing} {what}: {message or reason}", detail=detail)
    if status == 429 or status >= 500 or status == 0:
        return RetryableError(f"The cluster API of {cluster} is not answering; try again in a minute.", detail=detail)
    return PermanentError(f"{cluster} could not {doing} {what} (HTTP {status} {reason}).", detail=detail)


@contextmanager
def api_errors(cluster: str, doing: str, what: str) -> Iterator[None]:
    """Run a block of API calls, raising chatops errors for API and transport failures."""
    try:
        yield
    except (k8s.ApiException, asyncio.TimeoutError, aiohttp.ClientError, ConnectionError) as exc:
        raise to_chat_error(exc, cluster=cluster, doing=doing, what=what) from exc
