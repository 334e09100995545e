"""Handoff requests: the young person's side of the queue."""

from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import Conversation, HandoffRequest, add_handoff_request, open_handoff_request

Priority = Literal["urgent", "high", "normal"]
_RANK: dict[str, int] = {"urgent": 0, "high": 1, "normal": 2}


async def request_handoff(session: AsyncSession, *, conversation: Conversation, priority: Priority, reason: str | None) -> HandoffRequest:
    """Queue the conversation for a counsellor; an open request is kept, its priority only raised."""
    waiting = await open_handoff_request(session, conversation_id=conversation.id)
    if waiting is None:
        return await add_handoff_request(session, conversation=conversation, priority=priority, reason=reason)
    if _RANK[priority] < _RANK[waiting.priority]:
        waiting.priority = priority
        waiting.reason = reason
    return waiting
