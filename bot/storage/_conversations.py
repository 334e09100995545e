"""Conversation state: read, create and erase, by pseudonymous key."""

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage._messages import IN_CHUNK
from bot.storage._models import Conversation, OutboxMessage


async def get_or_create_conversation(session: AsyncSession, *, conversation_id: str, channel: str) -> Conversation:
    """The conversation with this key, created on first contact. Two first messages at once (a young
    person tapping twice, an update delivered twice) both get the one conversation: the insert steps
    aside when the other one's insert is there first."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
        await session.execute(
            insert(Conversation)
            .values(id=conversation_id, channel=channel, language_chosen=False, handoff_state="bot", detected_streak=0)
            .on_conflict_do_nothing(index_elements=["id"])
        )
        conversation = await session.get_one(Conversation, conversation_id)
    return conversation


async def conversations_by_id(session: AsyncSession, *, conversation_ids: list[str]) -> dict[str, Conversation]:
    """Many conversations by key, in a few queries (the console's queue lists thousands)."""
    found: dict[str, Conversation] = {}
    for start in range(0, len(conversation_ids), IN_CHUNK):
        rows = await session.scalars(select(Conversation).where(Conversation.id.in_(conversation_ids[start:start + IN_CHUNK])))
        found.update((conversation.id, conversation) for conversation in rows)
    return found


async def erase_conversation(session: AsyncSession, *, conversation_id: str) -> None:
    """Delete the conversation, everything that hangs on it, and its messages still on their way."""
    await session.execute(delete(OutboxMessage).where(OutboxMessage.conversation_id == conversation_id))
    await session.execute(delete(Conversation).where(Conversation.id == conversation_id))
