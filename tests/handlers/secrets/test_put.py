"""secrets.put (rotation) and its plan against a moto SSM server."""

from __future__ import annotations

from typing import Awaitable, Callable

import pytest

from chatops.config import Settings
from chatops.fulfillment import InputError
from chatops.security.masking import MASK, redact
from handlers.secrets import plan_put, table
from handlers.ssm_client import SsmClient
from tests.handlers.secrets.conftest import Run, make_call

Seed = Callable[..., Awaitable[int]]


def test_put_is_guarded() -> None:
    action = table.actions["secrets.put"]
    assert (action.access, action.confirm, action.plan) == ("ssm:put", True, plan_put)
    assert action.resource_of({"path": "/development/db/password"}) == "/development/db/password"


async def test_put_overwrites_as_a_new_version_keeping_the_type(run: Run, seed: Seed, ssm: SsmClient) -> None:
    await seed("/development/db/password", "old-value-0001", "SecureString")
    reply = await run("secrets.put", path="/development/db/password", value="rotated-canary-0001")
    assert reply.text == "Done: /development/db/password is now at version 2 (SecureString). The value is not shown."
    assert reply.data == {"name": "/development/db/password", "type": "SecureString", "version": 2}
    assert "rotated-canary-0001" not in reply.text + repr(reply.data)
    current = await ssm.get("/development/db/password", decrypt=True)
    assert (current.value, current.version, current.type) == ("rotated-canary-0001", 2, "SecureString")
    assert [v.version for v in await ssm.history("/development/db/password")] == [1, 2]


async def test_put_creates_secure_strings_by_default(run: Run, ssm: SsmClient) -> None:
    reply = await run("secrets.put", path="/development/new/token", value="  new-canary-0001 ")
    assert "version 1 (SecureString)" in reply.text
    created = await ssm.get("/development/new/token", decrypt=True)
    assert (created.type, created.value) == ("SecureString", "new-canary-0001")
    assert redact("new-canary-0001") == MASK


async def test_put_with_an_explicit_type(run: Run, ssm: SsmClient) -> None:
    await run("secrets.put", path="/development/app/hosts", value="a,b", type="string list")
    assert (await ssm.get("/development/app/hosts", decrypt=False)).type == "StringList"


async def test_plan_describes_the_change_without_the_value(ssm: SsmClient, settings: Settings, seed: Seed) -> None:
    await seed("/development/db/password", "old-value-0002", "SecureString")
    call = make_call("secrets.put", ssm, settings, path="/development/db/password", value="plan-canary-0001")
    plan = await plan_put(call)
    assert plan.text == (
        "I will write a new value to /development/db/password (SecureString): version 1 becomes version 2; "
        "the old value stays in its history. The value is not shown."
    )
    assert plan.data == {"name": "/development/db/password", "type": "SecureString", "current_version": 1, "next_version": 2}
    assert "plan-canary-0001" not in plan.text + repr(plan.data) and "old-value-0002" not in plan.text
    assert (await ssm.get("/development/db/password", decrypt=True)).version == 1  # planning wrote nothing


async def test_plan_for_a_new_parameter_and_a_type_change(ssm: SsmClient, settings: Settings, seed: Seed) -> None:
    created = await plan_put(make_call("secrets.put", ssm, settings, path="/development/fresh", value="plan-canary-2"))
    assert created.text == "I will create /development/fresh as a SecureString (version 1). The value is not shown."
    await seed("/development/plain", "plain")
    changed = await plan_put(make_call("secrets.put", ssm, settings, path="/development/plain", value="x-secret", type="SecureString"))
    assert "Its type changes from String to SecureString." in changed.text


@pytest.mark.parametrize(
    ("parameters", "words"),
    [
        ({"path": "/development/x"}, "What should the new value"),
        ({"path": "/development/x", "value": "   "}, "What should the new value"),
        ({"path": "/aws/reserved", "value": "v-0001"}, "reserved by AWS"),
        ({"path": "/SSM/reserved", "value": "v-0001"}, "reserved by AWS"),
        ({"path": "/development/x", "value": "v-0001", "type": "blob"}, "not an SSM parameter type"),
    ],
)
async def test_put_refuses_bad_requests(run: Run, parameters: dict[str, str], words: str) -> None:
    with pytest.raises(InputError, match=words):
        await run("secrets.put", **parameters)
