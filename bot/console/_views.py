"""What the console shows, read from storage: the queue, a counsellor's cases, load, one case."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import (
    CaseNote, Conversation, Counsellor, HandoffRequest, Message, active_counsellors, assigned_count, case_notes, latest_messages,
    online_counsellors, open_requests, topic_trail, utcnow, waiting_requests,
)
from handoff import SUPERVISING_ROLES

TRANSCRIPT_LENGTH = 500


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


async def _row(session: AsyncSession, request: HandoffRequest, now: datetime, names: dict[int, str]) -> CaseRow:
    conversation = await session.get(Conversation, request.conversation_id)
    assert conversation is not None
    return CaseRow(
        request, conversation.language, conversation.channel, int((now - request.created_at).total_seconds() // 60),
        await topic_trail(session, conversation_id=conversation.id), names.get(request.counsellor_id or 0),
    )


async def queue_rows(session: AsyncSession) -> list[CaseRow]:
    """Every waiting request, in the order they should be taken."""
    now, names = utcnow(), await _names(session)
    return [await _row(session, request, now, names) for request in await waiting_requests(session)]


async def case_rows(session: AsyncSession, *, counsellor: Counsellor) -> list[CaseRow]:
    """The counsellor's own conversations; a supervisor's list holds every active one."""
    now, names = utcnow(), await _names(session)
    holder = None if counsellor.role in SUPERVISING_ROLES else counsellor.id
    return [await _row(session, request, now, names) for request in await open_requests(session, counsellor_id=holder)]


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
