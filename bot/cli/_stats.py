"""`supportline stats`: the anonymous statistics of a period, suppressed, as text tables or CSV."""

import argparse
import asyncio
import sys
from datetime import date

from bot.core.config import get_settings
from bot.core.text_tables import aligned
from bot.runtime import open_database
from bot.stats import StatTable, shown, statistics, write_csv

TITLES = {
    "message": "Messages from young people, by week and language",
    "topic": "Answers by topic and language",
    "handoff_requested": "Requests for a person, by week and language",
    "handoff_served": "Requests a counsellor took, by week and wait (minutes)",
    "crisis": "Crisis escalations, by week and channel",
    "region": "Safe places asked for, by city and channel",
}
TOTAL = "total"
LEGEND = "<5: fewer than 5. x: 5 or more, hidden so that a total cannot give a count under 5 away."


def stats(args: argparse.Namespace) -> int:
    """Print every table for the weeks from `--since` to `--until` (today by default); counts under 5 show as <5, counts hidden to protect them as x."""

    async def read() -> list[StatTable]:
        async with open_database(get_settings()) as database, database.session() as session:
            return await statistics(session, since=args.since, until=args.until or date.today())

    tables = asyncio.run(read())
    if args.format == "csv":
        write_csv(tables, sys.stdout)
    else:
        print("\n\n".join(text_table(table) for table in tables) + f"\n\n{LEGEND}")
    return 0


def text_table(table: StatTable) -> str:
    """One table as aligned text under its title, totals last."""
    header = (table.spec.rows, *table.column_keys, TOTAL)
    body = [(key or TOTAL, *map(shown, figures)) for key, figures in table.lines()]
    return "\n".join((TITLES[table.spec.metric], *aligned([header, *body], right_from=1)))
