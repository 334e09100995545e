"""Keeping less: purge what is past the retention period, and re-encrypt texts under the newest key."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Text, delete, exists, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage._encryption import EncryptedText, keyring_of
from bot.storage._handoffs import OPEN_STATES
from bot.storage._models import Base, ConsoleSession, Conversation, HandledInput, HandoffRequest, Message, OutboxMessage

_ROTATION_BATCH = 500
HANDLED_INPUT_MEMORY = timedelta(days=2)
"""Telegram redelivers an update for at most 24 hours: keys older than this can go."""


@dataclass(frozen=True)
class Purged:
    """How many rows one purge deleted."""

    conversations: int
    messages: int
    console_sessions: int
    handled_inputs: int
    undelivered: int
    """Outbox messages a channel never confirmed within the retention period."""


async def purge_expired(session: AsyncSession, *, now: datetime, keep_for: timedelta) -> Purged:
    """Delete transcript messages older than `keep_for`; then conversations with nothing left in
    their transcript and quiet as long (with their requests and case notes), unless a counsellor is
    still needed or busy there; and console sessions past their expiry. The audit log keeps only
    ids and actions, never texts: it stays."""
    cutoff = now - keep_for
    messages = await session.execute(delete(Message).where(Message.created_at < cutoff))
    still_open = exists().where(HandoffRequest.conversation_id == Conversation.id, HandoffRequest.state.in_(OPEN_STATES))
    has_messages = exists().where(Message.conversation_id == Conversation.id)
    conversations = await session.execute(delete(Conversation).where(Conversation.updated_at < cutoff, ~still_open, ~has_messages))
    sessions = await session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))
    handled = await session.execute(delete(HandledInput).where(HandledInput.handled_at < now - HANDLED_INPUT_MEMORY))
    undelivered = await session.execute(delete(OutboxMessage).where(OutboxMessage.created_at < cutoff))
    return Purged(conversations.rowcount, messages.rowcount, sessions.rowcount, handled.rowcount, undelivered.rowcount)  # type: ignore[attr-defined]


async def reencrypt_texts(session: AsyncSession) -> int:
    """Re-encrypt every stored text (every `EncryptedText` column) under the first data key; returns
    how many were rewritten. Tokens are read and written as stored, so nothing is decrypted into the database."""
    keyring = keyring_of(session.bind.dialect)
    rewritten = 0
    for table in Base.metadata.sorted_tables:
        encrypted = [column for column in table.columns if isinstance(column.type, EncryptedText)]
        if not encrypted:
            continue  # e.g. the weekly counters, whose key has several columns
        [key] = table.primary_key.columns
        for column in encrypted:
            last: object = None
            while True:
                query = select(key, type_coerce(column, Text)).where(column.is_not(None)).order_by(key).limit(_ROTATION_BATCH)
                rows = (await session.execute(query if last is None else query.where(key > last))).all()
                for row_key, token in rows:
                    await session.execute(update(table).where(key == row_key).values({column.name: type_coerce(keyring.rotate(token), Text)}))
                rewritten += len(rows)
                if len(rows) < _ROTATION_BATCH:
                    break
                last = rows[-1][0]
    return rewritten
