"""Every console route refuses a request without a login, a form without its CSRF token, and a
counsellor reaching another counsellor's conversation. Logins are rate limited."""

import asyncio
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from fastapi.testclient import TestClient

from bot.storage import Database, get_or_create_conversation
from handoff import request_handoff
from tests.conftest import test_settings
from tests.support.console import app_client, csrf_of, log_in, make_account

PUBLIC = {
    ("GET", "/"), ("WS", "/chat/socket"), ("GET", "/privacy"), ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics"),
    ("POST", "/telegram/webhook"), ("GET", "/console/login"), ("POST", "/console/login"),
}
"""Routes open without a console login, on purpose: the young people's doors and the privacy page, health and
metrics (kept off the internet by the reverse proxy, see docs/deployment.md), Telegram's webhook (its own secret), the login."""


def all_routes(app: object) -> list[tuple[str, str]]:
    routes = []
    for entry in app.routes:  # type: ignore[attr-defined]
        for route in getattr(entry, "original_router", entry).routes if hasattr(entry, "original_router") else [entry]:
            if isinstance(route, APIWebSocketRoute):
                routes.append(("WS", route.path))
            elif isinstance(route, APIRoute):
                routes.extend((method, route.path) for method in sorted(route.methods - {"HEAD"}))
    return routes


@pytest.fixture
def app_and_url(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    with app_client(tmp_path) as client_and_database:
        yield client_and_database


def ask_for_a_person(client: TestClient) -> None:
    with client.websocket_connect("/chat/socket") as socket:
        socket.send_json({"type": "hello", "key": "y" * 40, "locale": "sv"})
        socket.receive_json()
        socket.send_json({"type": "button", "payload": "cmd:human", "label": "Person"})
        socket.receive_json()


def test_every_console_route_refuses_a_request_without_a_login(app_and_url: tuple[TestClient, str]) -> None:
    client, _ = app_and_url
    routes = all_routes(client.app)
    protected = [(method, path) for method, path in routes if (method, path) not in PUBLIC]
    assert {path for _, path in protected} and all(path.startswith("/console") for _, path in protected), protected
    for method, path in protected:
        response = client.request(method, path.replace("{request_id}", "1"), follow_redirects=False)
        if method == "GET":
            assert response.status_code == 303 and response.headers["location"] == "/console/login", (method, path)
        else:
            assert response.status_code == 401, (method, path, response.status_code)


def test_a_counsellor_cannot_reach_another_counsellors_conversation(app_and_url: tuple[TestClient, str]) -> None:
    client, database_url = app_and_url
    anna, bilal = make_account(database_url), make_account(database_url)
    ask_for_a_person(client)
    csrf = log_in(client, *anna)
    assert client.post("/console/cases/1/claim", data={"csrf_token": csrf}, follow_redirects=False).headers["location"] == "/console/cases/1"
    assert client.get("/console/cases/1").status_code == 200
    client.cookies.clear()

    csrf = log_in(client, *bilal)
    for method, path in all_routes(client.app):
        if "{request_id}" not in path:
            continue
        url = path.replace("{request_id}", "1")
        data = {"csrf_token": csrf, "text": "hej", "to": anna[0], "outcome": "answered"}
        response = client.request(method, url, data=data if method == "POST" else None, follow_redirects=False)
        if url.endswith("/claim"):
            assert response.headers["location"] == "/console?notice=AlreadyClaimed"
        else:
            assert response.status_code == 403, (method, url, response.status_code)


def test_state_changes_need_the_sessions_csrf_token(app_and_url: tuple[TestClient, str]) -> None:
    client, database_url = app_and_url
    ask_for_a_person(client)
    log_in(client, *make_account(database_url))
    for data in ({}, {"csrf_token": "forged"}):
        assert client.post("/console/cases/1/claim", data=data, follow_redirects=False).status_code == 403
    assert "Nobody is waiting" not in client.get("/console").text


def test_the_login_form_is_rate_limited(app_and_url: tuple[TestClient, str]) -> None:
    client, database_url = app_and_url
    username, password = make_account(database_url)
    token = csrf_of(client.get("/console/login").text)
    codes = [client.post("/console/login", data={"username": username, "password": "wrong", "csrf_token": token}).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    right = client.post("/console/login", data={"username": username, "password": password, "csrf_token": token}, follow_redirects=False)
    assert right.status_code == 429, "the right password must wait too, or the limit could be probed"


def test_the_session_cookie_is_httponly_strict_and_secure(app_and_url: tuple[TestClient, str]) -> None:
    client, database_url = app_and_url
    username, password = make_account(database_url)
    token = csrf_of(client.get("/console/login").text)
    response = client.post("/console/login", data={"username": username, "password": password, "csrf_token": token}, follow_redirects=False)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie


async def queue_young_people(database_url: str, count: int) -> None:
    database = Database(database_url, keys=test_settings().data_keys_list())
    try:
        async with database.session() as session:
            for _ in range(count):
                conversation = await get_or_create_conversation(session, conversation_id=secrets.token_hex(16), channel="web")
                await request_handoff(session, conversation=conversation, priority="normal", reason=None)
            await session.commit()
    finally:
        await database.close()


def test_the_queue_page_lists_the_first_fifty_and_counts_them_all(app_and_url: tuple[TestClient, str]) -> None:
    client, database_url = app_and_url
    asyncio.run(queue_young_people(database_url, 52))
    log_in(client, *make_account(database_url))
    page = client.get("/console/queue").text
    assert "Väntar (52)" in page and page.count("/claim\"") == 50
    assert "De första 50 av 52, i den ordning de ska tas." in page
