"""Browser tests: the real app on a TCP port, driven in Debian's Chromium by Playwright.

Chromium comes from .ci/steps/browser.sh (``apt-get install chromium``). Without it
these tests skip on a workstation and fail in CI (``CI=true``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

from tests.channels.support import channel_settings, serve, write_agent

CHROMIUM = os.environ.get("CHATOPS_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run",
    "--disable-gpu", "--disable-quic", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"Chromium is missing at {CHROMIUM}; run .ci/steps/browser.sh"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


# One browser and one app per module (launching Chromium and training the NLU are the slow parts);
# every test still gets a fresh browser context, so its own sessionStorage and its own chat session.
@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    _require_chromium()
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """The base URL of the real app (REST API, widget, demo page) on 127.0.0.1."""
    async with serve(channel_settings(write_agent(tmp_path_factory.mktemp("agent")))) as client:
        yield str(client.make_url("/"))


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1100, "height": 800})
    try:
        yield await context.new_page()
    finally:
        await context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
