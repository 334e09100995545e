"""Storage on SQLite and PostgreSQL: migrations, erasure, and the handoff queue's priority rule."""

import asyncio
import secrets
from pathlib import Path

from sqlalchemy import func, inspect, select, text

from bot.storage import (
    Conversation,
    Database,
    HandoffRequest,
    async_url,
    erase_conversation,
    get_or_create_conversation,
)
from handoff import request_handoff
from tests.conftest import migrated


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


async def test_sqlite_writers_of_one_process_take_turns_in_the_order_they_asked(tmp_path: Path) -> None:
    """While one transaction writes, the next writers wait in line (not in SQLite's busy handler, which
    lets whoever retries first win) and readers are not held up; each writes as soon as its turn comes."""
    async with migrated(f"sqlite:///{tmp_path / 'turns.db'}", pool_size=8) as database:
        async with database.session() as first:
            await get_or_create_conversation(first, conversation_id="writer-0", channel="test")
            await first.flush()  # holds the turn until it commits

            async def write(index: int) -> None:
                async with database.session() as session:
                    await get_or_create_conversation(session, conversation_id=f"writer-{index}", channel="test")
                    await session.commit()

            waiting = []
            for index in range(1, 6):
                waiting.append(asyncio.create_task(write(index)))
                await asyncio.sleep(0.02)  # each asks after the one before it
            async with database.session() as reader:
                assert await reader.scalar(select(func.count()).select_from(Conversation)) == 0, "a reader is not held up"
            assert not any(task.done() for task in waiting), "they wait for the first to finish"
            await first.commit()
        await asyncio.gather(*waiting)
        async with database.session() as session:
            order = list(await session.scalars(text("SELECT id FROM conversations ORDER BY rowid")))
    assert order == [f"writer-{index}" for index in range(6)]
