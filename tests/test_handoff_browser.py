"""End to end in Debian Chromium: a young person in the web chat reaches a counsellor in the console
and back; a crisis arrives at the top of the queue marked urgent."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from bot.api.main import create_app
from tests.conftest import free_port, test_settings
from tests.support.console import create_account
from tests.support.servers import serving
from tests.support.web import CATALOGS, CONTENT, answer_start, say


@pytest.fixture
async def line(rasa_url: str, tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    """The app on loopback with Rasa; yields (base URL, database URL)."""
    database_url = f"sqlite:///{tmp_path / 'line.db'}"
    port = free_port()
    settings = test_settings(rasa_url=rasa_url, database_url=database_url, quick_exit_url=f"http://127.0.0.1:{port}/healthz")
    async with serving(create_app(settings), port) as url:
        yield url, database_url


@pytest.fixture
async def browser(browser: Browser) -> AsyncIterator[Browser]:
    """The session's browser; every context a test opened is closed after it (open pages hold live connections)."""
    before = set(browser.contexts)
    yield browser
    for context in set(browser.contexts) - before:
        await context.close()


async def counsellor_page(browser: Browser, url: str, database_url: str, **account: object) -> Page:
    username, password = await create_account(database_url, **account)  # type: ignore[arg-type]
    page = await (await browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})).new_page()
    await page.goto(f"{url}/console/login")
    await page.get_by_label("Användarnamn").fill(username)
    await page.get_by_label("Lösenord").fill(password)
    await page.get_by_role("button", name="Logga in").click()
    await expect(page.get_by_role("heading", name="Kö")).to_be_visible()
    return page


async def young_person_page(browser: Browser, url: str) -> Page:
    page = await (await browser.new_context(locale="sv-SE", viewport={"width": 390, "height": 844})).new_page()
    await page.goto(url)
    await expect(page.get_by_role("log")).to_contain_text(CATALOGS.text("sv", "start.welcome"))
    await page.get_by_role("button", name="Svenska").click()
    await expect(page.get_by_role("log")).to_contain_text(CATALOGS.text("sv", "language.set"))
    return page


async def ask_for_a_person(page: Page) -> None:
    await page.get_by_role("button", name=CONTENT.topics["talk_to_human"].translations["sv"].title).last.click()


async def test_a_young_person_reaches_a_counsellor_and_goes_back_to_the_bot(browser: Browser, line: tuple[str, str], screenshot_dir: Path) -> None:
    url, database_url = line
    console = await counsellor_page(browser, url, database_url)
    await expect(console.locator("#queue")).to_contain_text("Ingen väntar.")

    young = await young_person_page(browser, url)
    await ask_for_a_person(young)
    await expect(young.get_by_role("log")).to_contain_text(CATALOGS.text("sv", "handoff.position", position=1))

    waiting = console.locator("#queue tr[data-request]")
    await expect(waiting).to_have_count(1)  # arrived live, without a reload
    await expect(waiting).to_contain_text("normal")
    await waiting.get_by_role("button", name="Ta samtalet").click()
    await expect(console.get_by_role("heading", name="Samtal #1 normal")).to_be_visible()
    await expect(console.locator(".transcript")).to_contain_text(CONTENT.topics["talk_to_human"].translations["sv"].title)

    await console.get_by_label("Ditt meddelande till den unga").fill("Hej, jag heter Sara. Jag är här nu.")
    await console.get_by_role("button", name="Skicka").click()
    await expect(young.locator(".from-counsellor")).to_contain_text("Hej, jag heter Sara. Jag är här nu.")

    await say(young, "sv", "Tack. Jag är rädd att bli utvisad.")
    await expect(console.locator(".transcript")).to_contain_text("Tack. Jag är rädd att bli utvisad.")
    bot_replies = await young.locator(".from-bot").count()
    await console.screenshot(path=screenshot_dir / "console-conversation.png", full_page=True)

    await console.get_by_role("button", name="Lämna tillbaka till boten").click()
    await expect(console.get_by_role("alert")).to_contain_text("Samtalet är tillbaka hos boten.")
    assert await young.locator(".from-bot").count() == bot_replies, "the bot spoke while the counsellor had the conversation"
    await say(young, "sv", CONTENT.topics["healthcare"].translations["sv"].examples[0])
    await expect(young.get_by_role("log")).to_contain_text(answer_start("healthcare", "sv"))


async def test_a_crisis_arrives_at_the_top_of_the_queue_marked_urgent(browser: Browser, line: tuple[str, str], screenshot_dir: Path) -> None:
    url, database_url = line
    console = await counsellor_page(browser, url, database_url, role="supervisor", languages=("sv", "en"))
    first = await young_person_page(browser, url)
    await ask_for_a_person(first)
    await expect(console.locator("#queue tr[data-request]")).to_have_count(1)

    in_danger = await young_person_page(browser, url)
    await say(in_danger, "sv", "jag vill inte leva längre")
    await expect(in_danger.get_by_role("log")).to_contain_text(answer_start("crisis", "sv"))

    rows = console.locator("#queue tr[data-request]")
    await expect(rows).to_have_count(2)
    await expect(rows.first).to_contain_text("akut")
    await expect(rows.nth(1)).to_contain_text("normal")
    await console.screenshot(path=screenshot_dir / "console-queue.png", full_page=True)
