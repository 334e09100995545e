"""The statistics of a period, read from the weekly counters."""

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import SupportLineError
from bot.stats._tables import StatTable, build_tables, weeks_between
from bot.storage import weekly_counts


class PeriodError(SupportLineError):
    """A period that ends before it starts."""


async def statistics(session: AsyncSession, *, since: date, until: date) -> list[StatTable]:
    """Every table for the ISO weeks from the one holding `since` to the one holding `until`."""
    if until < since:
        raise PeriodError(f"the period ends ({until}) before it starts ({since})")
    weeks = weeks_between(since, until)
    return build_tables(await weekly_counts(session, first_week=weeks[0], last_week=weeks[-1]), weeks=weeks)
