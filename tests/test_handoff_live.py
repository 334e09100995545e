"""A waiting young person hears when their place in the queue changes; the web chat stays quiet otherwise."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.i18n import Catalogs
from tests.support.console import app_client, log_in, make_account

CATALOGS = Catalogs()


@pytest.fixture
def client_and_database(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    with app_client(tmp_path) as client_and_database:
        yield client_and_database


def test_the_second_in_line_is_told_when_they_move_up(client_and_database: tuple[TestClient, str]) -> None:
    client, database_url = client_and_database
    username, password = make_account(database_url)
    csrf = log_in(client, username, password)  # a counsellor online: waiting young people are given their place
    with client.websocket_connect("/chat/socket") as first, client.websocket_connect("/chat/socket") as second:
        for key, socket in (("a" * 40, first), ("b" * 40, second)):
            socket.send_json({"type": "hello", "key": key, "locale": "sv"})
            socket.receive_json()
            socket.send_json({"type": "button", "payload": "cmd:human", "label": "Person"})
            turn = socket.receive_json()
        assert turn["replies"][-1]["text"].startswith(CATALOGS.text("sv", "handoff.position", position=2))

        assert client.post("/console/cases/1/claim", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
        update = second.receive_json()
        assert update["type"] == "turn" and update["replies"][0]["text"].startswith(CATALOGS.text("sv", "handoff.position", position=1))
