"""Helpers for browser tests of the web chat."""

from playwright.async_api import Page

from bot.content import load_content
from bot.i18n import Catalogs
from tests.conftest import CONTENT_DIR

CATALOGS = Catalogs()
CONTENT = load_content(CONTENT_DIR)


def answer_start(topic_id: str, language: str) -> str:
    """The first line of a topic's answer as the page shows it (Markdown bold rendered, so no asterisks)."""
    return CONTENT.topics[topic_id].translations[language].answer.splitlines()[0].replace("*", "")


async def say(page: Page, language: str, text: str) -> None:
    """Type a message in the chat's message box and send it with Enter."""
    box = page.get_by_label(CATALOGS.text(language, "web.message_label"))
    await box.fill(text)
    await box.press("Enter")
