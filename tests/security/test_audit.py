"""The audit log read back: the `chatops audit` function and the admin-only REST endpoint."""

from __future__ import annotations

import argparse
import json
from typing import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from chatops.config import StoreSettings
from chatops.errors import InputError
from chatops.security.audit_view import (
    AuditEndpoint,
    add_audit_arguments,
    audit_command,
    format_records,
    parse_limit,
    parse_since,
)
from chatops.security.masking import MASK, register_secret
from chatops.store import AuditRecord, Store, create_store

DENIED = "denied"
ADMIN_TOKEN = "admin-token-for-tests"


def test_parse_since() -> None:
    assert parse_since("30m", now=10_000) == 10_000 - 1800
    assert parse_since("2 h", now=10_000) == 10_000 - 7200
    assert parse_since("1970-01-02") == 86400
    assert parse_since("1970-01-01T01:00:00Z") == 3600
    assert parse_since("1970-01-01T02:00:00+01:00") == 3600
    with pytest.raises(InputError, match="neither an age"):
        parse_since("yesterday")


@pytest.mark.parametrize("bad", ["0", "1001", "ten"])
def test_parse_limit(bad: str) -> None:
    assert parse_limit("5") == 5
    with pytest.raises(InputError, match="limit"):
        parse_limit(bad)


def record(moment: float, principal: str, action: str, decision: str, parameters: dict[str, str]) -> AuditRecord:
    return AuditRecord(
        time=moment, principal=principal, channel="cli", action=action, parameters=parameters, decision=decision, outcome="ok"
    )


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    backend = create_store(StoreSettings(url="sqlite:///:memory:"))
    await backend.open()
    for moment, principal, action, decision in [
        (100.0, "ana", "secrets.get", "allowed"),
        (200.0, "UBOB", "secrets.put", DENIED),
        (300.0, "ana", "secrets.put", "confirmed"),
    ]:
        await backend.append_audit(record(moment, principal, action, decision, {"path": "/development/db/password", "value": MASK}))
    yield backend
    await backend.close()


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="chatops audit")
    add_audit_arguments(parser)
    return parser.parse_args(list(argv))


async def test_command_filters_newest_first(store: Store) -> None:
    text = await audit_command(parse("--principal", "ana"), store)
    lines = text.splitlines()
    assert len(lines) == 2
    assert lines[0] == (
        f"1970-01-01T00:05:00Z  ana  secrets.put(path=/development/db/password, value={MASK})  confirmed  0ms  ok"
    )
    assert "secrets.get" in lines[1]
    assert (await audit_command(parse("--action", "secrets.put", "--limit", "1"), store)).count("\n") == 0
    assert await audit_command(parse("--since", "1970-01-01T00:04:00"), store) == lines[0]
    assert await audit_command(parse("--action", "pods.list"), store) == "No audit records match."


async def test_command_json(store: Store) -> None:
    docs = [json.loads(line) for line in (await audit_command(parse("--json"), store)).splitlines()]
    assert [d["principal"] for d in docs] == ["ana", "UBOB", "ana"]
    assert docs[1]["decision"] == DENIED and docs[1]["time_iso"] == "1970-01-01T00:03:20Z"


async def test_reading_masks_secrets_registered_after_writing(store: Store) -> None:
    # a value the record's writer did not know was secret, and a secret-named one it did not mask
    await store.append_audit(record(400.0, "ana", "secrets.get", "allowed", {"path": "/x/late-canary-77", "token": "tok-1234"}))
    register_secret("late-canary-77")
    shown = await audit_command(parse(), store)
    assert "late-canary-77" not in shown and "tok-1234" not in shown


def test_format_no_records() -> None:
    assert format_records([]) == "No audit records match."


@pytest.fixture
async def endpoint(store: Store) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/api/v1/audit", AuditEndpoint(lambda request: store, [ADMIN_TOKEN]).handle)
    app.router.add_get("/closed", AuditEndpoint(lambda request: store, []).handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {ADMIN_TOKEN}", "Bearer "])
async def test_endpoint_is_for_admins_only(endpoint: str, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    async with aiohttp.ClientSession() as http, http.get(f"{endpoint}/api/v1/audit", headers=headers) as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "records" not in await response.json()


async def test_endpoint_without_admin_tokens_refuses_everyone(endpoint: str) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{endpoint}/closed", headers={"Authorization": "Bearer "}) as response:
        assert response.status == 401


async def test_endpoint_filters(endpoint: str) -> None:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.get(f"{endpoint}/api/v1/audit", params={"action": "secrets.put", "principal": "UBOB"}) as response:
            assert response.status == 200
            records = (await response.json())["records"]
        assert [(r["principal"], r["decision"], r["parameters"]["value"]) for r in records] == [("UBOB", DENIED, MASK)]
        async with http.get(f"{endpoint}/api/v1/audit", params={"since": "soon"}) as response:
            assert response.status == 400
            assert "neither an age" in (await response.json())["message"]

