"""The parts, one at a time, in this process: Rasa parse, content lookup, what the app does to a written
message besides asking Rasa (language identification, the crisis safety net), the button/command path
(no NLU), and the queue the console reads and claims from with 10,000 open conversations, on SQLite
and PostgreSQL, through the same functions the console uses."""

import asyncio
import random
import secrets
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bench._script import LEFT_OUT_TOPICS, scripts
from bench._stats import Summary, summarise
from bot.console import add_counsellor, new_password
from bot.console._views import CaseRow, queue_rows
from bot.content import Content, ContentStore, load_content
from bot.conversation import Incoming
from bot.conversation._replies import Replies
from bot.core.config import Settings, get_settings
from bot.i18n import LANGUAGES, Catalogs
from bot.runtime import conversation_core, open_database
from bot.storage import Conversation, HandoffRequest, Message, waiting_count, waiting_requests
from handoff import claim, claim_next
from nlu import LanguageIdentifier, RasaClient, RasaServer
from tests.support.postgres import postgres_available, scratch_database

OPEN_CONVERSATIONS = 10_000


@dataclass(frozen=True)
class PartsConfig:
    """How much to measure."""

    parse_messages: int = 500
    lookups: int = 20_000
    button_turns: int = 1_000
    listings: int = 5
    claims: int = 50
    postgres: bool = True


@dataclass
class QueueFigures:
    """The queue with `OPEN_CONVERSATIONS` waiting, on one database."""

    backend: str
    seed_seconds: float
    listing_ms: list[float] = field(default_factory=list)
    """`queue_rows` and `waiting_count`: what the console's queue page and its live refresh read."""
    waiting_ms: list[float] = field(default_factory=list)
    """`bot.storage.waiting_requests` alone, every waiting request: the query the wait estimates read."""
    claim_next_ms: list[float] = field(default_factory=list)
    claim_ms: list[float] = field(default_factory=list)
    news_ms: float | None = None
    """After one more claim: every waiting young person on Telegram whose place changed told so (`post_queue_news`)."""
    news_told: int = 0


@dataclass
class PartsReport:
    """Everything the parts measured."""

    config: PartsConfig
    parse_ms: list[float]
    lookup_us: list[float]
    city_us: list[float]
    language_us: list[float]
    safety_us: list[float]
    button_ms: list[float]
    command_ms: list[float]
    queues: list[QueueFigures]


async def measure_parse(rasa_url: str, messages: list[str]) -> list[float]:
    """`/model/parse` through the app's own client, one request at a time, after 20 warm-up requests."""
    client = RasaClient(rasa_url, timeout_seconds=30)
    try:
        for message in messages[:20]:
            await client.parse(message)
        latencies = []
        for message in messages:
            started = time.perf_counter()
            await client.parse(message)
            latencies.append((time.perf_counter() - started) * 1000)
        return latencies
    finally:
        await client.aclose()


def measure_lookups(settings: Settings, count: int) -> tuple[list[float], list[float]]:
    """Microseconds for a topic's answer in a language (the content store, then the reply with its buttons),
    and for finding a city named in a sentence."""
    store, catalogs = ContentStore(settings.content_dir, check_every_seconds=settings.content_reload_seconds), Catalogs()
    content = store.current()
    topics = sorted(content.topics)
    chance = random.Random(1)
    sentences = [f"jag är i {name} nu och behöver sova" for city in content.cities.values() for name in city.names.values()]
    answers, cities = [], []
    for _ in range(count):
        topic, language = chance.choice(topics), chance.choice(LANGUAGES)
        started = time.perf_counter()
        Replies(content=store.current(), catalogs=catalogs, language=language).answer(topic)
        answers.append((time.perf_counter() - started) * 1e6)
        sentence = chance.choice(sentences)
        started = time.perf_counter()
        store.current().city_named(sentence)
        cities.append((time.perf_counter() - started) * 1e6)
    return answers, cities


def measure_screening(content: Content, texts: list[str]) -> tuple[list[float], list[float]]:
    """Microseconds for what the app itself does to each written message, in the event loop, besides
    asking Rasa: identify its language, and check it against every language's crisis phrases."""
    languages = LanguageIdentifier()
    for text in texts[:20]:  # warm-up: the language models load lazily
        languages.identify(text)
    identified, checked = [], []
    for text in texts:
        started = time.perf_counter()
        languages.identify(text)
        identified.append((time.perf_counter() - started) * 1e6)
        started = time.perf_counter()
        content.safety.check(text)
        checked.append((time.perf_counter() - started) * 1e6)
    return identified, checked


