"""secrets.list and secrets.history against a moto SSM server."""

from __future__ import annotations

from typing import Awaitable, Callable

import pytest

from chatops.fulfillment import InputError, NotFoundError
from handlers.secrets import table
from tests.handlers.secrets.conftest import Run

Seed = Callable[..., Awaitable[int]]


async def test_list_is_recursive_across_pages_and_shows_no_values(run: Run, seed: Seed) -> None:
    # 23 parameters: three pages of at most 10, at several depths.
    for i in range(20):
        await seed(f"/development/app/key{i:02d}", f"list-canary-{i:02d}", "SecureString" if i % 2 else "String")
    await seed("/development/db/password", "list-canary-db", "SecureString")
    await seed("/development/db/replica/password", "list-canary-replica", "SecureString")
    await seed("/development/top", "list-canary-top")
    await seed("/production/app/key", "list-canary-prod")
    reply = await run("secrets.list", path="/development/")
    names = [p["name"] for p in reply.data["parameters"]]
    assert len(names) == 23 and names == sorted(names)
    assert "/development/db/replica/password" in names and "/production/app/key" not in names
    assert "• /development/db/password (SecureString, version 1)" in reply.text
    assert reply.text.startswith("Parameters under /development (23):")
    assert "list-canary" not in reply.text + repr(reply.data)
    assert reply.data["truncated"] is False


async def test_list_stops_at_fifty(run: Run, seed: Seed) -> None:
    for i in range(52):
        await seed(f"/development/many/p{i:02d}", "v-many")
    reply = await run("secrets.list", path="/development/many")
    assert len(reply.data["parameters"]) == 50 and reply.data["truncated"] is True
    assert "(50+)" in reply.text and "Showing the first 50" in reply.text


async def test_list_empty_path(run: Run) -> None:
    reply = await run("secrets.list", path="/nothing/here")
    assert reply.text == "There are no parameters under /nothing/here."


@pytest.mark.parametrize(("path", "resource"), [("/production", "/production/"), ("/production/", "/production/"), ("/", "/")])
def test_list_resource_is_the_path_as_a_folder(path: str, resource: str) -> None:
    assert table.actions["secrets.list"].resource_of({"path": path}) == resource


async def test_list_rejects_bad_paths(run: Run) -> None:
    with pytest.raises(InputError, match="must start with '/'"):
        await run("secrets.list", path="production")


async def test_history_newest_first_without_values(run: Run, seed: Seed) -> None:
    for i in range(1, 4):
        await seed("/development/db/password", f"history-canary-{i}", "SecureString")
    reply = await run("secrets.history", path="/development/db/password")
    assert [v["version"] for v in reply.data["versions"]] == [3, 2, 1]
    lines = reply.text.splitlines()
    assert lines[0] == "History of /development/db/password (3 versions, newest first):"
    assert lines[1].startswith("• version 3 (SecureString) ") and " UTC by " in lines[1]
    assert "history-canary" not in reply.text + repr(reply.data)


async def test_history_shows_twenty_and_counts_the_rest(run: Run, seed: Seed) -> None:
    for i in range(23):
        await seed("/development/busy", f"busy-{i}")
    reply = await run("secrets.history", path="/development/busy")
    assert len(reply.data["versions"]) == 23
    assert reply.text.count("• version") == 20 and reply.text.endswith("…and 3 older versions.")


async def test_history_of_a_missing_parameter(run: Run) -> None:
    with pytest.raises(NotFoundError, match="no parameter /development/none"):
        await run("secrets.history", path="/development/none")
