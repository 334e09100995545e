"""Plain factories for console tests: accounts, a login through the real login form."""

import asyncio
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from bot.api.main import create_app
from bot.console import add_counsellor, new_password
from bot.runtime import open_database
from tests.conftest import free_port, test_settings

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


async def create_account(database_url: str, *, role: str = "counsellor", languages: tuple[str, ...] = ("sv",), max_concurrent: int = 3) -> tuple[str, str]:
    """A new account in the database at `database_url`; returns (username, password)."""
    username, password = f"c_{secrets.token_hex(3)}", new_password()
    async with open_database(test_settings(database_url=database_url)) as database, database.session() as session:
        await add_counsellor(session, username=username, display_name=username.title(), languages=list(languages), role=role, max_concurrent=max_concurrent, password=password)
        await session.commit()
    return username, password


def make_account(database_url: str, **options: object) -> tuple[str, str]:
    """`create_account` for tests that are not async (TestClient runs the app in its own loop)."""
    return asyncio.run(create_account(database_url, **options))  # type: ignore[arg-type]


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def log_in(client: httpx.Client, username: str, password: str) -> str:
    """Log in through the form; returns the session's CSRF token."""
    token = csrf_of(client.get("/console/login").text)
    response = client.post("/console/login", data={"username": username, "password": password, "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/console").text)


@contextmanager
def app_client(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    """The app over HTTPS (so Secure cookies flow) with no Rasa reachable; yields the client and its database URL."""
    database_url = f"sqlite:///{tmp_path / 'line.db'}"
    settings = test_settings(database_url=database_url, rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_seconds=0.5)
    with TestClient(create_app(settings), base_url="https://line.test") as client:
        yield client, database_url
