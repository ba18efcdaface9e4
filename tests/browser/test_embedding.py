"""<chatops-chat> embedded in a page of another origin, in real Chromium: listed origins chat, others are refused.

Three loopback servers: the real app, a host site on an origin listed in CHATOPS_WIDGET_ORIGINS and one
on an origin that is not (the same host, another port). Each host serves a plain page that loads the
widget from the app, the way a partner site would, and one that frames the app's own page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Page, Request, expect

from tests.channels.support import channel_settings, serve, write_agent

pytestmark = pytest.mark.asyncio(loop_scope="module")

WIDGET = "chatops-chat"
BOT = f"{WIDGET} .msg.bot"
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A partner site</title><link rel="icon" href="data:,">
<script src="{service}/widget.js" defer></script></head>
<body><h1>A partner site</h1><chatops-chat heading="Help" welcome="WELCOME"></chatops-chat></body></html>
"""
FRAMING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A partner site</title><link rel="icon" href="data:,"></head>
<body><iframe title="chat" src="{service}/" width="1000" height="700"></iframe></body></html>
"""
REFUSED = "This site is not allowed to use the chat service. Its operator can allow it (CHATOPS_WIDGET_ORIGINS)."


@dataclass
class Sites:
    """The hosts start first (the app's settings need their origins); their pages read ``service`` when asked."""

    service: str = ""
    hosts: list[TestServer] = field(default_factory=list)

    def origin(self, index: int) -> str:
        return str(self.hosts[index].make_url("")).rstrip("/")


async def host_site(sites: Sites) -> TestServer:
    """A second web site on its own port: a page embedding the widget from the service, and one framing its page."""

    def page(template: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def serve_page(request: web.Request) -> web.Response:
            return web.Response(text=template.format(service=sites.service), content_type="text/html")

        return serve_page

    app = web.Application()
    app.router.add_get("/", page(HOST_PAGE))
    app.router.add_get("/framed", page(FRAMING_PAGE))
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    return server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sites(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Sites]:
    sites = Sites()
    try:
        sites.hosts = [await host_site(sites), await host_site(sites)]
        # Listed: the first host among others; the second host differs from it by its port only.
        origins = ("https://docs.example.invalid", sites.origin(0), "http://localhost:1")
        settings = channel_settings(write_agent(tmp_path_factory.mktemp("agent")), server={"widget_origins": origins})
        async with serve(settings) as client:
            sites.service = str(client.make_url("")).rstrip("/")
            yield sites
    finally:
        for host in sites.hosts:
            await host.close()


def watch(page: Page) -> tuple[list[Request], list[str]]:
    """The API requests the page makes and the console errors it logs."""
    requests: list[Request] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r) if "/api/v1/query" in r.url else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return requests, errors


async def say(page: Page, text: str) -> None:
    box = page.locator(f"{WIDGET} input")
    await box.fill(text)
    await box.press("Enter")


async def test_a_page_on_a_listed_origin_chats_three_turns_with_the_service(page: Page, sites: Sites) -> None:
    requests, errors = watch(page)
    await page.goto(sites.origin(0))
    await expect(page.locator(BOT).first).to_have_text("Hello! Ask me for a joke.")
    await say(page, "tell me a joke")
    await expect(page.locator(BOT).nth(1)).to_contain_text("Why do programmers prefer dark mode?")
    await say(page, "another one")  # the follow-up context: the same server-side session across origins
    await expect(page.locator(BOT).nth(2)).to_have_text("I would tell you a UDP joke, but you might not get it.")
    await say(page, "tell me a fact")
    await expect(page.locator(f"{BOT} .card strong")).to_have_text("Octopus")
    await expect(page.locator(f"{WIDGET} .msg.error")).to_have_count(0)
    posts = [r for r in requests if r.method == "POST"]
    assert [r.url for r in posts] == [f"{sites.service}/api/v1/query"] * 4  # the welcome and three turns
    for post in posts:
        response = await post.response()
        assert response is not None and response.status == 200
        assert (await post.all_headers())["origin"] == sites.origin(0)
        assert (await response.all_headers())["access-control-allow-origin"] == sites.origin(0)
    assert errors == []


async def test_a_page_on_an_origin_outside_the_list_is_refused_by_the_browser(page: Page, sites: Sites) -> None:
    requests, errors = watch(page)
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url) if "/api/v1/query" in r.url else None)
    await page.goto(sites.origin(1))
    error = page.locator(f"{WIDGET} .msg.error")
    await expect(error).to_have_text(REFUSED)  # the welcome event was refused
    await expect(error).to_have_attribute("role", "alert")
    await say(page, "tell me a joke")
    await expect(error).to_have_count(2)
    await expect(error.nth(1)).to_have_text(REFUSED)
    await expect(page.locator(BOT)).to_have_count(0)
    assert failed == [f"{sites.service}/api/v1/query"] * 2
    blocked = [e for e in errors if "blocked by CORS policy" in e]
    assert len(blocked) == 2 and all(f"from origin '{sites.origin(1)}'" in e for e in blocked)
    assert all("preflight" in e for e in blocked), blocked  # refused before the question was ever sent
    assert [r.method for r in requests if r.method == "POST"] == ["POST", "POST"]


async def test_only_a_listed_origin_may_frame_the_service_page(page: Page, sites: Sites) -> None:
    _, errors = watch(page)
    await page.goto(f"{sites.origin(0)}/framed")
    await expect(page.frame_locator("iframe").locator(BOT).first).to_have_text("Hello! Ask me for a joke.")
    assert errors == []
    async with page.expect_console_message(lambda m: "frame-ancestors" in m.text) as refusal:
        await page.goto(f"{sites.origin(1)}/framed")
    text = (await refusal.value).text
    assert f"Framing '{sites.service}/'" in text and "The request has been blocked" in text
    await expect(page.frame_locator("iframe").locator(WIDGET)).to_have_count(0)
