"""Plain factories for statistics tests: weekly counters written as the line writes them."""

from datetime import datetime, timedelta, timezone

from bot.storage import Database, Tally, count_weekly

WEEK_ONE = datetime(2026, 10, 5, 12, tzinfo=timezone.utc)
"""A Monday: the seeded weeks are 2026-W41 onwards."""


async def add_counts(database: Database, times: int, tally: Tally, *, week: int = 0) -> None:
    """Count `tally` `times` times, `week` weeks after `WEEK_ONE`."""
    async with database.session() as session:
        for _ in range(times):
            await count_weekly(session, tally, at=WEEK_ONE + timedelta(weeks=week))
        await session.commit()


async def seed_a_quarter(database: Database) -> None:
    """Four weeks of a small line's counters: big enough to show numbers, small enough to show `<5` cells."""
    for week, (swedish, arabic, dari) in enumerate(((40, 12, 7), (46, 15, 3), (52, 9, 11), (38, 2, 6))):
        for language, times in (("sv", swedish), ("ar", arabic), ("fa-AF", dari)):
            await add_counts(database, times, Tally("message", channel="web", language=language), week=week)
            await add_counts(database, times // 3, Tally("topic", channel="web", language=language, topic="rejection_next_steps"), week=week)
            await add_counts(database, times // 4, Tally("topic", channel="telegram", language=language, topic="healthcare"), week=week)
        await add_counts(database, 8 + week, Tally("handoff_requested", channel="web", language="sv"), week=week)
        await add_counts(database, 2 + week, Tally("handoff_requested", channel="telegram", language="ar"), week=week)
        for minutes, times in ((0.5, 3 + week), (3, 4), (10, 2), (30, 1)):
            await add_counts(database, times, Tally("handoff_served", channel="web", language="sv", waited=timedelta(minutes=minutes)), week=week)
        await add_counts(database, 1 + week % 2, Tally("crisis", channel="web", language="sv"), week=week)
        for city, times in (("stockholm", 9), ("malmo", 6), ("uppsala", 1)):
            await add_counts(database, times, Tally("region", channel="web", language="sv", region=city), week=week)
