"""The <chatops-chat> widget in real Chromium against the real app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import ConsoleMessage, Page, Route, expect

pytestmark = pytest.mark.asyncio(loop_scope="module")

WIDGET = "chatops-chat"
BOT = f"{WIDGET} .msg.bot"
HOSTILE_STYLE = """
  * { color: rgb(255, 0, 0) !important; font-family: "Courier New", monospace !important;
      letter-spacing: 6px !important; text-transform: uppercase !important; line-height: 3 !important; }
  button { background: rgb(255, 0, 0) !important; border-radius: 0 !important; }
  input { border: 5px dashed red !important; }
  .msg, .bot, .log, header { display: none !important; background: black !important; }
"""
PROBED = ["color", "font-family", "letter-spacing", "text-transform", "line-height", "background-color", "border-radius", "display"]


async def open_chat(page: Page, site: str) -> None:
    await page.goto(site)
    await expect(page.locator(BOT).first).to_have_text("Hello! Ask me for a joke.")


async def say(page: Page, text: str) -> None:
    box = page.locator(f"{WIDGET} input")
    await box.fill(text)
    await box.press("Enter")


async def test_the_page_loads_without_console_errors(page: Page, site: str) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    await open_chat(page, site)
    assert await page.evaluate("customElements.get('chatops-chat') !== undefined")
    assert await page.locator(WIDGET).evaluate("e => e.shadowRoot !== null")
    assert problems == []


async def test_a_typed_question_gets_an_answer_and_a_quick_reply_works(page: Page, site: str, artifacts: Path) -> None:
    await open_chat(page, site)
    await say(page, "tell me a joke")
    await expect(page.locator(f"{WIDGET} .msg.user")).to_have_text(["tell me a joke"])
    await expect(page.locator(BOT).nth(1)).to_contain_text("Why do programmers prefer dark mode?")
    quick = page.locator(f"{WIDGET} .quick button")
    await expect(quick).to_have_text(["another one", "tell me a fact"])
    await quick.first.click()
    await expect(page.locator(BOT).nth(2)).to_have_text("I would tell you a UDP joke, but you might not get it.")
    await page.screenshot(path=str(artifacts / "widget.png"), full_page=True)


async def test_cards_render_with_safe_links(page: Page, site: str) -> None:
    await open_chat(page, site)
    await say(page, "tell me a fact")
    card = page.locator(f"{WIDGET} .card")
    await expect(card.locator("strong")).to_have_text("Octopus")
    link = card.locator("a.link")
    await expect(link).to_have_attribute("href", "https://example.invalid/octopus")
    await expect(link).to_have_attribute("rel", "noopener noreferrer")


async def test_images_render(page: Page, site: str) -> None:
    await open_chat(page, site)
    await say(page, "show the price chart")
    image = page.locator(f"{WIDGET} .msg.bot img")
    await expect(image).to_have_attribute("alt", "price chart")
    assert (await image.get_attribute("src") or "").startswith("data:image/png;base64,")
    assert await image.evaluate("img => img.complete && img.naturalWidth === 1")


async def test_a_host_page_style_does_not_change_the_widget(page: Page, site: str) -> None:
    await open_chat(page, site)
    await say(page, "tell me a joke")
    await expect(page.locator(f"{WIDGET} .quick button")).to_have_count(2)
    targets = [BOT, f"{WIDGET} .msg.user", f"{WIDGET} .quick button >> nth=0", f"{WIDGET} form button", f"{WIDGET} header", f"{WIDGET} input"]

    async def probe() -> list[dict[str, str]]:
        styles = "(e, props) => Object.fromEntries(props.map(p => [p, getComputedStyle(e).getPropertyValue(p)]))"
        return [await page.locator(t).first.evaluate(styles, PROBED) for t in targets]

    before = await probe()
    await page.add_style_tag(content=HOSTILE_STYLE)
    host_button = page.locator("main > section button")
    assert await host_button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(255, 0, 0)"
    assert await probe() == before


async def test_the_typing_indicator_shows_while_waiting(page: Page, site: str) -> None:
    await open_chat(page, site)
    typing = page.locator(f"{WIDGET} .typing")
    await expect(typing).to_be_hidden()
    await say(page, "do the slow thing")
    await expect(typing).to_be_visible()
    await expect(typing).to_have_attribute("role", "status")
    await expect(page.locator(BOT).nth(1)).to_have_text("Slow work finished after 1.0s.", timeout=5000)
    await expect(typing).to_be_hidden()


async def test_an_unreachable_service_gets_a_readable_message(page: Page, site: str) -> None:
    await open_chat(page, site)

    async def cut(route: Route) -> None:
        await route.abort("connectionrefused")

    await page.route("**/api/v1/query", cut)
    await say(page, "tell me a joke")
    error = page.locator(f"{WIDGET} .msg.error")
    await expect(error).to_have_text("The chat service can't be reached right now. Check your connection and try again.")
    await expect(error).to_have_attribute("role", "alert")
    await expect(page.locator(f"{WIDGET} form button")).to_be_enabled()


async def test_secret_replies_are_masked_and_never_stored(page: Page, site: str) -> None:
    await open_chat(page, site)
    await say(page, "what is the password")
    secret = page.locator(f"{WIDGET} .msg.bot[data-visibility=secret]")
    await expect(secret).to_contain_text("••••••••")
    await expect(secret).not_to_contain_text("hunter2")
    reveal = secret.locator("button.reveal")
    await reveal.click()
    await expect(secret).to_contain_text("The password is hunter2")
    await expect(reveal).to_have_attribute("aria-pressed", "true")
    stored = await page.evaluate("JSON.stringify(sessionStorage)")
    assert "hunter2" not in stored
    assert "what is the password" in stored  # the question is kept, the answer is not


async def test_the_session_and_transcript_survive_a_reload(page: Page, site: str) -> None:
    await open_chat(page, site)
    await say(page, "tell me a joke")
    await expect(page.locator(BOT).nth(1)).to_contain_text("Why do programmers")
    session = json.loads(await page.evaluate("sessionStorage.getItem('chatops-chat')"))["session"]
    await page.reload()
    await expect(page.locator(f"{WIDGET} .msg.user")).to_have_text(["tell me a joke"])
    await expect(page.locator(BOT)).to_have_count(2)  # restored, and no second welcome
    await say(page, "another one")  # the follow-up context lives in the same server-side session
    await expect(page.locator(BOT).nth(2)).to_contain_text("UDP joke")
    assert json.loads(await page.evaluate("sessionStorage.getItem('chatops-chat')"))["session"] == session


async def test_usable_by_keyboard_with_a_live_log(page: Page, site: str) -> None:
    await open_chat(page, site)
    log = page.locator(f"{WIDGET} .log")
    await expect(log).to_have_attribute("role", "log")
    await expect(log).to_have_attribute("aria-live", "polite")
    await page.locator("main > section button").focus()
    await page.keyboard.press("Tab")  # into the widget: the conversation log
    await page.keyboard.press("Tab")  # the message box
    await page.keyboard.type("tell me a joke")
    await page.keyboard.press("Enter")
    await expect(page.locator(f"{WIDGET} .quick button")).to_have_count(2)
    await page.locator(f"{WIDGET} .quick button").first.focus()
    await page.keyboard.press("Enter")
    await expect(page.locator(BOT).nth(2)).to_contain_text("UDP joke")


async def test_confirm_and_cancel_buttons_answer_the_question(page: Page, site: str) -> None:
    messages: list[ConsoleMessage] = []
    page.on("console", lambda m: messages.append(m))
    await open_chat(page, site)
    await say(page, "restart the web server")
    confirm = page.locator(f"{WIDGET} .confirm button.primary")
    await expect(confirm).to_have_text("Confirm")
    await confirm.click()
    await expect(page.locator(f"{WIDGET} .msg.user").last).to_have_text("yes")
    await expect(page.locator(BOT).last).to_have_text("Restarted everything.")
    for button in await page.locator(f"{WIDGET} .confirm button").all():
        await expect(button).to_be_disabled()
    assert [m.text for m in messages if m.type == "error"] == []
