"""The counsellor's side of a handoff: claim, transfer, return to the bot, close with a wrap-up.

Every move is checked against the state machine, recorded in the audit log, and committed by the
caller (so an event about it is published only after the commit)."""

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import (
    Conversation, Counsellor, HandoffRequest, Tally, add_audit, add_message, add_to_outbox, assigned_count, claim_request, count_weekly, move_request,
    next_claimable_id, utcnow,
)
from bot.storage import Message  # say_to_young_person's result (scale-out: the event names it)
from handoff._errors import AlreadyClaimed, AtCapacity, InvalidTransition, NotYours
from handoff._states import next_state

CONVERSATION_STATE = {"queued": "queued", "transferred": "queued", "assigned": "assigned", "returned": "bot", "closed": "bot"}
"""What the young person's conversation is doing while its request is in each state."""
SUPERVISING_ROLES = frozenset({"supervisor", "admin"})


async def claim(session: AsyncSession, *, request_id: int, counsellor: Counsellor) -> HandoffRequest:
    """Take a waiting conversation. Exactly one of many simultaneous claimers wins; the others get
    AlreadyClaimed, and a counsellor at their limit gets AtCapacity. Taking a request from the queue
    (not a transfer) is counted, with its wait, in the anonymous weekly statistics."""
    seen = await session.get(HandoffRequest, request_id)
    if seen is None or seen.state not in ("queued", "transferred"):  # most losers stop here, without taking a write lock
        raise AlreadyClaimed(f"request {request_id} is no longer waiting")
    from_queue = seen.state == "queued"
    if not await claim_request(session, request_id=request_id, counsellor=counsellor):
        if await assigned_count(session, counsellor_id=counsellor.id) >= counsellor.max_concurrent:
            raise AtCapacity(f"{counsellor.username} already has {counsellor.max_concurrent} conversations")
        raise AlreadyClaimed(f"request {request_id} is no longer waiting")
    request = await session.get(HandoffRequest, request_id, populate_existing=True)
    assert request is not None and request.assigned_at is not None
    await _settle(session, request, counsellor=counsellor, action="claim")
    if from_queue:
        conversation = await session.get(Conversation, request.conversation_id)
        assert conversation is not None
        served = Tally("handoff_served", channel=conversation.channel, language=conversation.language, waited=request.assigned_at - request.created_at)
        await count_weekly(session, served)
    return request


async def claim_next(session: AsyncSession, *, counsellor: Counsellor) -> HandoffRequest | None:
    """Take the conversation that should be answered next: priority first, then a language the
    counsellor speaks, then the longest wait. None when nobody is waiting."""
    while (request_id := await next_claimable_id(session, languages=counsellor.languages)) is not None:
        try:
            return await claim(session, request_id=request_id, counsellor=counsellor)
        except AlreadyClaimed:
            continue
    return None


async def transfer(session: AsyncSession, *, request: HandoffRequest, by: Counsellor, to: Counsellor) -> None:
    """Hand the conversation to another counsellor, who accepts it by claiming it."""
    _check_holder(request, by)
    await move_request(session, request=request, to_state=next_state(request.state, "transfer"), counsellor_id=to.id)
    await _settle(session, request, counsellor=by, action="transfer", detail=f"to {to.username}")


async def return_to_bot(session: AsyncSession, *, request: HandoffRequest, by: Counsellor) -> None:
    """Give the conversation back to the bot; the young person can ask for a person again at any time."""
    _check_holder(request, by)
    await move_request(session, request=request, to_state=next_state(request.state, "return"), counsellor_id=request.counsellor_id, ended_at=utcnow())
    await _settle(session, request, counsellor=by, action="return")


async def close(session: AsyncSession, *, request: HandoffRequest, by: Counsellor, topic: str | None, outcome: str, checklist: list[str]) -> None:
    """End the case with its wrap-up: topic, outcome and the risk checklist items that applied."""
    if request.state == "assigned" or by.role not in SUPERVISING_ROLES:
        _check_holder(request, by)
    await move_request(session, request=request, to_state=next_state(request.state, "close"), counsellor_id=request.counsellor_id, ended_at=utcnow())
    request.wrap_up_topic, request.outcome, request.risk_checklist = topic, outcome, checklist
    await _settle(session, request, counsellor=by, action="close", detail=outcome)


async def say_to_young_person(session: AsyncSession, *, request: HandoffRequest, counsellor: Counsellor, text: str) -> Message:
    """Add the counsellor's message to the transcript and, for a channel with an outbox, queue it there
    in the same transaction; the caller publishes it after the commit (live channels deliver it then).
    Returns the message (its id names it in the published event)."""
    if request.state != "assigned":
        raise InvalidTransition(f"request {request.id} is {request.state}: claim it first")
    _check_holder(request, counsellor)
    message = add_message(session, conversation_id=request.conversation_id, sender="counsellor", kind="text", text=text)
    conversation = await session.get(Conversation, request.conversation_id)
    if conversation is not None and conversation.address is not None:
        add_to_outbox(
            session, conversation_id=conversation.id, channel=conversation.channel, address=conversation.address,
            language=conversation.language, text=text, markdown=False,
        )
    await session.flush()
    return message


def _check_holder(request: HandoffRequest, counsellor: Counsellor) -> None:
    if request.counsellor_id != counsellor.id and counsellor.role not in SUPERVISING_ROLES:
        raise NotYours(f"request {request.id} is not with {counsellor.username}")


async def _settle(session: AsyncSession, request: HandoffRequest, *, counsellor: Counsellor, action: str, detail: str | None = None) -> None:
    """Bring the conversation's state in line with its request and record the action."""
    conversation = await session.get(Conversation, request.conversation_id)
    assert conversation is not None
    conversation.handoff_state = CONVERSATION_STATE[request.state]
    add_audit(session, counsellor_id=counsellor.id, action=action, request_id=request.id, conversation_id=request.conversation_id, detail=detail)
    await session.flush()
