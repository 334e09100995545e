"""The statistics as CSV: one line per figure of every table, under a fixed header."""

import csv
from collections.abc import Iterator, Sequence
from typing import TextIO

from bot.stats._suppression import shown
from bot.stats._tables import StatTable

CSV_HEADER = ("iso_week", "metric", "channel", "language", "topic", "region", "wait", "count")
"""Never reorder or rename: spreadsheets and scripts of the NGOs read these columns by position and name."""
ALL = "*"
"""In a dimension a table is broken down by: the total over all of its values."""


def csv_lines(tables: Sequence[StatTable]) -> Iterator[tuple[str, ...]]:
    """The figures as CSV fields: a table's two dimensions hold a key or `ALL`, the others are empty; the count may be `<5` or `x` (hidden to protect a small count)."""
    for table in tables:
        for row_key, figures in table.lines():
            for column_key, figure in zip((*table.column_keys, None), figures):
                fields = {"metric": table.spec.metric, table.spec.rows: row_key or ALL, table.spec.columns: column_key or ALL, "count": shown(figure)}
                yield tuple(fields.get(name, "") for name in CSV_HEADER)


def write_csv(tables: Sequence[StatTable], out: TextIO) -> None:
    """`CSV_HEADER`, then every figure."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_lines(tables))

