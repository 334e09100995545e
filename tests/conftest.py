"""Shared fixtures: the shipped content, a trained Rasa model served by Rasa, real databases."""

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from bot.content import load_content
from bot.conversation import ConversationCore
from bot.core.config import Settings
from bot.runtime import conversation_core
from bot.storage import Database
from nlu import RasaServer, train
from tests.support.bot_api import BotApiStandIn, serving_bot_api
from tests.support.postgres import ADMIN_URL, postgres_available, scratch_database
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"


def test_settings(**overrides: object) -> Settings:
    """Settings for a test: the shipped content, the repo's Rasa environment and model cache."""
    values: dict[str, object] = {
        "environment": "test",
        "secret_key": "test-secret-key",
        "content_dir": CONTENT_DIR,
        "rasa_venv": ROOT / ".venv-rasa",
        "models_dir": ROOT / ".cache" / "models",
        "content_reload_seconds": 0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


test_settings.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
async def rasa_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A real Rasa server serving the model trained from the shipped content."""
    settings = test_settings()
    model = train(load_content(CONTENT_DIR), models_dir=settings.models_dir, rasa_venv=settings.rasa_venv, work_dir=ROOT / ".cache" / "rasa")
    url = f"http://127.0.0.1:{free_port()}"
    server = RasaServer(rasa_venv=settings.rasa_venv, model=model, url=url, log_file=tmp_path_factory.mktemp("rasa") / "rasa.log")
    await server.start()
    try:
        yield url
    finally:
        server.stop()


def _fresh_postgres_database() -> Iterator[str]:
    """A new PostgreSQL database on the local server, dropped afterwards. Fails (not skips) in CI."""
    if not postgres_available():
        message = f"PostgreSQL is not reachable at {ADMIN_URL}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with scratch_database("supportline_test") as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One PostgreSQL database shared by the session's tests."""
    yield from _fresh_postgres_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of this test's own, on SQLite and on PostgreSQL (for tests that count what is in it)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'supportline.db'}"
    else:
        yield from _fresh_postgres_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that takes this runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'supportline.db'}"
    return request.getfixturevalue("postgres_url")


@asynccontextmanager
async def migrated(url: str, *, pool_size: int = 5) -> AsyncIterator[Database]:
    """A migrated database at `url` with the test settings' data keys, closed afterwards."""
    database = Database(url, keys=test_settings().data_keys_list(), pool_size=pool_size)
    await database.migrate()
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A migrated database."""
    async with migrated(database_url) as database:
        yield database


@pytest.fixture
async def core(database_url: str, rasa_url: str) -> AsyncIterator[ConversationCore]:
    """The conversation core wired as the app wires it, Rasa in the loop, on SQLite and PostgreSQL."""
    async with conversation_core(test_settings(database_url=database_url, rasa_url=rasa_url)) as core:
        yield core


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium driven by Playwright (it cannot download its own browser here). Fails, not skips, in CI."""
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    """Where browser tests save screenshots: `SCREENSHOT_DIR` (docs/img for the README) or a temporary folder."""
    directory = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
async def bot_api() -> AsyncIterator[BotApiStandIn]:
    """The Bot API stand-in, listening on loopback."""
    async with serving_bot_api() as stand_in:
        yield stand_in
