"""The transcript: append messages, read a conversation's latest ones in order, or one message's text."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage._models import Message

IN_CHUNK = 500
"""Keys per `IN (…)` list: far below SQLite's limit on bound parameters."""


def add_message(
    session: AsyncSession, *, conversation_id: str, sender: str, kind: str, text: str | None = None,
    buttons: list[list[str]] | None = None, topic: str | None = None,
) -> Message:
    """Append one message to the conversation's transcript (written with the session's commit)."""
    message = Message(conversation_id=conversation_id, sender=sender, kind=kind, text=text, buttons=buttons, topic=topic)
    session.add(message)
    return message


async def message_text(session: AsyncSession, *, conversation_id: str, message_id: int) -> str | None:
    """The text of one message of this conversation; None if it is gone (purged, `/forget`) or has no text."""
    return await session.scalar(select(Message.text).where(Message.id == message_id, Message.conversation_id == conversation_id))


async def latest_messages(session: AsyncSession, *, conversation_id: str, limit: int) -> list[Message]:
    """The conversation's last `limit` messages, oldest first."""
    newest_first = await session.scalars(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id.desc()).limit(limit)
    )
    return list(reversed(newest_first.all()))


async def topic_trail(session: AsyncSession, *, conversation_id: str) -> list[str]:
    """The topics the bot answered in this conversation, in order, each once."""
    topics = await session.scalars(
        select(Message.topic).where(Message.conversation_id == conversation_id, Message.topic.is_not(None)).order_by(Message.id)
    )
    return list(dict.fromkeys(topic for topic in topics if topic))


async def topic_trails(session: AsyncSession, *, conversation_ids: list[str]) -> dict[str, list[str]]:
    """`topic_trail` of many conversations in a few queries (the console's queue lists thousands)."""
    found: dict[str, dict[str, None]] = {}
    for start in range(0, len(conversation_ids), IN_CHUNK):
        rows = await session.execute(
            select(Message.conversation_id, Message.topic)
            .where(Message.conversation_id.in_(conversation_ids[start:start + IN_CHUNK]), Message.topic.is_not(None))
            .order_by(Message.id)
        )
        for conversation_id, topic in rows:
            if topic:
                found.setdefault(conversation_id, {})[topic] = None
    return {conversation_id: list(topics) for conversation_id, topics in found.items()}
