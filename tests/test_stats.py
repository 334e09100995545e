"""Anonymous statistics: counted by the real core and the real queue as conversations happen, kept
after transcripts are purged, shown only with small cells suppressed (CLI, CSV, supervisors' dashboard)."""

import asyncio
import csv
import io
import itertools
import os
import secrets
import subprocess
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import get_args

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from bot.conversation import ConversationCore, Incoming
from bot.cli._stats import LEGEND
from bot.runtime import conversation_core
from bot.stats import CSV_HEADER, Hidden, PeriodError, statistics, suppress, write_csv
from bot.stats._tables import Dimension, build_tables, weeks_between
from bot.storage import Counsellor, Database, HandoffRequest, Message, Tally, WeeklyCount, count_weekly, iso_week, purge_expired, utcnow, weekly_counts
from handoff import claim, close
from tests.conftest import ROOT, free_port, migrated, test_settings
from tests.support.console import app_client, log_in, make_account
from tests.support.stats import WEEK_ONE, seed_a_quarter

SUPPORTLINE = str(ROOT / ".venv" / "bin" / "supportline")


# Suppression: pure


def hidden(figures: object) -> list[tuple[int, int]]:
    """Where the cells of a suppressed table are hidden."""
    return [(r, c) for r, row in enumerate(figures.cells) for c, figure in enumerate(row) if isinstance(figure, Hidden)]  # type: ignore[attr-defined]


def test_a_table_without_small_counts_is_shown_whole() -> None:
    figures = suppress([[10, 7], [20, 30]])
    assert figures.cells == ((10, 7), (20, 30)) and figures.row_totals == (17, 50) and figures.column_totals == (30, 37) and figures.total == 67


def test_a_lone_small_cell_takes_the_next_smallest_of_its_row_and_column_with_it() -> None:
    figures = suppress([[10, 3, 12], [20, 30, 40]])
    # row 0 hides 3, then 10 (its next smallest); columns 0 and 1 then hide 20 and 30 so neither has a lone hidden cell
    assert hidden(figures) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert figures.row_totals == (25, 90) and figures.column_totals == (30, 33, 52) and figures.total == 115


def test_a_total_under_five_is_suppressed_and_protected_like_a_cell() -> None:
    figures = suppress([[2, 1], [30, 40]])
    assert figures.row_totals == (Hidden.SMALL, Hidden.COMPLEMENTARY), "73 - 70 would give the hidden total 3 back"
    assert hidden(figures) == [(0, 0), (0, 1), (1, 0), (1, 1)] and figures.column_totals == (32, 41) and figures.total == 73
    assert suppress([]).total is Hidden.SMALL and suppress([[3]]).cells == ((Hidden.SMALL,),)


def test_in_a_single_row_the_column_totals_go_with_their_cells() -> None:
    figures = suppress([[8, 9, 2]])
    assert figures.cells == ((Hidden.COMPLEMENTARY, 9, Hidden.SMALL),) and figures.column_totals == (Hidden.COMPLEMENTARY, 9, Hidden.SMALL)
    assert figures.row_totals == (19,)


def test_ties_are_broken_the_same_way_every_time() -> None:
    assert hidden(suppress([[6, 6, 1], [6, 6, 6]])) == hidden(suppress([[6, 6, 1], [6, 6, 6]])) == [(0, 0), (0, 2), (1, 0), (1, 2)]


@given(st.integers(1, 5).flatmap(lambda width: st.lists(st.lists(st.integers(0, 30), min_size=width, max_size=width), min_size=1, max_size=6)))
def test_no_row_or_column_ever_hides_exactly_one_figure(counts: list[list[int]]) -> None:
    figures = suppress(counts)
    grid = [[*cells, total] for cells, total in zip(figures.cells, figures.row_totals)] + [[*figures.column_totals, figures.total]]
    original = [[*row, sum(row)] for row in counts] + [[*map(sum, zip(*counts)), sum(map(sum, counts))]]
    for line, values in itertools.chain(zip(grid, original), zip(zip(*grid), zip(*original))):
        assert sum(isinstance(figure, Hidden) for figure in line) != 1, (counts, figures)
        for figure, value in zip(line, values):
            assert figure in (value, Hidden.SMALL, Hidden.COMPLEMENTARY)
            assert (figure is Hidden.SMALL) == (value < 5), "only counts under 5 are marked <5"


# Tables and CSV: pure


def test_the_csv_header_is_stable() -> None:
    assert ",".join(CSV_HEADER) == "iso_week,metric,channel,language,topic,region,wait,count"
    assert set(get_args(Dimension)) < set(CSV_HEADER)
    out = io.StringIO()
    write_csv(build_tables([], weeks=["2026-W41"]), out)
    assert out.getvalue().splitlines()[0] == "iso_week,metric,channel,language,topic,region,wait,count"


