"""Storage on SQLite and PostgreSQL: migrations, erasure, and the handoff queue's priority rule."""

import secrets

from sqlalchemy import inspect, select

from bot.storage import (
    Conversation,
    Database,
    HandoffRequest,
    async_url,
    erase_conversation,
    get_or_create_conversation,
)
from handoff import request_handoff


def test_plain_urls_get_async_drivers() -> None:
    assert async_url("sqlite:///var/x.db") == "sqlite+aiosqlite:///var/x.db"
    assert async_url("postgresql://postgres@127.0.0.1:5432/db") == "postgresql+psycopg://postgres@127.0.0.1:5432/db"
    assert async_url("postgresql+psycopg://u:p@h/db") == "postgresql+psycopg://u:p@h/db"


async def test_migrations_create_the_tables_and_can_run_again(database: Database) -> None:
    await database.migrate()
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert {"conversations", "handoff_requests", "alembic_version"} <= tables


async def test_a_handoff_request_is_kept_and_its_priority_only_raised(database: Database) -> None:
    conversation_id = secrets.token_hex(16)
    async with database.session() as session:
        conversation = await get_or_create_conversation(session, conversation_id=conversation_id, channel="test")
        await request_handoff(session, conversation=conversation, priority="normal", reason=None)
        await request_handoff(session, conversation=conversation, priority="urgent", reason="crisis")
        await request_handoff(session, conversation=conversation, priority="high", reason="exploitation_risk")
        await session.commit()
    async with database.session() as session:
        requests = list(await session.scalars(select(HandoffRequest).where(HandoffRequest.conversation_id == conversation_id)))
        conversation = await session.get(Conversation, conversation_id)
    assert [(r.priority, r.reason, r.state) for r in requests] == [("urgent", "crisis", "queued")]
    assert conversation is not None and conversation.handoff_state == "queued"


async def test_erasing_a_conversation_erases_its_requests(database: Database) -> None:
    conversation_id = secrets.token_hex(16)
    async with database.session() as session:
        conversation = await get_or_create_conversation(session, conversation_id=conversation_id, channel="test")
        await request_handoff(session, conversation=conversation, priority="normal", reason=None)
        await session.commit()
    async with database.session() as session:
        await erase_conversation(session, conversation_id=conversation_id)
        await session.commit()
    async with database.session() as session:
        assert await session.get(Conversation, conversation_id) is None
        assert list(await session.scalars(select(HandoffRequest).where(HandoffRequest.conversation_id == conversation_id))) == []
