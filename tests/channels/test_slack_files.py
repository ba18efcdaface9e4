"""Picking the CSV among shared files and downloading it from the fake Slack with the bot token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from chatops.channels.slack_files import download_csv, pick_csv, size_text, trusted
from chatops.errors import InputError, NotFoundError, PermanentError, RetryableError
from tests.fakes.slack import BOT_TOKEN, FakeSlack

PLOTS = b"plot,area,price\na,1000,52000\nb,1500,61000\n"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def fetch(http: aiohttp.ClientSession, fake: FakeSlack, file: dict[str, Any], *, token: str = BOT_TOKEN, limit: int = 1 << 20) -> str:
    return await download_csv(http, file, token=token, limit=limit, api_base_url=fake.base_url)


def test_the_csv_is_picked_among_the_shared_files() -> None:
    photo = {"name": "cat.png", "filetype": "png", "mimetype": "image/png", "pretty_type": "PNG"}
    snippet = {"name": "plots", "filetype": "text", "mimetype": "text/plain"}
    odd = {"name": "plots.CSV", "filetype": "binary", "mimetype": "application/octet-stream"}
    assert pick_csv([photo, snippet]) is snippet
    assert pick_csv([{"name": "a", "mimetype": "text/csv; charset=utf-8"}])["name"] == "a"
    assert pick_csv([odd]) is odd
    with pytest.raises(InputError, match=r"cat.png is not a CSV file \(Slack says: PNG\)"):
        pick_csv([photo])
    with pytest.raises(InputError, match="Excel Spreadsheet"):
        pick_csv([{"name": "plots.xlsx", "filetype": "xlsx", "pretty_type": "Excel Spreadsheet"}])


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("https://files.slack.com/files-pri/T1-F1/download/a.csv", True),
        ("https://files.slack-gov.com/files-pri/T1-F1/a.csv", True),
        ("http://files.slack.com/files-pri/T1-F1/a.csv", False),  # the token never travels in clear
        ("https://files.slack.com.evil.example/a.csv", False),
        ("https://evilslack.com/a.csv", False),
        ("http://127.0.0.1:9/api/../files-pri/x", True),  # the configured API host (a test server)
        ("http://127.0.0.1:10/files-pri/x", False),
    ],
)
def test_the_token_goes_only_to_slack(url: str, allowed: bool) -> None:
    assert trusted(url, "http://127.0.0.1:9/api/") is allowed


async def test_the_file_is_downloaded_with_the_bot_token(fake_slack: FakeSlack, http: aiohttp.ClientSession) -> None:
    file = fake_slack.share_file("plots.csv", b"\xef\xbb\xbf" + PLOTS)
    assert await fetch(http, fake_slack, file) == PLOTS.decode()  # the byte-order mark is dropped
    del file["url_private_download"]
    assert await fetch(http, fake_slack, file) == PLOTS.decode()  # url_private serves it too
    assert [(d.token, d.status) for d in fake_slack.downloads] == [(BOT_TOKEN, 200), (BOT_TOKEN, 200)]


async def test_a_refused_download_says_what_the_bot_needs(fake_slack: FakeSlack, http: aiohttp.ClientSession) -> None:
    file = fake_slack.share_file("plots.csv", PLOTS)
    with pytest.raises(PermanentError, match=r"plots.csv \(HTTP 403\).*files:read scope") as wrong_token:
        await fetch(http, fake_slack, file, token="xoxb-someone-else")
    fake_slack.scopes.discard("files:read")
    with pytest.raises(PermanentError, match="HTTP 403"):
        await fetch(http, fake_slack, file)
    assert [d.status for d in fake_slack.downloads] == [403, 403]
    assert "xoxb" not in wrong_token.value.user_message


async def test_a_deleted_file_is_gone(fake_slack: FakeSlack, http: aiohttp.ClientSession) -> None:
    file = fake_slack.share_file("plots.csv", PLOTS)
    del fake_slack.files[file["id"]]
    with pytest.raises(NotFoundError, match=r"plots.csv is no longer on Slack \(HTTP 404\)"):
        await fetch(http, fake_slack, file)


async def test_a_file_too_large_is_refused_before_and_while_reading(fake_slack: FakeSlack, http: aiohttp.ClientSession) -> None:
    big = fake_slack.share_file("big.csv", b"a,b\n" + b"1,2\n" * 100_000)
    with pytest.raises(InputError, match="big.csv is larger than 1.0 MB"):
        await fetch(http, fake_slack, {**big, "size": 2 << 20}, limit=1 << 20)
    assert fake_slack.downloads == []  # the declared size was enough to refuse
    with pytest.raises(InputError, match="larger than 2 KB"):
        await fetch(http, fake_slack, {**big, "size": 10}, limit=2048)  # a wrong declared size: the read stops
    assert [d.status for d in fake_slack.downloads] == [200]


async def test_binary_and_windows_text(fake_slack: FakeSlack, http: aiohttp.ClientSession) -> None:
    binary = fake_slack.share_file("plots.csv", b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InputError, match="plots.csv is not a text file"):
        await fetch(http, fake_slack, binary)
    excel = fake_slack.share_file("caf\xe9.csv", "café,price\n1,2\n".encode("cp1252"))
    assert await fetch(http, fake_slack, excel) == "café,price\n1,2\n"


async def test_links_missing_or_off_slack_are_not_fetched(fake_slack: FakeSlack, http: aiohttp.ClientSession) -> None:
    with pytest.raises(InputError, match="no download link for plots.csv"):
        await fetch(http, fake_slack, {"id": "F1", "name": "plots.csv"})
    with pytest.raises(PermanentError, match="does not point at Slack"):
        await fetch(http, fake_slack, {"id": "F1", "name": "plots.csv", "url_private": "https://example.com/plots.csv"})
    assert fake_slack.downloads == []


async def test_a_sign_in_page_or_redirect_counts_as_refused(http: aiohttp.ClientSession) -> None:
    """What files.slack.com does for a token it does not accept, instead of a 403."""

    async def login(request: web.Request) -> web.Response:
        if request.path.endswith("redirect.csv"):
            raise web.HTTPFound("/signin")
        if request.path.endswith("busy.csv"):
            return web.Response(status=503)
        return web.Response(text="<html>Sign in to Slack</html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/{name}", login)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    try:
        for name, error, problem in [
            ("page.csv", PermanentError, "sign-in page"), ("redirect.csv", PermanentError, "HTTP 302"),
            ("busy.csv", RetryableError, "HTTP 503"),
        ]:
            with pytest.raises(error, match=problem):
                await download_csv(http, {"name": name, "url_private": f"{base}/{name}"}, token=BOT_TOKEN, limit=1024, api_base_url=f"{base}/api/")
    finally:
        await runner.cleanup()


async def test_an_unreachable_slack_is_worth_retrying(http: aiohttp.ClientSession) -> None:
    file = {"name": "plots.csv", "url_private": "http://127.0.0.1:9/files-pri/T-F/plots.csv"}
    with pytest.raises(RetryableError, match="the connection failed"):
        await download_csv(http, file, token=BOT_TOKEN, limit=1024, api_base_url="http://127.0.0.1:9/api/")


def test_sizes_read_well() -> None:
    assert [size_text(n) for n in (512, 2048, 1_048_576, 5_500_000)] == ["512 bytes", "2 KB", "1.0 MB", "5.2 MB"]
