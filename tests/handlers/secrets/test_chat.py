"""Secrets through the whole chat (ChatHarness): policy, confirmation, audit, private delivery.

The bundled agent understands the utterances; SSM is a moto server; the access
policy is a real policy file. One harness serves the module (training the NLU
takes seconds); every test uses its own session.
"""

from __future__ import annotations

import urllib.request
from typing import AsyncIterator

import pytest
import pytest_asyncio

from chatops.config import Settings, load_settings
from chatops.fulfillment import texts
from chatops.models import Confirmation, Principal, Visibility
from chatops.security.masking import MASK
from chatops.security.policy import Policy
from chatops.store.base import AuditRecord
from chatops.testing import ChatHarness
from handlers.ssm_client import SsmClient

pytestmark = pytest.mark.asyncio(loop_scope="module")

ANA = Principal(id="ana", channel="cli")  # rotates development, reads production
BOB = Principal(id="bob", channel="cli")  # development only
EVE = Principal(id="eve", channel="cli")  # no role

POLICY = """\
roles:
  ssm-prod-readonly:
    statements:
      - {effect: allow, actions: [ssm:get, ssm:list, ssm:history], resources: ["/production/*"]}
  ssm-dev-readwrite:
    statements:
      - {effect: allow, actions: [ssm:get, ssm:list, ssm:history, ssm:put], resources: ["/development/*"]}
bindings:
  - {principals: [cli:ana], roles: [ssm-dev-readwrite, ssm-prod-readonly]}
  - {principals: [cli:bob], roles: [ssm-dev-readwrite]}
"""


def chat_settings(moto_url: str, **security: object) -> Settings:
    return load_settings(
        env={},
        overrides={
            "store": {"url": "sqlite:///:memory:"},
            "aws": {"endpoint_url": moto_url, "access_key_id": "testing", "secret_access_key": "testing"},
            "security": security,
        },
    )


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    path = tmp_path_factory.mktemp("policy") / "policy.yaml"
    path.write_text(POLICY)
    return Policy.load(path)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def chat(moto_url: str, policy: Policy) -> AsyncIterator[ChatHarness]:
    async with ChatHarness(chat_settings(moto_url), policy=policy, principal=ANA) as harness:
        yield harness


@pytest_asyncio.fixture(loop_scope="module")
async def ssm(chat: ChatHarness, moto_url: str) -> SsmClient:
    urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")).close()
    client = chat.runtime.resources.get(SsmClient)
    await client.put("/development/db/password", "dev-old-value", kind="SecureString")
    await client.put("/production/db/password", "prod-canary-value", kind="SecureString")
    return client


async def audit_of(chat: ChatHarness, session: str) -> list[AuditRecord]:
    records = await chat.runtime.store.query_audit(limit=1000)
    return [r for r in reversed(records) if r.session == session]


async def test_rotation_is_confirmed_then_writes_a_new_version(chat: ChatHarness, ssm: SsmClient) -> None:
    plan = await chat.say("set /development/db/password to rotated-value-1", session="rotate")
    assert plan.text.startswith("I will write a new value to /development/db/password (SecureString): version 1 becomes version 2")
    assert plan.text.endswith(texts.CONFIRM_QUESTION)
    assert any(isinstance(p, Confirmation) for p in plan.parts)
    assert "rotated-value-1" not in plan.text
    assert (await ssm.get("/development/db/password", decrypt=True)).version == 1  # nothing written yet

    done = await chat.say("yes", session="rotate")
    assert done.text == "Done: /development/db/password is now at version 2 (SecureString). The value is not shown."
    current = await ssm.get("/development/db/password", decrypt=True)
    assert (current.version, current.value) == (2, "rotated-value-1")
    records = await audit_of(chat, "rotate")
    assert [(r.action, r.decision, r.outcome) for r in records] == [
        ("secrets.put", "pending-confirmation", "asked"),
        ("secrets.put", "confirmed", "started"),
        ("secrets.put", "confirmed", "ok"),
    ]
    assert all(r.parameters["value"] == MASK for r in records)


