"""The handoff queue on SQLite and PostgreSQL: the state machine, atomic claims, the concurrency
limit, priority order and routing by language."""

import asyncio
import itertools
import secrets
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.storage import (
    AuditEntry,
    Conversation,
    Counsellor,
    Database,
    HandoffRequest,
    get_or_create_conversation,
    queue_position,
    waiting_count,
    waiting_requests,
)
from handoff import (
    AlreadyClaimed,
    AtCapacity,
    InvalidTransition,
    NotYours,
    claim,
    claim_next,
    close,
    request_handoff,
    return_to_bot,
    transfer,
)
from tests.conftest import migrated

_names = itertools.count()


async def make_counsellor(database: Database, *, languages: tuple[str, ...] = ("sv",), role: str = "counsellor", max_concurrent: int = 3) -> Counsellor:
    async with database.session() as session:
        counsellor = Counsellor(
            username=f"counsellor{next(_names)}_{secrets.token_hex(2)}", display_name="Test", languages=list(languages), role=role,
            max_concurrent=max_concurrent, password_hash="-", active=True,
        )
        session.add(counsellor)
        await session.commit()
        return counsellor


async def make_request(database: Database, *, priority: str = "normal", language: str = "sv") -> int:
    async with database.session() as session:
        conversation = await get_or_create_conversation(session, conversation_id=secrets.token_hex(16), channel="test")
        conversation.language = language
        request = await request_handoff(session, conversation=conversation, priority=priority, reason=None)  # type: ignore[arg-type]
        await session.commit()
        return request.id


async def state_of(database: Database, request_id: int) -> tuple[str, int | None, str]:
    async with database.session() as session:
        request = await session.get(HandoffRequest, request_id)
        assert request is not None
        conversation = await session.get(Conversation, request.conversation_id)
        assert conversation is not None
        return request.state, request.counsellor_id, conversation.handoff_state


async def claim_as(database: Database, request_id: int, counsellor: Counsellor) -> HandoffRequest:
    async with database.session() as session:
        request = await claim(session, request_id=request_id, counsellor=counsellor)
        await session.commit()
        return request


@pytest.fixture
async def empty_database(empty_database_url: str) -> AsyncIterator[Database]:
    """A migrated database of this test's own (for tests that depend on everything in the queue)."""
    async with migrated(empty_database_url) as database:
        yield database


@pytest.fixture
async def busy_database(database_url: str) -> AsyncIterator[Database]:
    """A migrated database with a pool large enough for 50 claimers at once."""
    async with migrated(database_url, pool_size=50) as database:
        yield database


async def test_the_whole_state_machine(database: Database) -> None:
    anna, bilal = await make_counsellor(database), await make_counsellor(database)
    request_id = await make_request(database)
    assert await state_of(database, request_id) == ("queued", None, "queued")

    await claim_as(database, request_id, anna)
    assert await state_of(database, request_id) == ("assigned", anna.id, "assigned")

    async with database.session() as session:
        request = await session.get(HandoffRequest, request_id)
        with pytest.raises(NotYours):
            await transfer(session, request=request, by=bilal, to=anna)  # type: ignore[arg-type]
        await transfer(session, request=request, by=anna, to=bilal)  # type: ignore[arg-type]
        await session.commit()
    assert await state_of(database, request_id) == ("transferred", bilal.id, "queued")
    other = await make_counsellor(database)
    with pytest.raises(AlreadyClaimed):
        await claim_as(database, request_id, other)
    await claim_as(database, request_id, bilal)

    async with database.session() as session:
        request = await session.get(HandoffRequest, request_id)
        await return_to_bot(session, request=request, by=bilal)  # type: ignore[arg-type]
        await session.commit()
        with pytest.raises(InvalidTransition):
            await return_to_bot(session, request=request, by=bilal)  # type: ignore[arg-type]
    assert await state_of(database, request_id) == ("returned", bilal.id, "bot")

    second = await make_request(database, priority="urgent")
    await claim_as(database, second, anna)
    async with database.session() as session:
        request = await session.get(HandoffRequest, second)
        await close(session, request=request, by=anna, topic="rejection_next_steps", outcome="referred_to_legal_help", checklist=["no_guardian_contact"])  # type: ignore[arg-type]
        await session.commit()
        assert (request.state, request.outcome, request.risk_checklist) == ("closed", "referred_to_legal_help", ["no_guardian_contact"])  # type: ignore[union-attr]
        actions = (await session.scalars(select(AuditEntry.action).where(AuditEntry.request_id.in_([request_id, second])).order_by(AuditEntry.id))).all()
    assert actions == ["claim", "transfer", "claim", "return", "claim", "close"]


