"""A waiting young person hears when their place in the queue changes; the web chat stays quiet otherwise."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.channels.web import QueueWatch
from bot.conversation import Incoming
from bot.events import Event
from bot.i18n import Catalogs
from bot.runtime import conversation_core
from tests.conftest import free_port, test_settings
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


async def test_one_read_of_the_queue_answers_every_socket_of_a_worker(empty_database_url: str) -> None:
    """Fifty sockets hearing the same queue change ask the database once which young people wait; the
    next change is read afresh."""
    async with conversation_core(test_settings(database_url=empty_database_url, rasa_url=f"http://127.0.0.1:{free_port()}")) as core:
        reads = 0
        read_waiting = core.waiting_conversations

        async def counted() -> frozenset[str]:
            nonlocal reads
            reads += 1
            return await read_waiting()

        core.waiting_conversations = counted  # type: ignore[method-assign]
        watch = QueueWatch(core)
        await core.handle(Incoming("waiting", "test", payload="cmd:human", language="sv"))
        change = Event("queue")
        answers = await asyncio.gather(*(watch.waits(f"idle{index}", change=change) for index in range(49)), watch.waits("waiting", change=change))
        assert answers == [False] * 49 + [True] and reads == 1

        await core.handle(Incoming("later", "test", payload="cmd:human", language="sv"))
        assert await watch.waits("later", change=Event("queue")) and reads == 2