async def measure_buttons(settings: Settings, turns: int) -> tuple[list[float], list[float]]:
    """Milliseconds for the core to answer a tapped topic button and a typed command (`/menu`), with
    the transcript written to a fresh SQLite file: everything but the channel and NLU."""
    content = load_content(settings.content_dir)
    topics = sorted(t for t in content.topics if t not in LEFT_OUT_TOPICS and t != "safe_places")
    with tempfile.TemporaryDirectory(prefix="supportline-bench-") as work:
        local = settings.model_copy(update={"database_url": f"sqlite:///{Path(work) / 'core.db'}", "rasa_url": "http://127.0.0.1:9"})
        async with conversation_core(local) as core:
            conversations = [secrets.token_hex(16) for _ in range(20)]
            buttons, commands = [], []
            for index in range(turns + 20):
                conversation = conversations[index % len(conversations)]
                started = time.perf_counter()
                await core.handle(Incoming(conversation, "web", payload=f"topic:{topics[index % len(topics)]}", locale_hint="sv"))
                button = (time.perf_counter() - started) * 1000
                started = time.perf_counter()
                await core.handle(Incoming(conversation, "web", text="/menu", locale_hint="sv"))
                command = (time.perf_counter() - started) * 1000
                if index >= 20:  # warm-up
                    buttons.append(button)
                    commands.append(command)
    return buttons, commands


async def _seed(settings: Settings, count: int) -> float:
    """`count` conversations waiting for a counsellor, each with the young person's message and the bot's answer."""
    started = time.perf_counter()
    topics = ["school", "healthcare", "legal_help", "rights", "guardian"]
    chance = random.Random(2)
    async with open_database(settings) as database:
        for start in range(0, count, 1000):
            async with database.session() as session:
                for index in range(start, min(count, start + 1000)):
                    conversation_id = f"bench{index:08d}{secrets.token_hex(8)}"
                    topic = chance.choice(topics)
                    channel = chance.choice(["web", "telegram"])
                    session.add(Conversation(id=conversation_id, channel=channel, language=chance.choice(LANGUAGES), language_chosen=False,
                                             handoff_state="queued", detected_streak=0, address=str(index) if channel == "telegram" else None))
                    session.add(Message(conversation_id=conversation_id, sender="young_person", kind="text", text="jag behöver prata med någon"))
                    session.add(Message(conversation_id=conversation_id, sender="bot", kind="text", text="Svar.", topic=topic))
                    session.add(HandoffRequest(conversation_id=conversation_id, priority=chance.choice(["normal"] * 8 + ["high", "urgent"]), reason=topic, state="queued"))
                await session.commit()
    return time.perf_counter() - started


