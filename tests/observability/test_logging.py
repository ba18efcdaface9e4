"""JSON log lines: one object per line, the request id of the turn, and no secret in any field."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from typing import Any, Iterator

import pytest

from chatops.errors import ConfigError
from chatops.observability.logging import REQUEST_ID, configure_logging, valid_request_id
from chatops.security.masking import MASK, SecretRegistry

SECRET = "hunter2-correct-horse"


@pytest.fixture
def registry() -> SecretRegistry:
    return SecretRegistry()


@pytest.fixture
def stream(registry: SecretRegistry) -> Iterator[io.StringIO]:
    out = io.StringIO()
    undo = configure_logging(level="DEBUG", fmt="json", stream=out, registry=registry)
    yield out
    undo()


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_line_is_one_json_object_with_the_request_id_and_extras(stream: io.StringIO) -> None:
    log = logging.getLogger("chatops.test")
    log.info("outside a request")
    token = REQUEST_ID.set("req-42")
    try:
        log.warning("inside %s", "a turn", extra={"action": "pods.list", "attempt": 2})
    finally:
        REQUEST_ID.reset(token)
    outside, inside = lines(stream)
    assert "request_id" not in outside and outside["message"] == "outside a request"
    assert inside["request_id"] == "req-42"
    assert inside["level"] == "WARNING" and inside["logger"] == "chatops.test" and inside["message"] == "inside a turn"
    assert inside["action"] == "pods.list" and inside["attempt"] == 2
    assert inside["ts"].endswith("+00:00")


async def test_tasks_spawned_in_a_turn_keep_its_request_id(stream: io.StringIO) -> None:
    async def background() -> None:
        await asyncio.sleep(0)
        logging.getLogger("chatops.bg").info("late part of the turn")

    token = REQUEST_ID.set("req-bg")
    task = asyncio.get_running_loop().create_task(background())
    REQUEST_ID.reset(token)
    await task
    assert lines(stream)[-1]["request_id"] == "req-bg"


def test_registered_secrets_are_masked_in_message_args_extras_and_traceback(
    stream: io.StringIO, registry: SecretRegistry
) -> None:
    registry.register(SECRET)
    log = logging.getLogger("chatops.test")
    log.info("value is %s", SECRET, extra={"upstream": f"body={SECRET}"})
    try:
        raise RuntimeError(f"failed with {SECRET}")
    except RuntimeError:
        log.exception("handler crashed")
    text = stream.getvalue()
    assert SECRET not in text
    first, second = lines(stream)
    assert first["message"] == f"value is {MASK}" and first["upstream"] == f"body={MASK}"
    assert f"RuntimeError: failed with {MASK}" in second["exc"]


def test_text_format_and_a_wrong_format_name(registry: SecretRegistry) -> None:
    out = io.StringIO()
    undo = configure_logging(level="INFO", fmt="text", stream=out, registry=registry)
    try:
        logging.getLogger("chatops.test").info("plain")
    finally:
        undo()
    assert out.getvalue().rstrip().endswith("INFO chatops.test [-]: plain")
    with pytest.raises(ConfigError, match="json or text"):
        configure_logging(fmt="xml")


@pytest.mark.parametrize(
    ("value", "ok"),
    [("abc-123", True), ("a" * 128, True), ("a" * 129, False), ("", False), ("bad id", False), ("x\ninjected", False), (None, False)],
)
def test_request_id_shape(value: str | None, ok: bool) -> None:
    assert valid_request_id(value) is ok
