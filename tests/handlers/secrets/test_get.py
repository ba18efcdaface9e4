"""secrets.get against a moto SSM server."""

from __future__ import annotations

from typing import Any, Awaitable, Callable

import pytest

from chatops.fulfillment import InputError, NotFoundError, Reply, Visibility
from chatops.security.masking import MASK, redact
from tests.handlers.secrets.conftest import Run

Seed = Callable[..., Awaitable[int]]


def everything_but_text(reply: Reply) -> str:
    """All a reply carries besides its text, as one string to search."""
    parts: list[Any] = [reply.data, [c.parameters for c in reply.contexts], reply.parts, reply.event_parameters]
    return repr(parts)


async def test_string(run: Run, seed: Seed) -> None:
    await seed("/development/app/url", "https://dev.example.com")
    reply = await run("secrets.get", path="/development/app/url")
    assert reply.text == "/development/app/url (String, version 1): https://dev.example.com"
    assert reply.visibility is Visibility.PUBLIC
    assert reply.data == {"name": "/development/app/url", "type": "String", "version": 1, "value": "https://dev.example.com"}
    assert reply.contexts[0].parameters == {"path": "/development/app/url"}


async def test_string_list(run: Run, seed: Seed) -> None:
    await seed("/development/app/hosts", "a.example.com,b.example.com", "StringList")
    reply = await run("secrets.get", path=" `/development/app/hosts`? ")
    assert reply.text == "/development/app/hosts (StringList, version 1): a.example.com,b.example.com"


async def test_secure_string_without_decryption_shows_no_value(run: Run, seed: Seed) -> None:
    await seed("/production/db/password", "prod-canary-0001", "SecureString")
    reply = await run("secrets.get", path="/production/db/password")
    assert "SecureString (version 1)" in reply.text and "decrypt" in reply.text
    # moto answers "kms:alias/aws/ssm:prod-canary-0001" without decryption: neither form may show.
    assert "prod-canary-0001" not in reply.text + everything_but_text(reply)
    assert "kms:" not in reply.text
    assert reply.visibility is Visibility.PUBLIC
    assert reply.data == {"name": "/production/db/password", "type": "SecureString", "version": 1}


@pytest.mark.parametrize("decrypt", [True, "yes", "decrypt"])
async def test_secure_string_decrypted_only_in_a_secret_reply(run: Run, seed: Seed, decrypt: object) -> None:
    await seed("/production/db/password", "prod-canary-0002", "SecureString")
    reply = await run("secrets.get", path="/production/db/password", decrypt=decrypt)
    assert reply.visibility is Visibility.SECRET
    assert reply.text == "/production/db/password (SecureString, version 1): prod-canary-0002"
    assert "prod-canary-0002" not in everything_but_text(reply)
    # registered: from now on logs and records have it masked
    assert redact("leaked prod-canary-0002") == f"leaked {MASK}"


async def test_not_found(run: Run) -> None:
    with pytest.raises(NotFoundError) as caught:
        await run("secrets.get", path="/development/missing")
    assert caught.value.user_message == "There is no parameter /development/missing in SSM."


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("development/db", "must start with '/'"),
        ("/development/db/", "ends with '/'"),
        ("/development//db", "not a valid SSM parameter"),
        ("/development/db password", "not a valid SSM parameter"),
        ("/" + "/".join(["a"] * 16), "at most 15"),
        ("", "Which parameter?"),
        ("/", "ends with '/'"),
    ],
)
async def test_invalid_paths_are_explained_before_any_request(run: Run, path: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        await run("secrets.get", path=path)


async def test_decrypt_must_be_yes_or_no(run: Run, seed: Seed) -> None:
    await seed("/development/x", "value-x")
    with pytest.raises(InputError, match="yes or no"):
        await run("secrets.get", path="/development/x", decrypt="perhaps")
