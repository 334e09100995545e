"""Anonymous statistics for the NGOs running the line: weekly counters as tables, small cells suppressed.

Recording happens where things happen (`bot.storage.count_weekly`); this package only reads and shows."""

from bot.stats._csv import ALL, CSV_HEADER, write_csv
from bot.stats._report import PeriodError, statistics
from bot.stats._suppression import THRESHOLD, Figure, Hidden, Suppressed, shown, suppress
from bot.stats._tables import TABLES, UNKNOWN, StatTable, TableSpec

__all__ = [
    "ALL", "CSV_HEADER", "Hidden", "TABLES", "THRESHOLD", "UNKNOWN", "Figure", "PeriodError", "StatTable", "Suppressed", "TableSpec",
    "shown", "statistics", "suppress", "write_csv",
]
