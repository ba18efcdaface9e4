"""``chatops demo`` as a newcomer meets it: the command in a subprocess, its page in Chromium, one message per domain."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, expect

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = Path(__file__).resolve().parents[2]
BOT = "chatops-chat .msg.bot"
STARTUP_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="module")
def demo() -> Iterator[str]:
    """``chatops demo`` from this checkout on a free port; its base URL once it is ready."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "chatops", "demo", "--port", str(port)], cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _ready(url):
            if process.poll() is not None:
                pytest.fail(f"chatops demo exited with {process.returncode}:\n{process.communicate()[0]}")
            if time.monotonic() > deadline:
                pytest.fail("chatops demo was not ready in time")
            time.sleep(0.25)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, "chatops demo did not stop cleanly on SIGTERM"


async def click(page: Page, message: str) -> Locator:
    """Click the page's suggestion ``message``; returns the bot's answer to it (the last bubble once it has come)."""
    before = await page.locator(BOT).count()
    await page.locator(f'[data-chatops-say="{message}"]').click()
    await expect(page.locator("chatops-chat .msg.user").last).to_have_text(message)
    await expect(page.locator(BOT)).not_to_have_count(before)
    await expect(page.locator("chatops-chat .typing")).to_be_hidden()
    return page.locator(BOT).last


async def confirm(page: Page, answer: Locator) -> Locator:
    before = await page.locator(BOT).count()
    await answer.get_by_role("button", name="Confirm").click()
    await expect(page.locator(BOT)).not_to_have_count(before)
    await expect(page.locator("chatops-chat .typing")).to_be_hidden()
    return page.locator(BOT).last


async def test_one_message_per_domain_against_the_stand_ins(page: Page, demo: str, artifacts: Path) -> None:
    await page.goto(demo)
    await expect(page.locator(".banner")).to_contain_text("DEMO")
    await expect(page.locator(BOT).first.locator(".label")).to_have_text("demo")

    pods = await click(page, "list pods in shop on demo-prod")
    await expect(pods).to_contain_text("6 pods in namespace shop on demo-prod: 4 Running, 1 Pending, 1 CrashLoopBackOff")
    await expect(pods.locator(".label")).to_have_text("demo")

    why = await click(page, "why is checkout-7f9c4-x2k8q failing in shop on demo-prod")
    await expect(why).to_contain_text("container app keeps crashing: it exited with code 1 (Error); restarted 7 times")
    await expect(why).to_contain_text("panic: DATABASE_URL is not set")

    check = await click(page, "check webhook certificates on demo-prod")
    await expect(check).to_contain_text("Secret policy-certs: expires")
    await expect(check).to_contain_text("(9 days left) — rotate soon")

    plan = await click(page, "rotate the cert of policy on demo-prod")
    await expect(plan).to_contain_text("Plan to rotate the certificate of webhook configuration policy on demo-prod")
    rotated = await confirm(page, plan)
    await expect(rotated).to_contain_text("Rotated the certificate of webhook configuration policy on demo-prod")
    await expect(rotated).to_contain_text("Secret policy-certs updated; caBundle patched on 3 entries")

    preflight = await click(page, "migrate namespace wordpress from demo-prod to demo-dr")
    await expect(preflight).to_contain_text("pre-flight passed")
    started = await confirm(page, preflight)
    await expect(started).to_contain_text("Migration 1 started: namespace wordpress from demo-prod to demo-dr")
    finished = page.locator(BOT).filter(has_text="Migration 1 (wordpress: demo-prod → demo-dr) finished")
    for _ in range(40):  # progress comes back with the next turn, as in any chat without push
        await click(page, "status of migration 1")
        if await finished.count():
            break
        await page.wait_for_timeout(500)
    await expect(finished).to_contain_text("restore chatops-wordpress-1 Completed into namespace wordpress in demo-dr")

    secret = await click(page, "get /development/db/password decrypted")
    await expect(secret).to_have_attribute("data-visibility", "secret")
    await secret.get_by_role("button", name="Reveal").click()
    await expect(secret).to_contain_text("/development/db/password (SecureString, version 1): dev-pa55word")

    denied = await click(page, "set /production/db/password to hunter2")
    await expect(denied).to_contain_text("You are not allowed to do that: it needs the permission ssm:put on /production/db/password")

    await expect(await click(page, "help")).to_contain_text("This is a DEMO")
    await page.screenshot(path=str(artifacts / "demo.png"), full_page=True)
