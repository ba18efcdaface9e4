"""Secret masking: by parameter name, by registered value, and in log records."""

from __future__ import annotations

import io
import json
import logging
from typing import Iterator
from urllib.parse import quote_plus

import pytest

from chatops.security.masking import (
    MASK,
    RedactingFilter,
    SecretRegistry,
    install_log_redaction,
    is_secret_name,
    mask_parameters,
    redact,
    register_secret,
    register_secret_parameters,
)

SECRET = 'pa"ss w0rd/ÿ'


@pytest.fixture
def registry() -> SecretRegistry:
    return SecretRegistry()


@pytest.mark.parametrize("name", ["value", "new_value", "password", "db_passwd", "token", "api_key", "client-secret", "Credentials"])
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["path", "decrypt", "namespace", "cluster", "type", "key"])
def test_ordinary_names(name: str) -> None:
    assert not is_secret_name(name)


def test_mask_parameters_by_name_and_by_value(registry: SecretRegistry) -> None:
    registry.register("hunter2-canary")
    params = {
        "path": "/development/db/password",
        "value": "anything",
        "empty_token": "",
        "note": "the password is hunter2-canary, keep it",
        "nested": {"password": ["a", "b"], "names": ["x", "hunter2-canary"]},
        "count": 3,
    }
    masked = mask_parameters(params, registry)
    assert masked == {
        "path": "/development/db/password",
        "value": MASK,
        "empty_token": "",
        "note": f"the password is {MASK}, keep it",
        "nested": {"password": MASK, "names": ["x", MASK]},
        "count": 3,
    }
    assert params["value"] == "anything"  # a copy, not in place


def test_registered_values_are_redacted_in_their_escaped_forms(registry: SecretRegistry) -> None:
    registry.register(SECRET)
    for form in (SECRET, json.dumps(SECRET)[1:-1], quote_plus(SECRET), repr(SECRET.encode())[2:-1]):
        text = f"before {form} after"
        assert registry.reveals(text)
        assert registry.redact(text) == f"before {MASK} after"


def test_short_values_are_not_registered(registry: SecretRegistry) -> None:
    registry.register("abc")
    registry.register("  ")
    assert not registry.active()
    assert registry.redact("abc") == "abc"


def test_longer_secrets_win_over_shorter_ones_inside_them(registry: SecretRegistry) -> None:
    registry.register("abcd")
    registry.register("xxabcdxx")
    assert registry.redact("[xxabcdxx] [abcd]") == f"[{MASK}] [{MASK}]"


def test_entries_expire_and_are_bounded() -> None:
    now = [0.0]
    registry = SecretRegistry(ttl_seconds=10, max_entries=3, clock=lambda: now[0])
    registry.register("first-secret")
    now[0] = 5
    registry.register("second-secret")
    assert registry.reveals("first-secret") and registry.reveals("second-secret")
    now[0] = 11
    assert not registry.reveals("first-secret") and registry.reveals("second-secret")
    for i in range(5):
        registry.register(f"more-secret-{i}")
    assert registry.reveals("more-secret-4") and not registry.reveals("more-secret-0")


def test_register_secret_parameters(registry: SecretRegistry) -> None:
    register_secret_parameters({"path": "/development/x", "value": "typed-in-chat", "opts": {"token": ["tok-abcdef"]}}, registry)
    assert registry.reveals("typed-in-chat") and registry.reveals("tok-abcdef")
    assert not registry.reveals("/development/x")


def test_default_registry_functions() -> None:
    register_secret("default-registry-canary-1")
    assert redact("x default-registry-canary-1 y") == f"x {MASK} y"


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s|%(user)s"))
    log = logging.getLogger("tests.security.masking")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    yield log, stream
    log.removeHandler(handler)


def test_filter_redacts_message_args_traceback_and_extras(registry: SecretRegistry, logger: tuple[logging.Logger, io.StringIO]) -> None:
    log, stream = logger
    log.handlers[0].addFilter(RedactingFilter(registry))
    registry.register("s3cr3t-canary")
    log.info("fetched %s for %s", "s3cr3t-canary", "ana", extra={"user": "ana s3cr3t-canary"})
    try:
        raise RuntimeError("upstream echoed s3cr3t-canary")
    except RuntimeError:
        log.exception("failed", extra={"user": "ana"})
    output = stream.getvalue()
    assert "s3cr3t-canary" not in output
    assert f"fetched {MASK} for ana|ana {MASK}" in output
    assert f"RuntimeError: upstream echoed {MASK}" in output


def test_filter_leaves_clean_records_alone(registry: SecretRegistry, logger: tuple[logging.Logger, io.StringIO]) -> None:
    log, stream = logger
    log.handlers[0].addFilter(RedactingFilter(registry))
    log.info("count %d", 3, extra={"user": "ana"})
    assert stream.getvalue() == "count 3|ana\n"


def test_install_reaches_handlers_added_later(registry: SecretRegistry, caplog: pytest.LogCaptureFixture) -> None:
    uninstall = install_log_redaction(registry)
    try:
        registry.register("late-handler-canary")
        with caplog.at_level(logging.DEBUG):
            logging.getLogger("tests.anything").warning("value=%s", "late-handler-canary")
            logging.getLogger("botocore.parsers").debug("Response body: %r", b"late-handler-canary and more")
            logging.getLogger("botocore.parsers").warning("kept")
    finally:
        uninstall()
    assert "late-handler-canary" not in caplog.text
    assert f"value={MASK}" in caplog.text
    assert "Response body" not in caplog.text and "kept" in caplog.text
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("tests.anything").warning("after %s", "late-handler-canary")
    assert "after late-handler-canary" in caplog.text  # uninstalled
