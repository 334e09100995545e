"""Handoff requests and the queue, in SQL: find, add, claim atomically, move through states."""

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage._models import CaseNote, Conversation, Counsellor, HandoffRequest, utcnow

OPEN_STATES = ("queued", "assigned", "transferred")
WAITING_STATES = ("queued", "transferred")
_RANKS = {"urgent": 0, "high": 1}
_LAST_RANK = 2
PRIORITY_RANK = case(_RANKS, value=HandoffRequest.priority, else_=_LAST_RANK)
"""Urgent before high before normal; within a priority, the longest waiting first."""
_WAITING = HandoffRequest.state.in_(WAITING_STATES)


async def open_handoff_request(session: AsyncSession, *, conversation_id: str) -> HandoffRequest | None:
    """The conversation's request that is not over yet (waiting, or with a counsellor), if any."""
    return await session.scalar(
        select(HandoffRequest).where(HandoffRequest.conversation_id == conversation_id, HandoffRequest.state.in_(OPEN_STATES))
    )


async def add_handoff_request(session: AsyncSession, *, conversation: Conversation, priority: str, reason: str | None) -> HandoffRequest:
    """Put the conversation in the queue."""
    request = HandoffRequest(conversation_id=conversation.id, priority=priority, reason=reason, state="queued")
    session.add(request)
    conversation.handoff_state = "queued"
    await session.flush()
    return request


def _in_queue_order(statement: Select[Any]) -> Select[Any]:
    """`statement` over the waiting requests, in the order counsellors should take them."""
    return statement.where(_WAITING).order_by(PRIORITY_RANK, HandoffRequest.created_at, HandoffRequest.id)


async def waiting_requests(session: AsyncSession, *, limit: int | None = None) -> list[HandoffRequest]:
    """The queue: every waiting request (or the first `limit`), in the order counsellors should take them."""
    return list(await session.scalars(_in_queue_order(select(HandoffRequest)).limit(limit)))


async def waiting_conversation_ids(session: AsyncSession) -> list[str]:
    """The conversations with a waiting request, in no particular order."""
    return list(await session.scalars(select(HandoffRequest.conversation_id).where(_WAITING)))


class QueueEntry(NamedTuple):
    """A waiting request and what its young person was last told, without loading either as an object."""

    request_id: int
    told_wait: str | None
    conversation_id: str
    channel: str
    language: str | None
    handoff_state: str
    has_address: bool
    """Whether the channel has somewhere to send to (the address itself stays encrypted until needed)."""


async def queue_entries(session: AsyncSession) -> list[QueueEntry]:
    """The whole queue in order, as plain rows: a pass over thousands of waiting young people (telling
    each their new place) would spend most of a second loading them as objects and decrypting addresses."""
    columns = select(
        HandoffRequest.id, HandoffRequest.told_wait, Conversation.id, Conversation.channel, Conversation.language, Conversation.handoff_state,
        Conversation.address.is_not(None),
    ).join(Conversation, Conversation.id == HandoffRequest.conversation_id)
    return [QueueEntry(*row) for row in await session.execute(_in_queue_order(columns))]


async def queue_position(session: AsyncSession, *, request: HandoffRequest) -> int:
    """The waiting request's place in the queue (1 = next), counted by the database: listing a queue
    thousands long for each young person's place would cost seconds."""
    rank = _RANKS.get(request.priority, _LAST_RANK)
    earlier = or_(HandoffRequest.created_at < request.created_at, and_(HandoffRequest.created_at == request.created_at, HandoffRequest.id < request.id))
    ahead = select(func.count()).select_from(HandoffRequest).where(
        _WAITING, or_(PRIORITY_RANK < rank, and_(PRIORITY_RANK == rank, earlier)),
    )
    return int(await session.scalar(ahead) or 0) + 1


async def waiting_count(session: AsyncSession) -> int:
    """How many requests wait."""
    count, _ = await waiting_summary(session)
    return count


