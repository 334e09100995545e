"""The outbox as a channel's sender sees it: take the messages that are due, confirm or postpone each.

Replies to a channel that gives an address (Telegram) are queued in the same transaction as the turn
that made them, so a crash loses none; the sender delivers them at least once, in order per young person.
"""

from dataclasses import dataclass
from datetime import timedelta

from bot.conversation._types import Button, Reply, Turn
from bot.i18n import text_direction
from bot.storage import (
    Database, due_outbox_heads, lease_outbox_message, outbox_backlog, outbox_contents, remove_from_outbox, retry_outbox_message, utcnow,
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
        taken = []
        async with self._database.session() as session:
            for message in await due_outbox_heads(session, channel=channel, now=now, limit=limit):
                if await lease_outbox_message(session, message=message, until=now + lease_for):
                    language, text, buttons, markdown = outbox_contents(message)
                    language = language or self._default_language
                    reply = Reply(text, tuple(Button(label, payload) for label, payload in buttons))
                    direction = text_direction(language) if markdown else "ltr"  # a person's words go out exactly as typed
                    turn = Turn(replies=(reply,), language=language, direction=direction)
                    taken.append(Outgoing(message.id, message.conversation_id, message.address, message.attempts, turn, markdown))
            await session.commit()
        return taken

    async def delivered(self, message_id: int) -> None:
        """The channel confirmed it (or refused it for good): it leaves the outbox."""
        async with self._database.session() as session:
            await remove_from_outbox(session, message_id=message_id)
            await session.commit()

    async def postpone(self, message_id: int, *, seconds: float) -> None:
        """Try again in `seconds`; later messages to the same young person wait behind it."""
        async with self._database.session() as session:
            await retry_outbox_message(session, message_id=message_id, at=utcnow() + timedelta(seconds=seconds))
            await session.commit()

    async def backlog(self) -> int:
        """How many messages wait."""
        async with self._database.session() as session:
            return await outbox_backlog(session)