async def _timed(action: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await action()
    return (time.perf_counter() - started) * 1000


async def _queue_page(session: AsyncSession) -> tuple[list[CaseRow], int]:
    return await queue_rows(session), await waiting_count(session)


async def measure_queue(settings: Settings, backend: str, config: PartsConfig) -> QueueFigures:
    """Listing and claiming with `OPEN_CONVERSATIONS` waiting, through the console's own functions."""
    figures = QueueFigures(backend, await _seed(settings, OPEN_CONVERSATIONS))
    async with open_database(settings) as database:
        async with database.session() as session:
            counsellor = await add_counsellor(session, username=f"bench_{secrets.token_hex(3)}", display_name="Bench", languages=["sv", "en"],
                                              role="counsellor", max_concurrent=1_000_000, password=new_password())
            await session.commit()
        for _ in range(config.listings):
            async with database.session() as session:
                figures.listing_ms.append(await _timed(lambda: _queue_page(session)))
            async with database.session() as session:
                figures.waiting_ms.append(await _timed(lambda: waiting_requests(session)))
        for _ in range(config.claims):
            async with database.session() as session:
                figures.claim_next_ms.append(await _timed(lambda: _commit_after(session, claim_next(session, counsellor=counsellor))))
            async with database.session() as session:
                some = (await waiting_requests(session))[len(figures.claim_ms) * 37 % 1000]
            async with database.session() as session:
                figures.claim_ms.append(await _timed(lambda: _commit_after(session, claim(session, request_id=some.id, counsellor=counsellor))))
        async with conversation_core(settings, database=database) as core:
            await core.post_queue_news(channel="telegram")  # the seeded young people hear their place once
            async with database.session() as session:
                await _commit_after(session, claim_next(session, counsellor=counsellor))
            started = time.perf_counter()
            figures.news_told = await core.post_queue_news(channel="telegram")
            figures.news_ms = (time.perf_counter() - started) * 1000
    return figures


async def _commit_after(session: object, action: Awaitable[object]) -> None:
    await action
    await session.commit()  # type: ignore[attr-defined]


async def run(config: PartsConfig, *, rasa_url: str | None = None, model: Path | None = None) -> PartsReport:
    """Every part. Rasa parse against `rasa_url`, or a Rasa started here for `model`."""
    settings = get_settings()
    content = load_content(settings.content_dir)
    messages = [text for script in scripts(content, 7) for text in script.texts][: config.parse_messages]
    print("parts: Rasa parse …", flush=True)
    if rasa_url is None:
        assert model is not None
        server = RasaServer(rasa_venv=settings.rasa_venv, model=model, url="http://127.0.0.1:5098", log_file=Path("var/bench/rasa-parts.log"))
        await server.start()
        try:
            parse_ms = await measure_parse(server.url, messages)
        finally:
            server.stop()
    else:
        parse_ms = await measure_parse(rasa_url, messages)
    print("parts: content lookup, written messages, button/command path …", flush=True)
    lookup_us, city_us = measure_lookups(settings, config.lookups)
    language_us, safety_us = measure_screening(content, [text for script in scripts(content, 7) for text in script.texts])
    button_ms, command_ms = await measure_buttons(settings, config.button_turns)
    queues = []
    with tempfile.TemporaryDirectory(prefix="supportline-bench-") as work:
        print(f"parts: queue with {OPEN_CONVERSATIONS:,} open conversations, SQLite …", flush=True)
        queues.append(await measure_queue(settings.model_copy(update={"database_url": f"sqlite:///{Path(work) / 'queue.db'}"}), "SQLite", config))
    if config.postgres and postgres_available():
        print(f"parts: queue with {OPEN_CONVERSATIONS:,} open conversations, PostgreSQL …", flush=True)
        with scratch_database("supportline_bench") as database_url:
            queues.append(await measure_queue(settings.model_copy(update={"database_url": database_url}), "PostgreSQL", config))
    return PartsReport(config, parse_ms, lookup_us, city_us, language_us, safety_us, button_ms, command_ms, queues)


def _cell(summary: Summary | None, unit: str = "ms") -> str:
    return f"{summary.p50:.2f} / {summary.p99:.2f} {unit} (n={summary.count})" if summary else "–"


def render(report: PartsReport) -> str:
    """The report as Markdown."""
    lines = [
        "| part | p50 / p99 |", "|---|---|",
        f"| Rasa `/model/parse`, one request at a time (the app's client) | {_cell(summarise(report.parse_ms))} |",
        f"| content lookup: a topic's answer with its buttons, any language | {_cell(summarise(report.lookup_us), 'µs')} |",
        f"| content lookup: the city named in a sentence | {_cell(summarise(report.city_us), 'µs')} |",
        f"| a written message: its language identified (`LanguageIdentifier.identify`) | {_cell(summarise(report.language_us), 'µs')} |",
        f"| a written message: the crisis safety net's check (`SafetyNet.check`, every language's phrases) | {_cell(summarise(report.safety_us), 'µs')} |",
        f"| button (topic), core only: `ConversationCore.handle`, SQLite file, no NLU | {_cell(summarise(report.button_ms))} |",
        f"| command (`/menu`), core only | {_cell(summarise(report.command_ms))} |",
    ]
    for queue in report.queues:
        lines += [
            f"| queue listing, {OPEN_CONVERSATIONS:,} waiting, {queue.backend}: `queue_rows` (console page and live refresh) | {_cell(summarise(queue.listing_ms))} |",
            f"| queue query alone, {queue.backend}: `waiting_requests` | {_cell(summarise(queue.waiting_ms))} |",
            f"| claim next (`handoff.claim_next` + commit), {queue.backend} | {_cell(summarise(queue.claim_next_ms))} |",
            f"| claim one (`handoff.claim` + commit), {queue.backend} | {_cell(summarise(queue.claim_ms))} |",
            f"| queue news after a claim, {queue.backend}: `post_queue_news`, each waiting young person on Telegram whose place changed told "
            f"({queue.news_told:,} told) | {'–' if queue.news_ms is None else f'{queue.news_ms:.2f} ms (n=1)'} |",
        ]
    seeds = ", ".join(f"{q.backend} {q.seed_seconds:.0f} s" for q in report.queues)
    lines += ["", f"Queue data: {OPEN_CONVERSATIONS:,} conversations waiting, each with two messages (seeded in {seeds})."]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(asyncio.run(run(PartsConfig(parse_messages=0, lookups=2000, button_turns=100, listings=2, claims=5), rasa_url="http://127.0.0.1:9"))))
