"""The outbox and handled-input keys, on SQLite and PostgreSQL: a redelivered message is answered once;
replies wait in order per young person; a taken message is nobody else's until its lease runs out."""

import asyncio
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from bot.conversation import ConversationCore, Incoming
from bot.i18n import Catalogs
from bot.runtime import conversation_core
from bot.storage import OutboxMessage
from tests.conftest import free_port, migrated, test_settings

CATALOGS = Catalogs()
LEASE = timedelta(seconds=30)


@pytest.fixture
async def core(empty_database_url: str) -> AsyncIterator[ConversationCore]:
    """A core with no Rasa (commands only here), on its own database."""
    settings = test_settings(database_url=empty_database_url, rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_seconds=0.3)
    async with conversation_core(settings) as core:
        yield core


def telegram_message(conversation_id: str, text: str, update_id: int) -> Incoming:
    return Incoming(conversation_id, "telegram", text=text, locale_hint="sv", key=f"telegram:{update_id}", address="424242")


async def test_a_redelivered_update_is_answered_once(core: ConversationCore) -> None:
    first = await core.handle(telegram_message("young-1", "/help", 1))
    again = await core.handle(telegram_message("young-1", "/help", 1))
    assert first.replies and not first.duplicate
    assert again.duplicate and not again.replies
    [queued] = await core.outbox.take_due(channel="telegram", limit=10, lease_for=LEASE)
    assert queued.address == "424242" and queued.turn.replies[0].text == first.replies[0].text and queued.markdown
    assert await core.outbox.backlog() == 1


async def test_a_new_young_persons_messages_arriving_at_once_are_each_answered_once(core: ConversationCore) -> None:
    """Two first messages of a new conversation, each delivered four times, all at the same moment:
    one conversation, each message answered once, nothing failing on the conversation created twice."""
    deliveries = [telegram_message("young-race", command, update_id) for command, update_id in (("/help", 5), ("/menu", 6)) for _ in range(4)]
    turns = await asyncio.gather(*(core.handle(incoming) for incoming in deliveries))
    assert sum(not turn.duplicate for turn in turns) == 2
    assert all(not turn.replies for turn in turns if turn.duplicate)
    assert len((await core.transcript("young-race")).entries) == 4
    assert await core.outbox.backlog() == 2


async def test_replies_wait_in_order_per_young_person_and_a_lease_keeps_others_off(core: ConversationCore) -> None:
    await core.handle(telegram_message("young-a", "/help", 10))
    await core.handle(telegram_message("young-a", "/menu", 11))
    await core.handle(telegram_message("young-b", "/menu", 12))
    taken = await core.outbox.take_due(channel="telegram", limit=10, lease_for=LEASE)
    assert [(message.conversation_id, message.turn.replies[0].text.split("\n")[0]) for message in taken] == [
        ("young-a", CATALOGS.text("sv", "help.text").split("\n")[0]), ("young-b", CATALOGS.text("sv", "menu.prompt").split("\n")[0]),
    ]
    assert await core.outbox.take_due(channel="telegram", limit=10, lease_for=LEASE) == [], "leased, and young-a's second waits behind its first"
    await core.outbox.delivered(taken[0])
    await core.outbox.postpone(taken[1].id, seconds=60)
    [next_for_a] = await core.outbox.take_due(channel="telegram", limit=10, lease_for=LEASE)
    assert next_for_a.conversation_id == "young-a" and next_for_a.turn.replies[0].text.startswith(CATALOGS.text("sv", "menu.prompt").split("\n")[0])


async def test_a_confirmation_takes_the_young_persons_next_message_with_it(core: ConversationCore) -> None:
    """A turn of several replies goes out in one batch: confirming one leases the young person's next, in order."""
    for update_id, command in enumerate(("/help", "/menu", "/language"), start=40):
        await core.handle(telegram_message("young-d", command, update_id))
    [first] = await core.outbox.take_due(channel="telegram", limit=10, lease_for=LEASE)
    second = await core.outbox.delivered(first, lease_next_for=LEASE)
    assert second is not None and second.turn.replies[0].text.startswith(CATALOGS.text("sv", "menu.prompt").split("\n")[0])
    assert await core.outbox.take_due(channel="telegram", limit=10, lease_for=LEASE) == [], "leased with the confirmation; the third waits behind it"
    third = await core.outbox.delivered(second)
    assert third is None, "not asked for: it stays for the next batch"
    [third] = await core.outbox.take_due(channel="telegram", limit=10, lease_for=LEASE)
    assert third.turn.replies[0].text == CATALOGS.text("sv", "language.choose")


async def test_a_confirmation_leaves_a_next_message_that_is_not_due(core: ConversationCore, empty_database_url: str) -> None:
    for update_id, command in enumerate(("/help", "/menu", "/language"), start=50):
        await core.handle(telegram_message("young-e", command, update_id))
    [first] = await core.outbox.take_due(channel="telegram", limit=10, lease_for=LEASE)
    async with migrated(empty_database_url) as database, database.session() as session:
        second_id, _third_id = (await session.scalars(select(OutboxMessage.id).where(OutboxMessage.id > first.id).order_by(OutboxMessage.id))).all()
    await core.outbox.postpone(second_id, seconds=60)  # as after a failed send
    assert await core.outbox.delivered(first, lease_next_for=LEASE) is None
    assert await core.outbox.take_due(channel="telegram", limit=10, lease_for=LEASE) == [], "the third waits behind the postponed second"
    assert await core.outbox.backlog() == 2


async def test_forget_clears_what_waits_but_still_confirms_it(core: ConversationCore) -> None:
    conversation_id = secrets.token_hex(8)
    await core.handle(telegram_message(conversation_id, "/help", 20))
    await core.handle(telegram_message(conversation_id, "/forget", 21))
    [confirmation] = await core.outbox.take_due(channel="telegram", limit=10, lease_for=LEASE)
    assert confirmation.turn.replies[0].text == CATALOGS.text("sv", "forget.done")
    assert await core.outbox.backlog() == 1


async def test_the_outbox_holds_no_plain_text(core: ConversationCore, empty_database_url: str) -> None:
    await core.handle(telegram_message("young-c", "/help", 30))
    async with migrated(empty_database_url) as database, database.session() as session:  # what a database dump shows
        rows = (await session.execute(text("SELECT address, body FROM outbox"))).all()
    assert rows and all("424242" not in address and "help" not in body.lower() for address, body in rows)
