"""The young person's side of the queue: their place, an honest estimate, closed hours, nobody online."""

import secrets
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from babel.dates import format_datetime
from sqlalchemy import select

from bot.conversation import ConversationCore, Incoming, Outgoing, Turn
from bot.i18n import Catalogs
from bot.runtime import conversation_core
from bot.storage import Counsellor, Database, HandoffRequest, utcnow
from handoff import OpeningHours
from handoff._hours import STOCKHOLM
from tests.conftest import free_port, test_settings

CATALOGS = Catalogs()
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
STOCKHOLM_NOW = datetime.now(STOCKHOLM)
TOMORROW = DAYS[(STOCKHOLM_NOW.weekday() + 1) % 7]


async def core_with(database_url: str, hours: str) -> AsyncIterator[ConversationCore]:
    settings = test_settings(
        database_url=database_url, handoff_opening_hours=hours,
        rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_seconds=0.5,
    )
    async with conversation_core(settings) as core:
        yield core


async def ask_for_a_person(core: ConversationCore, language: str = "sv") -> Turn:
    return await core.handle(Incoming(secrets.token_hex(16), "test", payload="cmd:human", language=language))


async def add_online_counsellor(database_url: str) -> None:
    database = Database(database_url, keys=test_settings().data_keys_list())
    async with database.session() as session:
        session.add(Counsellor(username=secrets.token_hex(4), display_name="A", languages=["sv"], role="counsellor", max_concurrent=3, password_hash="-", last_seen_at=utcnow()))
        await session.commit()
    await database.close()


@pytest.fixture
async def open_line(empty_database_url: str) -> AsyncIterator[ConversationCore]:
    async for core in core_with(empty_database_url, "mon-sun 00:00-24:00"):
        yield core


async def test_out_of_hours_says_when_the_line_opens_and_keeps_the_request(empty_database_url: str) -> None:
    async for core in core_with(empty_database_url, f"{TOMORROW} 10:00-12:00"):
        turn = await ask_for_a_person(core)
        opens = OpeningHours(f"{TOMORROW} 10:00-12:00").next_opening(utcnow())
        assert turn.replies[-1].text == CATALOGS.text("sv", "handoff.closed", opens=format_datetime(opens, "EEEE HH:mm", locale="sv"))
        assert "112" in turn.replies[-1].text and turn.handoff == "normal"
    database = Database(empty_database_url, keys=test_settings().data_keys_list())
    async with database.session() as session:
        assert (await session.scalars(select(HandoffRequest.state))).all() == ["queued"]
    await database.close()


async def test_with_nobody_online_the_young_person_is_told_so(open_line: ConversationCore) -> None:
    turn = await ask_for_a_person(open_line, "en")
    assert turn.replies[-1].text == CATALOGS.text("en", "handoff.nobody_online")


async def test_the_place_in_the_queue_without_a_made_up_estimate(open_line: ConversationCore, empty_database_url: str) -> None:
    await add_online_counsellor(empty_database_url)
    first, second = await ask_for_a_person(open_line), await ask_for_a_person(open_line)
    assert first.replies[-1].text.startswith(CATALOGS.text("sv", "handoff.position", position=1))
    assert second.replies[-1].text == f'{CATALOGS.text("sv", "handoff.position", position=2)} {CATALOGS.text("sv", "handoff.no_estimate")}'


async def test_an_estimate_once_there_is_history(open_line: ConversationCore, empty_database_url: str) -> None:
    await add_online_counsellor(empty_database_url)
    for _ in range(5):
        await ask_for_a_person(open_line)
    database = Database(empty_database_url, keys=test_settings().data_keys_list())
    async with database.session() as session:
        for request in (await session.scalars(select(HandoffRequest))).all():
            request.state, request.created_at, request.assigned_at = "closed", utcnow() - timedelta(minutes=12), utcnow()
        await session.commit()
    await database.close()
    turn = await ask_for_a_person(open_line)
    assert turn.replies[-1].text == f'{CATALOGS.text("sv", "handoff.position", position=1)} {CATALOGS.text("sv", "handoff.estimate", minutes=15)}'


async def _drain(core: ConversationCore) -> list[Outgoing]:
    """Everything in the Telegram outbox, taken out."""
    taken = []
    while batch := await core.outbox.take_due(channel="telegram", limit=100, lease_for=timedelta(minutes=1)):
        for message in batch:
            taken.append(message)
            await core.outbox.delivered(message)
    return taken


async def test_far_back_in_the_queue_only_a_new_band_of_places_is_news(open_line: ConversationCore, empty_database_url: str) -> None:
    """25 young people wait on Telegram; when the first is served, those now at places 1 to 5 hear their
    new place, and so do those who moved into a new band (10, 20); the other 17 get no message."""
    await add_online_counsellor(empty_database_url)
    for index in range(25):
        await open_line.handle(Incoming(f"young{index:02d}", "telegram", payload="cmd:human", language="sv", address=str(1000 + index)))
    await _drain(open_line)  # their first answers
    database = Database(empty_database_url, keys=test_settings().data_keys_list())
    async with database.session() as session:
        first = await session.scalar(select(HandoffRequest).where(HandoffRequest.conversation_id == "young00"))
        assert first is not None
        first.state = "assigned"
        await session.commit()
    await database.close()

    assert await open_line.post_queue_news(channel="telegram") == 7
    told = {message.address: message.turn.replies[0].text for message in await _drain(open_line)}
    places = {1 + index: str(1001 + index) for index in range(24)}  # young01 is now first
    assert sorted(told) == sorted(places[place] for place in (1, 2, 3, 4, 5, 10, 20))
    assert told[places[10]].startswith(CATALOGS.text("sv", "handoff.position", position=10))
    assert await open_line.post_queue_news(channel="telegram") == 0, "the same place is never told twice"
