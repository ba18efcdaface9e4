"""API failures mapped once, at the boundary, to chat-readable errors."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from kubernetes_asyncio.client.exceptions import ApiException

from chatops.fulfillment import AccessError, InputError, NotFoundError, PermanentError, RetryableError
from handlers.kube.errors import api_errors, to_chat_error


def _api(status: int, reason: str, message: str) -> ApiException:
    exc = ApiException(status=status, reason=reason)
    exc.body = json.dumps({"kind": "Status", "status": "Failure", "reason": reason, "message": message, "code": status})
    return exc


@pytest.mark.parametrize(("exc", "kind", "text"), [
    (_api(403, "Forbidden", "x"), AccessError, "On c1, the bot's service account may not list pods in namespace shop."),
    (_api(401, "Unauthorized", ""), AccessError, "Cluster c1 rejected the bot's credentials."),
    (_api(404, "NotFound", "x"), NotFoundError, "No such namespace shop on c1."),
    (_api(409, "Conflict", "x"), RetryableError, "namespace shop on c1 changed while I was updating it; try again."),
    (_api(410, "Expired", "x"), InputError, "That listing on c1 has expired; please ask again."),
    (_api(422, "Invalid", "spec.x: Required value"), InputError, "c1 refused to list pods in namespace shop: spec.x: Required value"),
    (_api(500, "InternalError", ""), RetryableError, "The cluster API of c1 is not answering; try again in a minute."),
    (_api(429, "TooManyRequests", ""), RetryableError, "The cluster API of c1 is not answering; try again in a minute."),
    (_api(405, "MethodNotAllowed", ""), PermanentError, "c1 could not list pods in namespace shop (HTTP 405 MethodNotAllowed)."),
    (asyncio.TimeoutError(), RetryableError, "The cluster API of c1 is not answering; try again in a minute."),
    (aiohttp.ClientConnectionError("refused"), RetryableError, "The cluster API of c1 is not answering; try again in a minute."),
])
def test_mapping(exc: BaseException, kind: type, text: str) -> None:
    mapped = to_chat_error(exc, cluster="c1", doing="list pods in", what="namespace shop")
    assert type(mapped) is kind and mapped.user_message == text


def test_detail_carries_the_status_message_not_the_body() -> None:
    exc = _api(403, "Forbidden", 'secrets "s" is forbidden')
    exc.body = json.dumps({**json.loads(exc.body), "details": {"leak": "tls.key=AAAA"}})
    with pytest.raises(AccessError) as raised:
        with api_errors("c1", "read", "secret ns/s"):
            raise exc
    assert 'secrets "s" is forbidden' in raised.value.detail and "AAAA" not in raised.value.detail


def test_other_errors_pass_through() -> None:
    with pytest.raises(KeyError):
        with api_errors("c1", "read", "x"):
            raise KeyError("bug")