def test_the_csv_holds_the_same_suppressed_figures_as_the_tables() -> None:
    counts = [
        WeeklyCount(iso_week=week, metric="message", channel=channel, language=language, topic="", region="", wait="", count=count)
        for week, channel, language, count in (
            ("2026-W41", "web", "sv", 40), ("2026-W41", "telegram", "sv", 2), ("2026-W41", "web", "ar", 3), ("2026-W41", "web", "fa-AF", 7),
            ("2026-W42", "web", "sv", 50), ("2026-W42", "web", "ar", 9), ("2026-W42", "web", "fa-AF", 8),
        )
    ]
    out = io.StringIO()
    write_csv(build_tables(counts, weeks=["2026-W41", "2026-W42"]), out)
    messages = [line for line in csv.DictReader(io.StringIO(out.getvalue())) if line["metric"] == "message"]
    by_cell = {(line["iso_week"], line["language"]): line["count"] for line in messages}
    assert all(line["channel"] == line["topic"] == line["region"] == line["wait"] == "" for line in messages)
    assert by_cell[("2026-W41", "sv")] == "42" and by_cell[("2026-W41", "ar")] == "<5"  # summed over channels; 3 hidden
    assert by_cell[("2026-W41", "fa-AF")] == "x", "complementary: otherwise 52 - 42 - 7 gives the 3 back; 7 is not shown as <5"
    assert by_cell[("2026-W42", "ar")] == by_cell[("2026-W42", "fa-AF")] == "x", "complementary, down the columns"
    assert by_cell[("2026-W42", "sv")] == "50" and by_cell[("*", "ar")] == "12" and by_cell[("*", "*")] == "119"


def test_a_period_covers_every_iso_week_it_touches() -> None:
    assert weeks_between(date(2026, 12, 30), date(2027, 1, 11)) == ["2026-W53", "2027-W01", "2027-W02"]
    assert iso_week(date(2026, 11, 26)) == "2026-W48"


# Recording through the real core and queue, on SQLite and PostgreSQL


@pytest.fixture
async def nlu_down_core(empty_database_url: str) -> AsyncIterator[ConversationCore]:
    """The core as the app wires it, on a database of its own; Rasa unreachable (buttons, the safety net and city names still work)."""
    settings = test_settings(database_url=empty_database_url, rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_seconds=0.5)
    async with conversation_core(settings) as core:
        yield core


async def test_a_scripted_conversation_is_counted_and_the_counts_outlive_the_purge(nlu_down_core: ConversationCore, empty_database_url: str) -> None:
    core, amina, bilal = nlu_down_core, secrets.token_hex(16), secrets.token_hex(16)
    await core.handle(Incoming(amina, "web", payload="cmd:start"))  # the web chat's own first button: not a message of hers
    await core.handle(Incoming(amina, "web", text="Vård", payload="topic:healthcare", language="sv"))
    await core.handle(Incoming(amina, "web", text="Malmö", payload="city:malmo"))
    crisis = await core.handle(Incoming(amina, "web", text="jag vill inte leva längre"))
    human = await core.handle(Incoming(bilal, "telegram", text="A person", payload="cmd:human", language="en"))
    assert crisis.crisis and crisis.handoff == "urgent" and human.handoff == "normal"
    async with migrated(empty_database_url) as database:
        await close_every_case(database, take=bilal)
        await check_counts_outlive_the_purge(database, amina, bilal)


async def close_every_case(database: Database, *, take: str) -> None:
    """A supervisor takes the request of conversation `take` (served at once), then closes every case."""
    async with database.session() as session:
        supervisor = Counsellor(username="sara", display_name="Sara", languages=["sv", "en"], role="supervisor", max_concurrent=3, password_hash="-")
        session.add(supervisor)
        await session.flush()
        requests = {r.conversation_id: r for r in await session.scalars(sa.select(HandoffRequest))}
        await claim(session, request_id=requests[take].id, counsellor=supervisor)
        for request in requests.values():
            await close(session, request=request, by=supervisor, topic=None, outcome="answered", checklist=[])
        await session.commit()


async def check_counts_outlive_the_purge(database: Database, amina: str, bilal: str) -> None:
    expected = {
        ("message", "web", "sv", "", "", ""): 3, ("message", "telegram", "en", "", "", ""): 1,
        ("topic", "web", "sv", "healthcare", "", ""): 1, ("topic", "web", "sv", "safe_places", "", ""): 1, ("topic", "web", "sv", "crisis", "", ""): 1,
        ("topic", "telegram", "en", "talk_to_human", "", ""): 1, ("region", "web", "sv", "", "malmo", ""): 1, ("crisis", "web", "sv", "", "", ""): 1,
        ("handoff_requested", "web", "sv", "", "", ""): 1, ("handoff_requested", "telegram", "en", "", "", ""): 1,
        ("handoff_served", "telegram", "en", "", "", "0-1"): 1,
    }
    this_week = iso_week(date.today())
    assert await counted(database, this_week) == expected

    async with database.session() as session:
        purged = await purge_expired(session, now=utcnow() + timedelta(days=60), keep_for=timedelta(days=30))
        await session.commit()
        assert purged.conversations == 2 and await session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0
    assert await counted(database, this_week) == expected
    async with database.engine.connect() as connection:
        stored = "\n".join(repr(row) for row in await connection.execute(sa.text("SELECT * FROM weekly_counts")))
    assert amina not in stored and bilal not in stored and "Malmö" not in stored