async def test_fifty_claimers_one_winner_a_hundred_rounds(busy_database: Database) -> None:
    claimers = [await make_counsellor(busy_database, max_concurrent=1000) for _ in range(50)]

    async def attempt(request_id: int, counsellor: Counsellor) -> bool:
        try:
            await claim_as(busy_database, request_id, counsellor)
            return True
        except AlreadyClaimed:
            return False

    for round_number in range(100):
        request_id = await make_request(busy_database)
        outcomes = await asyncio.gather(*(attempt(request_id, counsellor) for counsellor in claimers))
        assert outcomes.count(True) == 1, f"round {round_number}: {outcomes.count(True)} winners"
        state, holder, _ = await state_of(busy_database, request_id)
        assert state == "assigned" and holder == claimers[outcomes.index(True)].id


async def test_a_counsellor_never_holds_more_than_their_limit(busy_database: Database) -> None:
    counsellor = await make_counsellor(busy_database, max_concurrent=2)
    requests = [await make_request(busy_database) for _ in range(6)]

    async def attempt(request_id: int) -> bool:
        try:
            await claim_as(busy_database, request_id, counsellor)
            return True
        except AtCapacity:
            return False

    outcomes = await asyncio.gather(*(attempt(request_id) for request_id in requests))
    assert outcomes.count(True) == 2


async def test_the_queue_goes_by_priority_then_waiting_time(empty_database: Database) -> None:
    counsellor = await make_counsellor(empty_database, max_concurrent=10)
    normal_old = await make_request(empty_database, priority="normal")
    high = await make_request(empty_database, priority="high")
    normal_new = await make_request(empty_database, priority="normal")
    urgent = await make_request(empty_database, priority="urgent")
    taken = []
    for _ in range(4):
        async with empty_database.session() as session:
            request = await claim_next(session, counsellor=counsellor)
            await session.commit()
            taken.append(request.id)  # type: ignore[union-attr]
    assert taken == [urgent, high, normal_old, normal_new]
    async with empty_database.session() as session:
        assert await claim_next(session, counsellor=counsellor) is None


async def test_each_place_in_the_queue_is_counted_in_the_queues_own_order(empty_database: Database) -> None:
    for priority in ("normal", "high", "normal", "urgent", "high", "normal", "urgent"):
        await make_request(empty_database, priority=priority)
    async with empty_database.session() as session:
        queue = await waiting_requests(session)
        assert [await queue_position(session, request=request) for request in queue] == list(range(1, len(queue) + 1))
        assert await waiting_count(session) == len(queue) == 7
        assert [request.id for request in await waiting_requests(session, limit=3)] == [request.id for request in queue[:3]]


async def test_routing_prefers_a_language_the_counsellor_speaks(empty_database: Database) -> None:
    dari_speaker = await make_counsellor(empty_database, languages=("fa-AF", "en"))
    swedish = await make_request(empty_database, language="sv")
    dari = await make_request(empty_database, language="fa-AF")
    urgent_somali = await make_request(empty_database, language="so", priority="urgent")
    order = []
    for _ in range(3):
        async with empty_database.session() as session:
            order.append((await claim_next(session, counsellor=dari_speaker)).id)  # type: ignore[union-attr]
            await session.commit()
    assert order == [urgent_somali, dari, swedish], "priority first, then a language the counsellor speaks, then the longest wait"


async def test_a_crisis_jumps_the_queue_even_when_asked_for_later(empty_database: Database) -> None:
    counsellor = await make_counsellor(empty_database)
    await make_request(empty_database, priority="normal")
    urgent = await make_request(empty_database, priority="urgent")
    async with empty_database.session() as session:
        assert (await claim_next(session, counsellor=counsellor)).id == urgent  # type: ignore[union-attr]
