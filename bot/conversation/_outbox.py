"""The outbox as a channel's sender sees it: take the messages that are due, confirm or postpone each.

Replies to a channel that gives an address (Telegram) are queued in the same transaction as the turn
that made them, so a crash loses none; the sender delivers them at least once, in order per young person.
"""

from dataclasses import dataclass
from datetime import timedelta

from bot.conversation._types import Button, Reply, Turn
from bot.i18n import text_direction
from bot.storage import (
    Database, OutboxMessage, lease_due_heads, lease_next_of_conversation, outbox_backlog, outbox_contents, remove_from_outbox, retry_outbox_message,
    utcnow,
)


@dataclass(frozen=True)
class Outgoing:
    """One message from the outbox, leased to the sender that took it."""

    id: int
    conversation_id: str
    address: str
    attempts: int
    turn: Turn
    """The message as a one-reply turn, to render like any other."""
    markdown: bool
    """False for a counsellor's words: shown exactly as typed, never parsed as Markdown."""


class Outbox:
    """Messages waiting for their channel to confirm them."""

    def __init__(self, database: Database, *, default_language: str) -> None:
        self._database = database
        self._default_language = default_language

    async def take_due(self, *, channel: str, limit: int, lease_for: timedelta) -> list[Outgoing]:
        """Up to `limit` due messages, at most one per young person (the oldest), leased for
        `lease_for`: another worker takes them only if this one dies before confirming."""
        now = utcnow()
        async with self._database.session() as session:
            leased = await lease_due_heads(session, channel=channel, now=now, until=now + lease_for, limit=limit)
            await session.commit()
        return [self._outgoing(message) for message in leased]

    async def delivered(self, message: Outgoing, *, lease_next_for: timedelta | None = None) -> Outgoing | None:
        """The channel confirmed `message` (or refused it for good): it leaves the outbox. With
        `lease_next_for`, the same young person's next message, if it is due, is leased in the same
        transaction and returned, so a turn of several replies goes out without waiting for the next batch."""
        now = utcnow()
        async with self._database.session() as session:
            await remove_from_outbox(session, message_id=message.id)
            following = None
            if lease_next_for is not None:
                following = await lease_next_of_conversation(session, conversation_id=message.conversation_id, now=now, until=now + lease_next_for)
            await session.commit()
        return None if following is None else self._outgoing(following)

    async def postpone(self, message_id: int, *, seconds: float) -> None:
        """Try again in `seconds`; later messages to the same young person wait behind it."""
        async with self._database.session() as session:
            await retry_outbox_message(session, message_id=message_id, at=utcnow() + timedelta(seconds=seconds))
            await session.commit()

    def _outgoing(self, message: OutboxMessage) -> Outgoing:
        language, text, buttons, markdown = outbox_contents(message)
        language = language or self._default_language
        reply = Reply(text, tuple(Button(label, payload) for label, payload in buttons))
        direction = text_direction(language) if markdown else "ltr"  # a person's words go out exactly as typed
        turn = Turn(replies=(reply,), language=language, direction=direction)
        return Outgoing(message.id, message.conversation_id, message.address, message.attempts, turn, markdown)

    async def backlog(self) -> int:
        """How many messages wait."""
        async with self._database.session() as session:
            return await outbox_backlog(session)
