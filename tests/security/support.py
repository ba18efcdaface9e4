"""The attacker's test bench: guarded actions that record whether they ran, a canary secret, and the app serving them.

``sec.read`` answers privately with the canary, ``sec.put`` overwrites it after
a confirmation; both are scoped to an SSM-style path, so a policy decides who
may use them. ``RAN`` lists every handler run, so a test can tell "refused"
from "ran and then failed to answer".
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

import yaml
from aiohttp.test_utils import TestClient

from chatops.config import Settings
from chatops.fulfillment import HandlerCall, HandlerTable, Reply, Visibility
from tests.channels import channel_table
from tests.channels.support import INTENTS, channel_settings, serve

CANARY = "canary-7f3a9c1e5b2d"
RAN: list[tuple[str, str]] = []

table = HandlerTable("security-bench")


def _path(parameters: dict[str, Any]) -> str:
    path = parameters.get("path")
    return path if isinstance(path, str) and path else "/development/canary"


@table.action("sec.read", access="ssm:get", resource=_path)
async def read(call: HandlerCall) -> Reply:
    RAN.append(("sec.read", call.principal.identity))
    return Reply(text=f"The canary is {CANARY}", visibility=Visibility.SECRET)


@table.action("sec.put", access="ssm:put", confirm=True, resource=_path)
async def put(call: HandlerCall) -> Reply:
    RAN.append(("sec.put", call.principal.identity))
    return Reply(text=f"Overwrote {_path(dict(call.parameters))}.")


BENCH_INTENTS = INTENTS + [
    {"name": "sec.read", "action": "sec.read",
     "phrases": ["read the canary secret", "show me the canary", "get the canary secret", "what is the canary"]},
    {"name": "sec.put", "action": "sec.put",
     "phrases": ["overwrite the canary", "put a new canary", "write the canary secret", "change the canary"]},
]


def bench_agent(root: Path) -> Path:
    (root / "intents").mkdir(parents=True, exist_ok=True)
    for intent in BENCH_INTENTS:
        (root / "intents" / f"{intent['name']}.yaml").write_text(yaml.safe_dump(intent))
    return root


def policy_file(root: Path, principals: list[str], *, actions: tuple[str, ...] = ("ssm:get", "ssm:put")) -> Path:
    """A policy granting ``actions`` on /development/* to ``principals`` (and nothing to anyone else)."""
    path = root / "policy.yaml"
    path.write_text(yaml.safe_dump({
        "version": 1,
        "roles": {"dev": {"statements": [{"effect": "allow", "actions": list(actions), "resources": ["/development/*"]}]}},
        "bindings": [{"principals": principals, "roles": ["dev"]}],
    }))
    return path


def bench_settings(root: Path, principals: list[str] | None = None, **groups: Any) -> Settings:
    """Settings for the bench agent; with ``principals``, a policy file binds them (loaded and checked as in production)."""
    security = dict(groups.pop("security", {}))
    if principals is not None:
        security["policy_file"] = str(policy_file(root, principals))
    return channel_settings(bench_agent(root / "agent"), security=security, **groups)


@asynccontextmanager
async def bench(settings: Settings, **kwargs: Any) -> AsyncIterator[TestClient]:
    """The real app with the bench and channel tables, under the settings' own policy file."""
    RAN.clear()
    kwargs.setdefault("tables", [table, channel_table.table])
    kwargs.setdefault("policy", None)
    async with serve(settings, **kwargs) as client:
        yield client