async def counted(database: Database, week: str) -> dict[tuple[str, ...], int]:
    async with database.session() as session:
        counts = await weekly_counts(session, first_week=week, last_week=week)
    return {(c.metric, c.channel, c.language, c.topic, c.region, c.wait): c.count for c in counts}


async def test_a_wait_is_kept_only_as_its_bucket_and_a_transfer_is_not_served_twice(database: Database) -> None:
    long_ago = utcnow() - timedelta(days=400)  # a week of its own in the shared database
    async with database.session() as session:
        for minutes in (0.2, 1, 4.9, 5, 20, 61, 600):
            await count_weekly(session, Tally("handoff_served", channel="web", language="sv", waited=timedelta(minutes=minutes)), at=long_ago)
        await session.commit()
        counts = await weekly_counts(session, first_week=iso_week(long_ago.date()), last_week=iso_week(long_ago.date()))
    assert {c.wait: c.count for c in counts} == {"0-1": 1, "1-5": 2, "5-15": 1, "15-60": 1, "60+": 2}


async def test_statistics_refuse_a_period_that_ends_before_it_starts(database: Database) -> None:
    async with database.session() as session:
        with pytest.raises(PeriodError):
            await statistics(session, since=date(2026, 11, 1), until=date(2026, 10, 1))


# The CLI and the dashboard


async def test_supportline_stats_prints_suppressed_tables_and_csv(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'line.db'}"
    await seed(database_url)
    env = {**os.environ, "DATABASE_URL": database_url, "ENVIRONMENT": "development"}
    since, until = WEEK_ONE.date().isoformat(), (WEEK_ONE.date() + timedelta(weeks=3)).isoformat()
    table = subprocess.run([SUPPORTLINE, "stats", "--since", since, "--until", until], capture_output=True, text=True, env=env, check=True).stdout
    assert "Messages from young people, by week and language" in table and "Safe places asked for, by city and channel" in table
    week_four = next(line for line in table.splitlines() if line.startswith("2026-W44"))
    assert week_four.split() == ["2026-W44", "<5", "x", "38", "46"], "2 Arabic messages hidden, and Dari's 6 with them (not as <5)"
    assert table.rstrip().endswith(LEGEND)
    lines = subprocess.run([SUPPORTLINE, "stats", "--since", since, "--until", until, "--format", "csv"], capture_output=True, text=True, env=env, check=True).stdout
    assert lines.splitlines()[0] == ",".join(CSV_HEADER)
    rows = list(csv.DictReader(io.StringIO(lines)))
    assert {"metric": "message", "iso_week": "2026-W44", "language": "ar", "count": "<5"}.items() <= next(
        row for row in rows if row["metric"] == "message" and row["iso_week"] == "2026-W44" and row["language"] == "ar").items()
    refused = subprocess.run([SUPPORTLINE, "stats", "--since", until, "--until", since], capture_output=True, text=True, env=env)
    assert refused.returncode == 2 and "ends" in refused.stderr


async def seed(database_url: str) -> None:
    async with migrated(database_url) as database:
        await seed_a_quarter(database)


def test_the_dashboard_is_for_supervisors_only_and_draws_svg_charts(tmp_path: Path) -> None:
    with app_client(tmp_path) as (client, database_url):
        asyncio.run(seed(database_url))
        log_in(client, *make_account(database_url))
        assert client.get("/console/stats", follow_redirects=False).status_code == 403
        assert 'href="/console/stats"' not in client.get("/console").text
        client.cookies.clear()

        log_in(client, *make_account(database_url, role="supervisor"))
        assert 'href="/console/stats"' in client.get("/console").text
        page = client.get("/console/stats", params={"since": WEEK_ONE.date().isoformat(), "until": (WEEK_ONE.date() + timedelta(weeks=3)).isoformat()})
        assert page.status_code == 200 and page.text.count("<svg") == 6
        assert "Meddelanden från unga, per vecka och språk" in page.text and "&lt;5" in page.text and ">46<" in page.text
        assert "<script" not in page.text.split("</main>")[0], "charts are drawn on the server"
        assert client.get("/console/stats", params={"since": "2026-11-01", "until": "2026-10-01"}).status_code == 422
