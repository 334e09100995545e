"""Graceful mode: with Rasa down, menus, buttons and handoff work, and free text is honestly refused."""

import secrets
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.conversation import ConversationCore, Incoming
from bot.i18n import Catalogs
from bot.runtime import conversation_core
from bot.storage import Database, HandoffRequest
from tests.conftest import free_port, test_settings


@pytest.fixture
async def core_without_nlu(database_url: str) -> AsyncIterator[ConversationCore]:
    async with conversation_core(test_settings(database_url=database_url, rasa_url=f"http://127.0.0.1:{free_port()}")) as core:
        yield core


async def test_without_nlu_the_bot_still_helps(core_without_nlu: ConversationCore, database: Database) -> None:
    conversation_id = secrets.token_hex(16)

    async def send(**message: str) -> object:
        return await core_without_nlu.handle(Incoming(conversation_id, "test", **message))

    assert not await core_without_nlu.nlu_ready()
    await send(payload="lang:en")
    free_text = await send(text="I got a rejection, what now?")
    assert free_text.nlu_available is False and free_text.topic is None
    assert free_text.replies[0].text == Catalogs().text("en", "nlu.unavailable")
    assert "topic:rejection_next_steps" in [b.payload for b in free_text.replies[0].buttons]

    button = await send(payload="topic:rejection_next_steps")
    assert button.topic == "rejection_next_steps" and button.nlu_available

    city = await send(text="Malmö")
    assert city.topic == "safe_places" and city.nlu_available is False

    crisis = await send(text="jag vill inte leva längre")
    assert crisis.crisis and crisis.handoff == "urgent" and crisis.nlu_available is False

    human = await send(text="/human")
    assert human.handoff == "urgent"  # the open request keeps its higher priority
    async with database.session() as session:
        requests = list(await session.scalars(select(HandoffRequest).where(HandoffRequest.conversation_id == conversation_id)))
    assert [r.priority for r in requests] == ["urgent"]
