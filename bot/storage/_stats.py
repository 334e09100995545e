"""Anonymous weekly statistics: counters incremented in the transaction of what they count.

Only counts keyed by ISO week and a few dimensions are kept; a wait is kept only as its bucket. An
upsert (INSERT … ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike) adds one to a counter, so
simultaneous turns never lose a count."""

from dataclasses import dataclass
from functools import cache
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from bot.storage._models import WeeklyCount, utcnow

Metric = Literal["message", "topic", "handoff_requested", "handoff_served", "crisis", "region"]
"""What is counted: a young person's message; an answer on a topic; a new request for a person; a
request a counsellor took (by how long it waited); a crisis escalated to a counsellor; safe places
asked for in a city."""
WAIT_BUCKETS: tuple[tuple[timedelta | None, str], ...] = (
    (timedelta(minutes=1), "0-1"), (timedelta(minutes=5), "1-5"), (timedelta(minutes=15), "5-15"), (timedelta(minutes=60), "15-60"), (None, "60+"),
)
"""Waits, in minutes, as counted: each bucket holds the waits shorter than its bound."""
_KEY = ("iso_week", "metric", "channel", "language", "topic", "region", "wait")
_SWEDEN = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True)
class Tally:
    """One thing to count: what happened and the few dimensions it is counted by, never who."""

    metric: Metric
    channel: str
    language: str | None = None
    topic: str | None = None
    region: str | None = None
    waited: timedelta | None = None
    """Kept only as its bucket."""


def iso_week(day: date) -> str:
    """The ISO week of `day`, as `2026-W48` (sorts like the weeks do)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def wait_bucket(waited: timedelta) -> str:
    """The bucket of `WAIT_BUCKETS` a wait falls in."""
    return next(label for bound, label in WAIT_BUCKETS if bound is None or waited < bound)


async def count_weekly(session: AsyncSession, *tallies: Tally, at: datetime | None = None) -> None:
    """Add one to the counter of each tally, in the week of `at` (now by default) in Swedish time."""
    week = iso_week((at or utcnow()).astimezone(_SWEDEN).date())
    rows = sorted({  # one order for every writer: two turns never wait on each other's counters in a cycle
        (week, tally.metric, tally.channel, tally.language or "", tally.topic or "", tally.region or "", wait_bucket(tally.waited) if tally.waited is not None else "")
        for tally in tallies
    })
    if rows:
        await session.execute(_upsert(session.bind.dialect.name), [dict(zip(_KEY, row)) for row in rows])


@cache
def _upsert(dialect: str) -> Insert:
    """The statement adding one to a counter (built once per dialect: building it costs more than running it)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = WeeklyCount.__table__
    statement = insert(table).values(count=1)
    return statement.on_conflict_do_update(index_elements=list(_KEY), set_={"count": table.c.count + 1})


async def weekly_counts(session: AsyncSession, *, first_week: str, last_week: str) -> list[WeeklyCount]:
    """Every counter from `first_week` to `last_week`, both included."""
    query = select(WeeklyCount).where(WeeklyCount.iso_week >= first_week, WeeklyCount.iso_week <= last_week)
    return list(await session.scalars(query.order_by(*(getattr(WeeklyCount, column) for column in _KEY))))
