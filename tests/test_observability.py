"""Readiness (`/readyz`) and Prometheus metrics (`/metrics`), through the real app served over HTTP."""

import json
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url
from websockets.asyncio.client import ClientConnection, connect

from bot.api.main import create_app
from bot.channels.identity import pseudonym
from tests.conftest import free_port, test_settings
from tests.support.postgres import ADMIN_URL
from tests.support.servers import serving

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@asynccontextmanager
async def app_at(database_url: str, rasa_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app on loopback, with an HTTP client for it."""
    settings = test_settings(database_url=database_url, rasa_url=rasa_url, rasa_timeout_seconds=0.5)
    async with serving(create_app(settings), free_port()) as url, httpx.AsyncClient(base_url=url) as http:
        yield http


def unreachable_rasa() -> str:
    return f"http://127.0.0.1:{free_port()}"


async def scrape(http: httpx.AsyncClient) -> tuple[str, Samples]:
    response = await http.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {(s.name, frozenset(s.labels.items())): s.value for family in text_string_to_metric_families(response.text) for s in family.samples}
    return response.text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def exchange(socket: ClientConnection, frame: dict[str, object]) -> dict[str, object]:
    await socket.send(json.dumps(frame))
    answer: dict[str, object] = json.loads(await socket.recv())
    return answer


async def test_ready_when_the_database_and_rasa_answer(rasa_url: str, tmp_path: Path) -> None:
    async with app_at(f"sqlite:///{tmp_path / 'line.db'}", rasa_url) as http:
        ready = await http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "nlu": "ok"}


async def test_not_ready_without_rasa_but_still_alive(tmp_path: Path) -> None:
    async with app_at(f"sqlite:///{tmp_path / 'line.db'}", unreachable_rasa()) as http:
        ready, alive = await http.get("/readyz"), await http.get("/healthz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "not ready", "database": "ok", "nlu": "unavailable"}
    assert alive.status_code == 200 and alive.json()["nlu"] == "unavailable"


@pytest.mark.parametrize("empty_database_url", ["postgresql"], indirect=True)
async def test_a_database_gone_away_is_named_not_a_500(empty_database_url: str) -> None:
    async with app_at(empty_database_url, unreachable_rasa()) as http:
        assert (await http.get("/readyz")).json()["database"] == "ok"
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{make_url(empty_database_url).database}" WITH (FORCE)')
        ready = await http.get("/readyz")
        scraped = await http.get("/metrics")
    assert ready.status_code == 503
    assert ready.json() == {"status": "not ready", "database": "unavailable", "nlu": "unavailable"}
    assert scraped.status_code == 200 and "supportline_queue_waiting_requests NaN" in scraped.text


async def test_metrics_count_web_chat_messages_and_the_queue_and_reveal_nothing_said(empty_database_url: str) -> None:
    key, marker = secrets.token_urlsafe(32), secrets.token_hex(8)
    free_text = f"hej {marker} vad kan jag göra"
    async with app_at(empty_database_url, unreachable_rasa()) as http:
        _, before = await scrape(http)
        assert value(before, "supportline_queue_waiting_requests") == 0
        async with connect(str(http.base_url).replace("http://", "ws://") + "/chat/socket") as socket:
            assert (await exchange(socket, {"type": "hello", "key": key, "locale": "sv"}))["type"] == "transcript"  # the chat's own /start button
            assert (await exchange(socket, {"type": "message", "text": "/help"}))["type"] == "turn"
            assert (await exchange(socket, {"type": "message", "text": free_text}))["type"] == "turn"  # to Rasa, which is down
            assert (await exchange(socket, {"type": "message", "text": "/human"}))["type"] == "turn"
        text, after = await scrape(http)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("supportline_messages_handled_total", channel="web", kind="button") == 1
    assert grew("supportline_messages_handled_total", channel="web", kind="command") == 2
    assert grew("supportline_messages_handled_total", channel="web", kind="text") == 1
    assert grew("supportline_reply_seconds_count", channel="web", path="direct") == 3
    assert grew("supportline_reply_seconds_count", channel="web", path="nlu") == 1
    assert grew("supportline_reply_seconds_bucket", channel="web", path="direct", le="+Inf") == 3
    assert grew("supportline_nlu_errors_total", error="unavailable") == 1
    assert grew("supportline_handoff_requests_total", priority="normal") == 1
    assert grew("supportline_crisis_escalations_total") == 0
    assert value(after, "supportline_queue_waiting_requests") == 1
    assert value(after, "supportline_outbox_backlog_messages") == 0  # the web chat answers on its socket, not through the outbox
    assert 0 <= value(after, "supportline_queue_oldest_wait_seconds") < 60

    conversation_id = pseudonym(secret=test_settings().secret_key, channel="web", user_id=key)
    for secret in (conversation_id, key, marker, "vad kan jag"):
        assert secret not in text
