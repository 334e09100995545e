"""The outbox (messages on their way through a channel that can fail) and the keys of input already handled."""

import json
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.storage._models import HandledInput, OutboxMessage


async def mark_handled(session: AsyncSession, *, key: str) -> bool:
    """Record that the input with this delivery key is being handled; False if it already was.
    Written first in its transaction, so two deliveries of one update cannot both pass."""
    insert = postgresql_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    added = await session.scalar(insert(HandledInput).values(key=key).on_conflict_do_nothing(index_elements=["key"]).returning(HandledInput.key))
    return added is not None


def add_to_outbox(
    session: AsyncSession, *, conversation_id: str, channel: str, address: str, language: str | None, text: str,
    buttons: list[list[str]] | None = None, markdown: bool = True,
) -> None:
    """Queue one message for delivery (written with the session's commit). `buttons`: `[label, payload]`
    pairs; `markdown`: False for text a person typed, which must be shown exactly as written."""
    body = json.dumps({"language": language, "text": text, "buttons": buttons or [], "markdown": markdown}, ensure_ascii=False)
    session.add(OutboxMessage(conversation_id=conversation_id, channel=channel, address=address, body=body, attempts=0))


def outbox_contents(message: OutboxMessage) -> tuple[str | None, str, list[list[str]], bool]:
    """A queued message's language (None: not known), text, `[label, payload]` buttons, and whether it is Markdown."""
    body = json.loads(message.body)
    return body["language"], body["text"], body["buttons"], body["markdown"]


# The sender runs these on every wake-up: built once with bound parameters, since building them
# took longer than running them (py-spy, a Telegram button at N = 1: 9 % of the event loop).
_earlier = aliased(OutboxMessage)
_DUE_HEADS = (
    select(OutboxMessage.id)
    .where(
        OutboxMessage.channel == bindparam("channel"),
        OutboxMessage.next_attempt_at <= bindparam("now"),
        ~select(_earlier.id).where(_earlier.conversation_id == OutboxMessage.conversation_id, _earlier.id < OutboxMessage.id).exists(),
    )
    .order_by(OutboxMessage.id)
    .limit(bindparam("limit"))
)
_LEASE = (
    update(OutboxMessage)
    .where(OutboxMessage.next_attempt_at <= bindparam("now"))
    .values(next_attempt_at=bindparam("until"))
    .returning(OutboxMessage)
    .execution_options(synchronize_session=False)
)
"""Leases the due rows its caller selects (`now`, `until`), returning them."""
_LEASE_HEADS = _LEASE.where(OutboxMessage.id.in_(bindparam("ids", expanding=True)))
_LEASE_OLDEST = _LEASE.where(
    OutboxMessage.id == select(func.min(OutboxMessage.id)).where(OutboxMessage.conversation_id == bindparam("of_conversation")).scalar_subquery()
)


async def lease_due_heads(session: AsyncSession, *, channel: str, now: datetime, until: datetime, limit: int) -> list[OutboxMessage]:
    """Take, until `until`, the oldest waiting message of each conversation on `channel` that is due
    (later ones wait their turn, so each young person receives messages in order), oldest first.

    Looked for first (a read: an idle sender never takes the write lock), then leased in one statement:
    a message another worker leased since (its `next_attempt_at` moved past `now`) is left to it, also
    on PostgreSQL, which re-checks that condition on the row it waited for."""
    candidates = list(await session.scalars(_DUE_HEADS, {"channel": channel, "now": now, "limit": limit}))
    if not candidates:
        return []
    leased = await session.scalars(_LEASE_HEADS, {"ids": candidates, "now": now, "until": until})
    return sorted(leased, key=lambda message: message.id)


async def lease_next_of_conversation(session: AsyncSession, *, conversation_id: str, now: datetime, until: datetime) -> OutboxMessage | None:
    """Take, until `until`, the conversation's oldest waiting message if it is due; None otherwise."""
    return await session.scalar(_LEASE_OLDEST, {"of_conversation": conversation_id, "now": now, "until": until})


async def remove_from_outbox(session: AsyncSession, *, message_id: int) -> None:
    """The channel confirmed the message (or refused it for good): it leaves the outbox."""
    await session.execute(delete(OutboxMessage).where(OutboxMessage.id == message_id))


async def retry_outbox_message(session: AsyncSession, *, message_id: int, at: datetime) -> None:
    """Try again at `at`; count the attempt."""
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id)
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=at).execution_options(synchronize_session=False)
    )


async def outbox_backlog(session: AsyncSession) -> int:
    """How many messages wait in the outbox."""
    return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)