async def waiting_summary(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many requests wait, and since when the longest-waiting one has (None: nobody waits)."""
    waiting = select(func.count(), func.min(HandoffRequest.created_at)).where(_WAITING)
    count, oldest = (await session.execute(waiting)).one()
    return int(count or 0), oldest


async def claim_request(session: AsyncSession, *, request_id: int, counsellor: Counsellor) -> bool:
    """Give the request to `counsellor` if it is still waiting (for them, if it is being transferred)
    and they are under their limit. One conditional UPDATE: when many claim at once, exactly one wins.

    On PostgreSQL the counsellor's own row is locked first, so two claims by the same counsellor
    cannot both pass the limit. SQLite serialises writers; there the UPDATE must be the transaction's
    first statement, so that it waits for the write lock instead of failing to upgrade a read.
    """
    if session.bind.dialect.name == "postgresql":
        await session.execute(select(Counsellor.id).where(Counsellor.id == counsellor.id).with_for_update())
    load = _assigned_to(counsellor.id).scalar_subquery()
    claimable = or_(HandoffRequest.state == "queued", and_(HandoffRequest.state == "transferred", HandoffRequest.counsellor_id == counsellor.id))
    result = await session.execute(
        update(HandoffRequest)
        .where(HandoffRequest.id == request_id, claimable, load < counsellor.max_concurrent)
        .values(state="assigned", counsellor_id=counsellor.id, assigned_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


async def mark_wait_told(session: AsyncSession, *, request_id: int, before: str | None, after: str) -> bool:
    """Record that the young person is being told `after`, unless someone else already told them
    since `before` was read: with several senders (channels, workers), each change is told once."""
    told = HandoffRequest.told_wait.is_(None) if before is None else HandoffRequest.told_wait == before
    result = await session.execute(
        update(HandoffRequest).where(HandoffRequest.id == request_id, told).values(told_wait=after).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


async def next_claimable_id(session: AsyncSession, *, languages: list[str]) -> int | None:
    """The request a counsellor should take next: highest priority, then one in a language they speak,
    then the longest waiting. Rows other workers are claiming right now are skipped (PostgreSQL)."""
    speaks = case((Conversation.language.in_(languages), 0), else_=1)
    query = (
        select(HandoffRequest.id)
        .join(Conversation, Conversation.id == HandoffRequest.conversation_id)
        .where(HandoffRequest.state == "queued")
        .order_by(PRIORITY_RANK, speaks, HandoffRequest.created_at, HandoffRequest.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=HandoffRequest)
    )
    return await session.scalar(query)


async def move_request(session: AsyncSession, *, request: HandoffRequest, to_state: str, counsellor_id: int | None, ended_at: datetime | None = None) -> None:
    """Set a request's state and holder (the rules of which moves are allowed live in `handoff`)."""
    request.state, request.counsellor_id = to_state, counsellor_id
    if ended_at is not None:
        request.ended_at = ended_at
    await session.flush()


async def assigned_count(session: AsyncSession, *, counsellor_id: int) -> int:
    """How many conversations a counsellor has right now."""
    return int(await session.scalar(_assigned_to(counsellor_id)) or 0)


def _assigned_to(counsellor_id: int) -> Select[tuple[int]]:
    """How many conversations a counsellor has: the count a claim must keep under their limit."""
    return select(func.count()).select_from(HandoffRequest).where(HandoffRequest.counsellor_id == counsellor_id, HandoffRequest.state == "assigned")


async def recent_waits(session: AsyncSession, *, limit: int) -> list[float]:
    """How long, in seconds, the last `limit` claimed requests waited before a counsellor took them."""
    rows = await session.execute(
        select(HandoffRequest.created_at, HandoffRequest.assigned_at)
        .where(HandoffRequest.assigned_at.is_not(None))
        .order_by(HandoffRequest.assigned_at.desc())
        .limit(limit)
    )
    return [(assigned - created).total_seconds() for created, assigned in rows]


async def online_counsellors(session: AsyncSession, *, seen_since: datetime) -> list[Counsellor]:
    """Active counsellors whose console was open since `seen_since`."""
    rows = await session.scalars(select(Counsellor).where(Counsellor.active.is_(True), Counsellor.last_seen_at >= seen_since))
    return list(rows)


async def open_requests(session: AsyncSession, *, counsellor_id: int | None) -> list[HandoffRequest]:
    """Requests with a counsellor (or being transferred to one): one counsellor's, or everyone's (None)."""
    query = select(HandoffRequest).where(HandoffRequest.state.in_(("assigned", "transferred"))).order_by(HandoffRequest.assigned_at)
    if counsellor_id is not None:
        query = query.where(HandoffRequest.counsellor_id == counsellor_id)
    return list(await session.scalars(query))


async def case_notes(session: AsyncSession, *, request_id: int) -> list[CaseNote]:
    """A case's notes, oldest first."""
    return list(await session.scalars(select(CaseNote).where(CaseNote.request_id == request_id).order_by(CaseNote.id)))
