"""The statistics tables: which counter is shown by which two dimensions, summed from the weekly counters and suppressed."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.storage import WAIT_BUCKETS, Metric, WeeklyCount, iso_week
from bot.stats._suppression import Figure, Suppressed, suppress

Dimension = Literal["iso_week", "channel", "language", "topic", "region", "wait"]
UNKNOWN = "?"
"""The key of a count whose dimension was not known (a conversation without a language yet)."""


@dataclass(frozen=True)
class TableSpec:
    """One table: the counter it shows, its rows and columns, and which totals its chart draws."""

    metric: Metric
    rows: Dimension
    columns: Dimension
    chart: Literal["rows", "columns"] = "rows"


TABLES = (
    TableSpec("message", rows="iso_week", columns="language"),
    TableSpec("topic", rows="topic", columns="language"),
    TableSpec("handoff_requested", rows="iso_week", columns="language"),
    TableSpec("handoff_served", rows="iso_week", columns="wait", chart="columns"),
    TableSpec("crisis", rows="iso_week", columns="channel"),
    TableSpec("region", rows="region", columns="channel"),
)
"""Every table shown, by the CLI and the dashboard alike. Each counter is shown in one table only, so
no two tables' totals can be combined to undo a suppression."""


@dataclass(frozen=True)
class StatTable:
    """One table after suppression, with the keys of its rows and columns."""

    spec: TableSpec
    row_keys: tuple[str, ...]
    column_keys: tuple[str, ...]
    figures: Suppressed

    def lines(self) -> list[tuple[str | None, tuple[Figure, ...]]]:
        """Each row's key with its figures and its total; last, the column totals and the grand total (key None)."""
        rows = [(key, (*cells, total)) for key, cells, total in zip(self.row_keys, self.figures.cells, self.figures.row_totals)]
        return [*rows, (None, (*self.figures.column_totals, self.figures.total))]

    def chart(self) -> list[tuple[str, Figure]]:
        """The totals the chart draws, with their keys."""
        if self.spec.chart == "columns":
            return list(zip(self.column_keys, self.figures.column_totals))
        return list(zip(self.row_keys, self.figures.row_totals))


def weeks_between(first: date, last: date) -> list[str]:
    """Every ISO week from the one holding `first` to the one holding `last`."""
    monday = first - timedelta(days=first.weekday())
    return [iso_week(monday + timedelta(weeks=n)) for n in range((last - monday).days // 7 + 1)]


def build_tables(counts: Iterable[WeeklyCount], *, weeks: Sequence[str]) -> list[StatTable]:
    """Every table of `TABLES` from the counters of `weeks`, suppressed."""
    counts = list(counts)
    tables = []
    for spec in TABLES:
        sums: Counter[tuple[str, str]] = Counter()
        for counted in (counted for counted in counts if counted.metric == spec.metric):
            sums[(getattr(counted, spec.rows) or UNKNOWN, getattr(counted, spec.columns) or UNKNOWN)] += counted.count
        row_keys = _keys(spec.rows, {row for row, _ in sums}, weeks)
        column_keys = _keys(spec.columns, {column for _, column in sums}, weeks)
        tables.append(StatTable(spec, row_keys, column_keys, suppress([[sums[(row, column)] for column in column_keys] for row in row_keys])))
    return tables


def _keys(dimension: Dimension, seen: set[str], weeks: Sequence[str]) -> tuple[str, ...]:
    """Every week of the period and every wait bucket, even with nothing counted; otherwise the keys counted."""
    if dimension == "iso_week":
        return tuple(weeks)
    if dimension == "wait":
        return tuple(label for _, label in WAIT_BUCKETS)
    return tuple(sorted(seen))
