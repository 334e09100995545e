"""The supervisors' statistics dashboard in Debian Chromium: charts drawn as SVG on the server, small counts shown as <5, those hidden to protect them as x."""

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from bot.api.main import create_app
from tests.conftest import free_port, migrated, test_settings
from tests.support.console import create_account
from tests.support.servers import serving
from tests.support.stats import WEEK_ONE, seed_a_quarter


@pytest.fixture
async def line(tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    """The app on loopback (no Rasa needed: nobody chats here) over four seeded weeks; yields (base URL, database URL)."""
    database_url = f"sqlite:///{tmp_path / 'line.db'}"
    async with migrated(database_url) as database:
        await seed_a_quarter(database)
    settings = test_settings(database_url=database_url, rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_seconds=0.5)
    async with serving(create_app(settings), free_port()) as url:
        yield url, database_url


async def test_a_supervisor_sees_the_suppressed_statistics_as_charts(browser: Browser, line: tuple[str, str], screenshot_dir: Path) -> None:
    url, database_url = line
    username, password = await create_account(database_url, role="supervisor", languages=("sv", "en"))
    context = await browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    try:
        page = await context.new_page()
        await page.goto(f"{url}/console/login")
        await page.get_by_label("Användarnamn").fill(username)
        await page.get_by_label("Lösenord").fill(password)
        await page.get_by_role("button", name="Logga in").click()
        await page.get_by_role("link", name="Statistik").click()
        await page.get_by_label("Från", exact=True).fill(WEEK_ONE.date().isoformat())
        await page.get_by_label("Till", exact=True).fill((WEEK_ONE.date() + timedelta(weeks=3)).isoformat())
        await page.get_by_role("button", name="Visa").click()

        await expect(page.get_by_role("heading", name="Statistik")).to_be_visible()
        messages = page.locator("section", has=page.get_by_role("heading", name="Meddelanden från unga, per vecka och språk"))
        await expect(messages.get_by_role("img")).to_be_visible()
        await expect(messages.locator("svg .datum")).to_have_count(4)
        await expect(messages.locator("svg .datum.suppressed")).to_have_count(0)
        await expect(messages.get_by_role("row", name="2026-W44")).to_have_text("2026-W44<5x3846")
        regions = page.locator("section", has=page.get_by_role("heading", name="Frågor om trygga platser, per stad och kanal"))
        # Uppsala's 4 is hidden, and Malmö's 24 with it (as x, not <5): the grand total would give the 4 back
        await expect(regions.locator("svg .datum.suppressed")).to_have_count(2)
        await expect(regions.get_by_role("row", name="malmo")).to_have_text("malmoxx")
        await expect(regions.locator("svg .datum:not(.suppressed)")).to_contain_text("36")
        await page.screenshot(path=screenshot_dir / "dashboard.png", full_page=True)
    finally:
        await context.close()
