"""The transcript: append messages, read a conversation's latest ones in order."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage._models import Message


def add_message(
    session: AsyncSession, *, conversation_id: str, sender: str, kind: str, text: str | None = None,
    buttons: list[list[str]] | None = None, topic: str | None = None,
) -> Message:
    """Append one message to the conversation's transcript (written with the session's commit)."""
    message = Message(conversation_id=conversation_id, sender=sender, kind=kind, text=text, buttons=buttons, topic=topic)
    session.add(message)
    return message


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
