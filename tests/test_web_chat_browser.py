"""The web chat in a real browser (Debian Chromium through Playwright), served by the real app with
Rasa in the loop: whole conversations in Swedish and Arabic, reload, quick exit, nothing third-party."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, expect

from bot.api.main import create_app
from tests.conftest import free_port, test_settings
from tests.support.servers import serving
from tests.support.web import CATALOGS, CONTENT, answer_start, say

PHONE = {"width": 390, "height": 844}


@pytest.fixture
async def chat_url(rasa_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """The app on loopback; its quick exit leads to its own /healthz (a test browser has no internet)."""
    port = free_port()
    settings = test_settings(rasa_url=rasa_url, database_url=f"sqlite:///{tmp_path / 'line.db'}", quick_exit_url=f"http://127.0.0.1:{port}/healthz")
    async with serving(create_app(settings), port) as url:
        yield url


@pytest.fixture
async def phone(browser: Browser, chat_url: str) -> AsyncIterator[tuple[BrowserContext, list[str]]]:
    """A small-phone browser context; also every URL it requested."""
    context = await browser.new_context(viewport=PHONE, locale="sv-SE")
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    try:
        yield context, requested
    finally:
        await context.close()


async def test_a_whole_conversation_in_swedish_survives_a_reload(phone: tuple[BrowserContext, list[str]], chat_url: str, screenshot_dir: Path) -> None:
    context, requested = phone
    page = await context.new_page()
    await page.goto(chat_url)
    log = page.get_by_role("log")
    await expect(log).to_contain_text(CATALOGS.text("sv", "start.welcome"))
    await page.get_by_role("button", name="Svenska").click()
    await expect(log).to_contain_text(CATALOGS.text("sv", "language.set"))

    await say(page, "sv", CONTENT.topics["rejection_next_steps"].translations["sv"].examples[0])
    await expect(log).to_contain_text(answer_start("rejection_next_steps", "sv"))
    legal_help = CONTENT.topics["legal_help"].translations["sv"].title
    await page.get_by_role("button", name=legal_help).last.click()
    await expect(log).to_contain_text(answer_start("legal_help", "sv"))
    assert await page.eval_on_selector("html", "el => getComputedStyle(el).direction") == "ltr"
    await page.screenshot(path=screenshot_dir / "web-chat-sv.png", full_page=True)

    shown = await page.locator(".message").count()
    await page.reload()
    await expect(log).to_contain_text(answer_start("legal_help", "sv"))
    await expect(page.locator(".message")).to_have_count(shown)

    assert all(url.startswith((chat_url, chat_url.replace("http", "ws", 1))) for url in requested), requested


async def test_arabic_is_laid_out_right_to_left(phone: tuple[BrowserContext, list[str]], chat_url: str, screenshot_dir: Path) -> None:
    context, _ = phone
    page = await context.new_page()
    await page.goto(chat_url)
    log = page.get_by_role("log")
    await expect(log).to_contain_text(CATALOGS.text("sv", "start.welcome"))
    await page.get_by_label(CATALOGS.text("sv", "web.language")).select_option("ar")
    await expect(log).to_contain_text(CATALOGS.text("ar", "language.set"))
    assert await page.eval_on_selector("#log", "el => getComputedStyle(el).direction") == "rtl"
    assert await page.get_attribute("html", "lang") == "ar"
    await expect(page.get_by_role("button", name=CATALOGS.text("ar", "web.quick_exit"))).to_be_visible()

    await say(page, "ar", CONTENT.topics["rejection_next_steps"].translations["ar"].examples[0])
    await expect(log).to_contain_text(answer_start("rejection_next_steps", "ar"))
    await page.screenshot(path=screenshot_dir / "web-chat-ar.png", full_page=True)

    await page.reload()
    await expect(log).to_contain_text(answer_start("rejection_next_steps", "ar"))
    assert await page.eval_on_selector("#log", "el => getComputedStyle(el).direction") == "rtl"


async def test_quick_exit_leaves_and_clears_everything(phone: tuple[BrowserContext, list[str]], chat_url: str, screenshot_dir: Path) -> None:
    context, _ = phone
    page = await context.new_page()
    await page.goto(chat_url)
    log = page.get_by_role("log")
    await say(page, "sv", CONTENT.topics["healthcare"].translations["sv"].examples[0])
    await expect(log).to_contain_text(answer_start("healthcare", "sv"))
    assert await page.evaluate("localStorage.length") > 0
    await page.screenshot(path=screenshot_dir / "web-chat-quick-exit.png")

    await page.get_by_role("button", name=CATALOGS.text("sv", "web.quick_exit")).click()
    await page.wait_for_url(f"{chat_url}/healthz")
    assert await page.evaluate("localStorage.length") == 0

    await page.goto(chat_url)
    await expect(log).to_contain_text(CATALOGS.text("sv", "start.welcome"))
    assert answer_start("healthcare", "sv") not in await log.inner_text(), "the old conversation came back"


async def test_the_keyboard_alone_is_enough(phone: tuple[BrowserContext, list[str]], chat_url: str) -> None:
    context, _ = phone
    page = await context.new_page()
    await page.goto(chat_url)
    await expect(page.get_by_role("log")).to_contain_text(CATALOGS.text("sv", "start.welcome"))
    for _ in range(40):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.textContent") == "English":
            break
    else:
        pytest.fail("the language buttons cannot be reached with Tab")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("log")).to_contain_text(CATALOGS.text("en", "language.set"))
