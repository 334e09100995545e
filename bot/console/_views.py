"""What the console shows, read from storage: the queue, a counsellor's cases, load, one case."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import (
    CaseNote, Counsellor, HandoffRequest, Message, active_counsellors, assigned_count, case_notes, conversations_by_id, latest_messages,
    online_counsellors, open_requests, topic_trails, utcnow, waiting_requests,
)
from handoff import SUPERVISING_ROLES

TRANSCRIPT_LENGTH = 500
QUEUE_SHOWN = 50
"""Waiting requests listed in the console's queue; the heading counts them all."""


@dataclass(frozen=True)
class CaseRow:
    """One request as a row of the queue or of a case list."""

    request: HandoffRequest
    language: str | None
    channel: str
    waiting_minutes: int
    topics: list[str]
    holder: str | None


@dataclass(frozen=True)
class Load:
    """A counsellor's current number of conversations."""

    counsellor: Counsellor
    assigned: int
    online: bool


async def _rows(session: AsyncSession, requests: list[HandoffRequest]) -> list[CaseRow]:
    """The requests as rows: their conversations and topic trails read in a few queries, not two per row
    (with 10,000 waiting, one query per row took 18 s: bench/parts.py, docs/benchmarks.md)."""
    now, names = utcnow(), await _names(session)
    ids = [request.conversation_id for request in requests]
    conversations = await conversations_by_id(session, conversation_ids=ids)
    trails = await topic_trails(session, conversation_ids=ids)
    return [
        CaseRow(
            request, conversations[request.conversation_id].language, conversations[request.conversation_id].channel,
            int((now - request.created_at).total_seconds() // 60), trails.get(request.conversation_id, []), names.get(request.counsellor_id or 0),
        )
        for request in requests
    ]


async def queue_rows(session: AsyncSession, *, limit: int = QUEUE_SHOWN) -> list[CaseRow]:
    """The first `limit` waiting requests, in the order they should be taken: a counsellor takes from
    the top, and a page of thousands of rows would take seconds to build and be of no use."""
    return await _rows(session, await waiting_requests(session, limit=limit))


async def case_rows(session: AsyncSession, *, counsellor: Counsellor) -> list[CaseRow]:
    """The counsellor's own conversations; a supervisor's list holds every active one."""
    holder = None if counsellor.role in SUPERVISING_ROLES else counsellor.id
    return await _rows(session, await open_requests(session, counsellor_id=holder))


async def loads(session: AsyncSession, *, online_since: datetime) -> list[Load]:
    """Every active counsellor's load (for supervisors)."""
    online = {c.id for c in await online_counsellors(session, seen_since=online_since)}
    return [Load(c, await assigned_count(session, counsellor_id=c.id), c.id in online) for c in await active_counsellors(session)]


async def transcript(session: AsyncSession, *, conversation_id: str) -> list[Message]:
    """The conversation as the counsellor reads it."""
    return await latest_messages(session, conversation_id=conversation_id, limit=TRANSCRIPT_LENGTH)


async def notes(session: AsyncSession, *, request_id: int) -> list[CaseNote]:
    """The case's notes, oldest first."""
    return await case_notes(session, request_id=request_id)


async def _names(session: AsyncSession) -> dict[int, str]:
    return {c.id: c.display_name for c in await active_counsellors(session)}
