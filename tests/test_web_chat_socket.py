"""The web chat's page and WebSocket, without a browser: headers, frames, hostile and broken input."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from bot.api.main import create_app
from bot.i18n import Catalogs
from tests.conftest import free_port, test_settings

CATALOGS = Catalogs()
KEY = "k" * 43


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The app with no Rasa reachable (nothing here needs free text understood)."""
    settings = test_settings(database_url=f"sqlite:///{tmp_path / 'line.db'}", rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_seconds=0.5)
    with TestClient(create_app(settings), base_url="http://line.test") as client:
        yield client


def test_the_page_loads_nothing_from_elsewhere_and_is_never_cached_or_framed(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "ar,en;q=0.5"})
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "https:" not in policy
    assert page.headers["referrer-policy"] == "no-referrer" and page.headers["cache-control"] == "no-store"
    assert "http://" not in page.text.replace("http://line.test", "") and "https://" not in page.text.split('id="config"')[0]
    assert client.get("/static/chat/chat.js").status_code == 200


def test_a_first_hello_starts_the_conversation_in_the_browser_language(client: TestClient) -> None:
    with client.websocket_connect("/chat/socket") as socket:
        socket.send_json({"type": "hello", "key": KEY, "locale": "en-GB"})
        frame = socket.receive_json()
    assert frame["type"] == "transcript" and frame["language"] == "en" and frame["direction"] == "ltr"
    [welcome] = frame["entries"]
    assert welcome["sender"] == "bot" and CATALOGS.text("en", "start.welcome") in welcome["text"]


def test_broken_frames_get_an_error_in_the_conversations_language_and_the_chat_goes_on(client: TestClient) -> None:
    with client.websocket_connect("/chat/socket") as socket:
        socket.send_text("hello?")
        assert socket.receive_json() == {"type": "error", "text": CATALOGS.text("sv", "error.malformed")}
        socket.send_json({"type": "hello", "key": "short"})
        assert socket.receive_json()["type"] == "error"
        socket.send_json({"type": "hello", "key": KEY, "locale": "sv"})
        assert socket.receive_json()["type"] == "transcript"
        socket.send_json({"type": "button", "payload": "lang:so", "label": "Soomaali"})
        assert socket.receive_json()["language"] == "so"
        for broken in ("{", json.dumps({"type": "message"}), json.dumps({"type": "button", "payload": "x" * 65}), json.dumps([1, 2])):
            socket.send_text(broken)
            assert socket.receive_json() == {"type": "error", "text": CATALOGS.text("so", "error.malformed")}
        socket.send_json({"type": "message", "text": "x" * 5000})
        too_long = socket.receive_json()
        assert too_long["replies"][0]["text"] == CATALOGS.text("so", "message.too_long", limit=4096)
        socket.send_json({"type": "button", "payload": "cmd:help", "label": "?"})
        assert socket.receive_json()["type"] == "turn"


def test_the_same_key_finds_the_same_conversation_and_another_key_does_not(client: TestClient) -> None:
    with client.websocket_connect("/chat/socket") as socket:
        socket.send_json({"type": "hello", "key": KEY, "locale": "sv"})
        socket.receive_json()
        socket.send_json({"type": "button", "payload": "cmd:help", "label": "Hjälp"})
        socket.receive_json()
    with client.websocket_connect("/chat/socket") as socket:
        socket.send_json({"type": "hello", "key": KEY})
        again = socket.receive_json()
    assert [entry["sender"] for entry in again["entries"]] == ["bot", "young_person", "bot"]
    assert again["entries"][1]["text"] == "Hjälp"
    with client.websocket_connect("/chat/socket") as socket:
        socket.send_json({"type": "hello", "key": "x" * 43})
        assert len(socket.receive_json()["entries"]) == 1


def test_pages_of_other_sites_cannot_open_the_socket(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/chat/socket", headers={"origin": "https://evil.example"}) as socket:
            socket.receive_json()
    assert refused.value.code == 1008


def test_the_privacy_page_states_the_configured_retention_in_each_language(tmp_path: Path) -> None:
    settings = test_settings(database_url=f"sqlite:///{tmp_path / 'line.db'}", rasa_url=f"http://127.0.0.1:{free_port()}", retention_days=14)
    with TestClient(create_app(settings), base_url="http://line.test") as client:
        for language in ("sv", "en", "ar", "fa-AF", "ps", "so", "ti"):
            page = client.get("/privacy", params={"lang": language})
            assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
            assert CATALOGS.text(language, "privacy.retention", days=14) in page.text
            assert CATALOGS.text(language, "privacy.forget") in page.text
        browser_language = client.get("/privacy", headers={"Accept-Language": "ar"})
        assert '<html lang="ar" dir="rtl">' in browser_language.text
        assert 'href="/privacy?lang=sv"' in client.get("/", headers={"Accept-Language": "sv"}).text