async def test_no_cancels_and_nothing_changes(chat: ChatHarness, ssm: SsmClient) -> None:
    await chat.say("set /development/db/password to never-written", session="decline")
    reply = await chat.say("no", session="decline")
    assert reply.text == texts.CANCELLED
    assert (await ssm.get("/development/db/password", decrypt=True)).value == "dev-old-value"
    assert (await audit_of(chat, "decline"))[-1].decision == "cancelled"


async def test_only_the_requester_can_confirm(chat: ChatHarness, ssm: SsmClient) -> None:
    await chat.say("set /development/db/password to ana-value", session="shared")
    hijack = await chat.say("yes", session="shared", principal=BOB)
    assert hijack.text == texts.ONLY_REQUESTER
    assert (await ssm.get("/development/db/password", decrypt=True)).version == 1
    done = await chat.say("yes", session="shared")
    assert done.text.startswith("Done: /development/db/password is now at version 2")


async def test_a_put_outside_the_role_is_refused_before_any_plan(chat: ChatHarness, ssm: SsmClient) -> None:
    reply = await chat.say("set /production/db/password to bob-value", session="bob-prod", principal=BOB)
    assert "ssm:put on /production/db/password" in reply.text
    assert not any(isinstance(p, Confirmation) for p in reply.parts)
    assert (await ssm.get("/production/db/password", decrypt=True)).version == 1
    [record] = await audit_of(chat, "bob-prod")
    assert (record.principal, record.decision, record.parameters["value"]) == ("cli:bob", "denied", MASK)


async def test_production_secure_string_reaches_only_its_role_and_privately(chat: ChatHarness, ssm: SsmClient) -> None:
    masked = await chat.say("get the secret /production/db/password", session="prod-read")
    assert masked.visibility is Visibility.PUBLIC and "prod-canary-value" not in masked.text

    revealed = await chat.say("get the secret /production/db/password decrypted", session="prod-read")
    assert revealed.visibility is Visibility.SECRET
    assert revealed.text == "/production/db/password (SecureString, version 1): prod-canary-value"

    refused = await chat.say("get the secret /production/db/password decrypted", session="bob-read", principal=BOB)
    assert refused.visibility is Visibility.PUBLIC
    assert "ssm:get on /production/db/password" in refused.text and "ssm-dev-readwrite" in refused.text
    assert "prod-canary-value" not in refused.text


async def test_a_forbidden_request_is_refused_audited_and_explained(chat: ChatHarness, ssm: SsmClient) -> None:
    reply = await chat.say("list secrets under /production", session="eve", principal=EVE)
    assert reply.text == texts.DENIED.format(
        permission="ssm:list", on=" on /production/", reason=" (you hold no role that grants it)"
    )
    [record] = await audit_of(chat, "eve")
    assert (record.principal, record.action, record.decision) == ("cli:eve", "secrets.list", "denied")
    assert record.outcome == "you hold no role that grants it"


async def test_an_invalid_path_is_explained_before_the_policy(chat: ChatHarness, ssm: SsmClient) -> None:
    reply = await chat.say("show the history of /development//db", session="bad-path", principal=EVE)
    assert "not a valid SSM parameter" in reply.text


@pytest_asyncio.fixture(loop_scope="module")
async def hasty_chat(moto_url: str, policy: Policy) -> AsyncIterator[ChatHarness]:
    """A harness whose confirmations expire at once."""
    async with ChatHarness(chat_settings(moto_url, confirm_ttl_seconds=0), policy=policy, principal=ANA) as harness:
        yield harness


async def test_an_expired_confirmation_cancels(hasty_chat: ChatHarness, ssm: SsmClient) -> None:
    await hasty_chat.say("set /development/db/password to too-late", session="expiry")
    reply = await hasty_chat.say("yes", session="expiry")
    assert reply.text == texts.CONFIRMATION_EXPIRED
    assert (await ssm.get("/development/db/password", decrypt=True)).value == "dev-old-value"
    assert (await audit_of(hasty_chat, "expiry"))[-1].outcome == "confirmation expired"

