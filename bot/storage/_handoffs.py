"""Handoff requests: find the open one, add a new one."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage._models import Conversation, HandoffRequest


async def open_handoff_request(session: AsyncSession, *, conversation_id: str) -> HandoffRequest | None:
    """The conversation's request still waiting in the queue, if any."""
    return await session.scalar(
        select(HandoffRequest).where(HandoffRequest.conversation_id == conversation_id, HandoffRequest.state == "queued")
    )


async def add_handoff_request(session: AsyncSession, *, conversation: Conversation, priority: str, reason: str | None) -> HandoffRequest:
    """Put the conversation in the queue."""
    request = HandoffRequest(conversation_id=conversation.id, priority=priority, reason=reason, state="queued")
    session.add(request)
    conversation.handoff_state = "queued"
    await session.flush()
    return request
