"""Handoff requests: the young person's side of the queue."""

from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import Conversation, HandoffRequest, Tally, add_handoff_request, count_weekly, open_handoff_request

Priority = Literal["urgent", "high", "normal"]
_RANK: dict[str, int] = {"urgent": 0, "high": 1, "normal": 2}


async def request_handoff(session: AsyncSession, *, conversation: Conversation, priority: Priority, reason: str | None) -> HandoffRequest:
    """Queue the conversation for a counsellor; an open request is kept, its priority only raised.
    A new request is counted in the anonymous weekly statistics."""
    waiting = await open_handoff_request(session, conversation_id=conversation.id)
    if waiting is None:
        await count_weekly(session, Tally("handoff_requested", channel=conversation.channel, language=conversation.language))
        return await add_handoff_request(session, conversation=conversation, priority=priority, reason=reason)
    if _RANK[priority] < _RANK[waiting.priority]:
        waiting.priority = priority
        waiting.reason = reason
    return waiting
