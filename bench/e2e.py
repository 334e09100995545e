"""End to end: simulated young people on the web chat and Telegram against the app as a separate process,
Rasa in the loop, side by side with a plain Rasa assistant on Rasa's own REST channel.

One run starts: the Rasa server of the app's NLU model (`supportline train`'s, never trained here), the
plain Rasa assistant (bench/rasa_rest.py), the Bot API stand-in (in this process), and the app with
the production command (uvicorn --factory, bench/_procs.py) on a fresh SQLite file (and, with
`postgres`, a second app on a fresh PostgreSQL database). Then, for each N: N users on the app, and N
users on Rasa's REST channel; the peak memory of each process; youth-to-console delivery under load;
a py-spy profile of the app under load; and a busy hour (paced users while hundreds more chats are
open and the queue keeps changing).
"""

import asyncio
import itertools
import json
import re
import secrets
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import rasa_rest
from bench._load import LoadResult, RasaRestUser, TelegramUser, User, WebChatUser, run_load
from bench._procs import ROOT, AppProcess, RssSampler, peak_rss_mib
from bench._script import Script, scripts
from bench._stats import Summary, summarise
from bench._telegram import ReplyWatchingStandIn, serving_watching_bot_api
from bot.console import add_counsellor, new_password
from bot.content import Content, load_content
from bot.core.config import Settings, get_settings
from bot.runtime import open_database
from nlu import RasaServer, render_training_data
from nlu._training import model_name
from tests.support.bot_api import TOKEN
from tests.support.postgres import scratch_database
from tests.support.servers import free_port

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
PROFILE = ROOT / "bench" / "profile.speedscope.json"
LOGS = ROOT / "var" / "bench"


@dataclass(frozen=True)
class E2EConfig:
    """How much to measure."""

    users: tuple[int, ...] = (1, 20, 100)
    """Closed loops (each user sends as soon as the last reply is in): capacity, and the side by side with Rasa."""
    paced_users: tuple[int, ...] = (20, 100)
    pause: float = 3.0
    """Paced phases: each user waits about this long after a reply (a young person reading and typing takes longer)."""
    warm_up: float = 5.0
    seconds: float = 30.0
    probe_messages: int = 50
    probe_load: int = 20
    """Background users while youth-to-console delivery is measured."""
    busy_chats: int = 300
    """Busy hour: web chats open and idle meanwhile (each hears every change of the queue)."""
    busy_ask_every: float = 2.0
    """Busy hour: a young person asks for a person this often (web chat and Telegram in turn), so the queue keeps changing."""
    profile_seconds: float = 20.0
    profile_load: int = 20
    postgres: bool = False
    """Also run the app on PostgreSQL (at `probe_load` users)."""
    rasa_epochs: int | None = None
    """DIET epochs of the plain Rasa assistant when overridden (quick runs); None: the kept pipeline's."""


@dataclass
class Phase:
    """One load phase: what ran, what it measured, the peak memory of each process meanwhile."""

    label: str
    target: str
    users: int
    result: LoadResult
    peak_rss_mib: dict[str, float]


@dataclass
class Delivery:
    """Youth-to-console delivery: send on the web chat -> console's event stream, and -> transcript showing it."""

    event_ms: list[float] = field(default_factory=list)
    shown_ms: list[float] = field(default_factory=list)
    background_users: int = 0
    pause: float = 0.0
    """How long each background user waits after a reply (0: closed loop, the machine saturated)."""

    def load(self) -> str:
        """The background load, in words."""
        pace = f"each pausing ~{self.pause:g} s" if self.pause else "closed loop"
        return f"{self.background_users} users talking, {pace}"


@dataclass
class E2EReport:
    """Everything the end-to-end run measured."""

    config: E2EConfig
    phases: list[Phase]
    deliveries: list[Delivery]
    """Youth-to-console delivery under a closed-loop background load, then under a paced one."""
    plain_assistant: rasa_rest.PlainAssistant
    nlu_model: str
    profile_top: list[tuple[str, float, float]]
    """(function, self %, total %) of the app under load, most self time first."""
    lifetime_peak_rss_mib: dict[str, float]

    def phase(self, target: str, users: int) -> Phase | None:
        """The phase of `target` ("app", "app-postgresql", "rasa-rest") at `users`."""
        return next((p for p in self.phases if p.target == target and p.users == users), None)


async def nlu_model(settings: Settings, content: Content, *, timeout_seconds: float = 3600) -> Path:
    """The app's NLU model for this content, else the newest trained one (content changed since the last
    `supportline train`); with none at all, wait while someone trains one (never trained here)."""
    model = (settings.models_dir / f"{model_name(render_training_data(content))}.tar.gz").absolute()
    deadline = time.monotonic() + timeout_seconds
    announced = False
    while not model.exists():
        trained = sorted(settings.models_dir.glob("nlu-*.tar.gz"), key=lambda path: path.stat().st_mtime)
        if trained:
            print(f"no NLU model for the current content yet: using the newest, {trained[-1].name}", flush=True)
            return trained[-1].absolute()
        if time.monotonic() > deadline:
            raise RuntimeError(f"no NLU model {model}: run `supportline train` first")
        if not announced:
            print(f"waiting for the NLU model {model.name} (`supportline train`) …", flush=True)
            announced = True
        await asyncio.sleep(10)
    return model


def app_environment(*, database_url: str, rasa_url: str, stand_in: ReplyWatchingStandIn, webhook_secret: str) -> dict[str, str]:
    """The app's settings: production-like, Telegram in webhook mode against the stand-in. The per-conversation
    rate limits are lifted: the scripted users send without pausing, far faster than anyone types."""
    return {
        "ENVIRONMENT": "development",  # console cookies without Secure: the console is used over plain HTTP on loopback
        "SECRET_KEY": secrets.token_urlsafe(32), "DATABASE_URL": database_url, "RASA_URL": rasa_url,
        "CONTENT_DIR": str(ROOT / "content"), "LOG_LEVEL": "WARNING",
        "TELEGRAM_TOKEN": TOKEN, "TELEGRAM_MODE": "webhook", "TELEGRAM_API_BASE_URL": stand_in.base_url,
        "TELEGRAM_WEBHOOK_URL": "https://bench.invalid/telegram/webhook", "TELEGRAM_WEBHOOK_SECRET": webhook_secret,
        "RATE_LIMIT_MESSAGES": "1000000", "RATE_LIMIT_ADDRESS_MESSAGES": "1000000",
    }


def csrf_of(html: str) -> str:
    """The CSRF token a console page's forms carry."""
    match = CSRF_FIELD.search(html)
    if match is None:
        raise RuntimeError("no CSRF token on the console page (not logged in?)")
    return match.group(1)


async def _add_counsellor(settings: Settings) -> tuple[str, str]:
    username, password = f"bench_{secrets.token_hex(3)}", new_password()
    async with open_database(settings) as database, database.session() as session:
        await add_counsellor(session, username=username, display_name="Bench", languages=["sv", "en"], role="counsellor", max_concurrent=1000, password=password)
        await session.commit()
    return username, password


@dataclass
class _Running:
    """The app under test and what its users need."""

    app: AppProcess
    secret: str
    stand_in: ReplyWatchingStandIn
    client: httpx.AsyncClient
    content: Content
    login: tuple[str, str]

    def users(self, count: int, *, telegram_share: float = 0.5, seed: int = 0) -> list[User]:
        """`count` users, web chat and Telegram in turn (a single user: web chat)."""
        made: list[User] = []
        for index, script in enumerate(scripts(self.content, count, seed=seed)):
            on_telegram = count > 1 and index % round(1 / telegram_share) == 1
            made.append(TelegramUser(self.app.url, self.secret, self.client, self.stand_in, script) if on_telegram else WebChatUser(self.app.url, script))
        return made


@asynccontextmanager
async def running_app(database_url: str, rasa_url: str, stand_in: ReplyWatchingStandIn, content: Content, label: str) -> AsyncIterator[_Running]:
    """The app on `database_url`, a counsellor account in it, and an HTTP client for the webhook."""
    secret = secrets.token_urlsafe(24)
    environment = app_environment(database_url=database_url, rasa_url=rasa_url, stand_in=stand_in, webhook_secret=secret)
    settings = Settings(**{key.lower(): value for key, value in environment.items()})  # type: ignore[arg-type]
    login = await _add_counsellor(settings)  # migrates the database first, as the app would
    app = AppProcess(port=free_port(), environment=environment, log_file=LOGS / f"app-{label}.log")
    await app.start()
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    try:
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            yield _Running(app, secret, stand_in, client, content, login)
    finally:
        app.stop()


async def _phase(label: str, target: str, users: list[User], config: E2EConfig, pids: dict[str, int], *, pause: float = 0.0) -> Phase:
    print(f"  {label}: {len(users)} users, {config.warm_up:.0f} s warm-up + {config.seconds:.0f} s …", flush=True)
    async with RssSampler(pids) as memory:
        result = await run_load(users, warm_up=config.warm_up, seconds=config.seconds, pause=pause)
    overall = result.latency()
    print(f"    {result.throughput:.1f} replies/s, {result.failed} failed, {overall.line() if overall else 'no replies'}", flush=True)
    return Phase(label, target, len(users), result, memory.peaks)


async def measure_delivery(running: _Running, *, messages: int, background_users: int, pause: float) -> Delivery:
    """A young person asks for a person on the web chat, the counsellor claims them; then each message
    the young person writes is timed until the console's event stream announces it, and until the
    console's transcript (what its page fetches on that event) shows it. Other users talk meanwhile,
    each pausing `pause` seconds after a reply."""
    delivery = Delivery(background_users=background_users, pause=pause)
    url = running.app.url
    async with httpx.AsyncClient(base_url=url, timeout=30) as console:
        token = csrf_of((await console.get("/console/login")).text)
        username, password = running.login
        await console.post("/console/login", data={"username": username, "password": password, "csrf_token": token})
        csrf = csrf_of((await console.get("/console")).text)
        events: asyncio.Queue[tuple[str, float]] = asyncio.Queue()
        connected = asyncio.Event()

        async def listen() -> None:
            async with console.stream("GET", "/console/events", timeout=None) as response:
                connected.set()
                async for line in response.aiter_lines():
                    if line.startswith("event: "):
                        events.put_nowait((line.removeprefix("event: "), time.perf_counter()))

        listening = asyncio.create_task(listen())
        stop = asyncio.Event()
        background = asyncio.create_task(run_load(running.users(background_users, seed=7), warm_up=0, seconds=3600, stop=stop, pause=pause)) if background_users else None
        young = WebChatUser(url, Script("sv", [], []))
        try:
            await asyncio.wait_for(connected.wait(), 10)
            await young.open()
            await young.ask_for_a_person()
            claimed = await console.post("/console/claim-next", data={"csrf_token": csrf}, follow_redirects=False)
            case = claimed.headers["location"]
            assert case.startswith("/console/cases/"), case
            await asyncio.sleep(1.0)  # let the background load settle in
            for index in range(messages):
                while not events.empty():
                    events.get_nowait()
                text = f"Hej, det är jag igen ({index}). Jag vet inte vad jag ska göra nu."
                started = time.perf_counter()
                said = asyncio.create_task(young._exchange({"type": "message", "text": text}))
                async with asyncio.timeout(30):
                    while (event := await events.get())[0] != "message":
                        pass
                    delivery.event_ms.append((event[1] - started) * 1000)
                    shown = await console.get(f"{case}/transcript")
                    delivery.shown_ms.append((time.perf_counter() - started) * 1000)
                    assert text in shown.text, "the console's transcript does not show the message"
                    await said
                await asyncio.sleep(0.1)
        finally:
            stop.set()
            if background is not None:
                await asyncio.gather(background, return_exceptions=True)
            listening.cancel()
            await asyncio.gather(listening, return_exceptions=True)
            await young.close()
    return delivery


async def busy_hour(running: _Running, config: E2EConfig, pids: dict[str, int]) -> Phase:
    """The paced load of `probe_load` users while the queue keeps changing: `busy_chats` more web chats
    open and idle, and a young person asking for a person every `busy_ask_every` seconds."""
    idle = [WebChatUser(running.app.url, script) for script in scripts(running.content, config.busy_chats, seed=11)]
    for start in range(0, len(idle), 50):
        await asyncio.gather(*(user.open() for user in idle[start:start + 50]))
    stop = asyncio.Event()
    asking = asyncio.create_task(_keep_asking_for_people(running, every=config.busy_ask_every, stop=stop))
    label = (
        f"app, web chat + Telegram, a message every {config.pause:g} s or so per user; busy hour: {config.busy_chats} more chats open, "
        f"someone asking for a person every {config.busy_ask_every:g} s"
    )
    try:
        return await _phase(label, "app-busy", running.users(config.probe_load, seed=3), config, pids, pause=config.pause)
    finally:
        stop.set()
        await asking
        await asyncio.gather(*(user.close() for user in idle), return_exceptions=True)


async def _keep_asking_for_people(running: _Running, *, every: float, stop: asyncio.Event) -> None:
    """Until `stop`, a new young person asks for a person every `every` seconds, on the web chat and on Telegram in turn."""
    for turn in itertools.count():
        young: WebChatUser | TelegramUser = WebChatUser(running.app.url, Script("sv", [], [])) if turn % 2 == 0 else TelegramUser(
            running.app.url, running.secret, running.client, running.stand_in, Script("sv", [], []),
        )
        await young.open()
        await young.ask_for_a_person()
        await young.close()
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
        if stop.is_set():
            return


async def profile_app(running: _Running, *, seconds: float, users: int) -> list[tuple[str, float, float]]:
    """py-spy (sampling, from outside) on the app while `users` talk; the speedscope profile is kept in bench/."""
    stop = asyncio.Event()
    load = asyncio.create_task(run_load(running.users(users, seed=11), warm_up=0, seconds=3600, stop=stop))
    await asyncio.sleep(2)
    spy = await asyncio.create_subprocess_exec(
        str(ROOT / ".venv" / "bin" / "py-spy"), "record", "--pid", str(running.app.pid), "--duration", str(int(seconds)), "--rate", "200",
        "--format", "speedscope", "--output", str(PROFILE), "--nonblocking",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await spy.communicate()
    stop.set()
    await asyncio.gather(load, return_exceptions=True)
    if spy.returncode != 0:
        print(f"  py-spy failed: {errors.decode()[-500:]}", flush=True)
        return []
    return top_functions(PROFILE)


def top_functions(profile: Path, *, count: int = 15) -> list[tuple[str, float, float]]:
    """The functions with the most samples of their own, as (name (file), self %, total %), from a speedscope file."""
    data: dict[str, Any] = json.loads(profile.read_text())
    frames = data["shared"]["frames"]
    own: Counter[int] = Counter()
    total: Counter[int] = Counter()
    samples = 0
    for thread in data["profiles"]:
        for stack, weight in zip(thread["samples"], thread["weights"]):
            if not stack:
                continue
            samples += weight
            own[stack[-1]] += weight
            for frame in set(stack):
                total[frame] += weight

    def name(index: int) -> str:
        frame = frames[index]
        file = str(frame.get("file", ""))
        for marker in ("/site-packages/", str(ROOT) + "/"):
            file = file.split(marker, 1)[-1]
        return f"{frame['name']} ({file}:{frame.get('line', '?')})"

    return [(name(index), 100 * weight / samples, 100 * total[index] / samples) for index, weight in own.most_common(count)] if samples else []


async def run(config: E2EConfig, model: Path) -> E2EReport:
    """The whole end-to-end run, the app's NLU served from `model`."""
    settings = get_settings()
    content = load_content(settings.content_dir)
    assistant = rasa_rest.build(content, rasa_venv=settings.rasa_venv, language=settings.default_language, epochs=config.rasa_epochs)
    phases: list[Phase] = []
    async with AsyncExitStack() as stack:
        nlu = RasaServer(rasa_venv=settings.rasa_venv, model=model, url=f"http://127.0.0.1:{free_port()}", log_file=LOGS / "rasa-nlu.log")
        plain = rasa_rest.RasaRestServer(rasa_venv=settings.rasa_venv, model=assistant.model, port=free_port(), log_file=LOGS / "rasa-rest.log")
        print("starting Rasa (the app's NLU) and Rasa (the plain assistant) …", flush=True)
        stack.callback(nlu.stop)
        stack.callback(plain.stop)
        await asyncio.gather(nlu.start(), plain.start())
        stand_in = await stack.enter_async_context(serving_watching_bot_api())
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="supportline-bench-")))
        running = await stack.enter_async_context(running_app(f"sqlite:///{work / 'bench.db'}", nlu.url, stand_in, content, "sqlite"))
        pids = {"app": running.app.pid, "rasa-nlu": nlu.pid}
        rest_client = await stack.enter_async_context(httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=200)))

        for count in config.users:
            print(f"N = {count}", flush=True)
            if count == 1:
                phases.append(await _phase("app, web chat", "app", running.users(1), config, pids))
                telegram = [TelegramUser(running.app.url, running.secret, running.client, stand_in, scripts(content, 1)[0])]
                phases.append(await _phase("app, Telegram", "app-telegram", telegram, config, pids))  # type: ignore[arg-type]
            else:
                phases.append(await _phase("app, web chat + Telegram", "app", running.users(count), config, pids))
            rasa_users: list[User] = [RasaRestUser(plain.url, rest_client, script) for script in scripts(content, count)]
            phases.append(await _phase("Rasa REST channel", "rasa-rest", rasa_users, config, {"rasa-rest": plain.pid}))
        for count in config.paced_users:
            print(f"N = {count}, paced", flush=True)
            label = f"app, web chat + Telegram, a message every {config.pause:g} s or so per user"
            phases.append(await _phase(label, "app-paced", running.users(count), config, pids, pause=config.pause))

        deliveries = []
        for pause in (0.0, config.pause):
            print(f"youth-to-console delivery, {config.probe_messages} messages, {config.probe_load} users talking meanwhile (pause {pause:g} s) …", flush=True)
            deliveries.append(await measure_delivery(running, messages=config.probe_messages, background_users=config.probe_load, pause=pause))
        print(f"profiling the app with py-spy for {config.profile_seconds:.0f} s at {config.profile_load} users …", flush=True)
        profile = await profile_app(running, seconds=config.profile_seconds, users=config.profile_load)
        if config.busy_chats:  # last on this app: it leaves young people waiting, and the delivery probe claims the next one
            print(f"busy hour: {config.probe_load} users paced, {config.busy_chats} more chats open, someone asking for a person every {config.busy_ask_every:g} s", flush=True)
            phases.append(await busy_hour(running, config, pids))
        lifetime = {"app": peak_rss_mib(running.app.pid), "rasa-nlu": peak_rss_mib(nlu.pid), "rasa-rest": peak_rss_mib(plain.pid)}

        if config.postgres:
            database_url = stack.enter_context(scratch_database("supportline_bench"))
            on_postgres = await stack.enter_async_context(running_app(database_url, nlu.url, stand_in, content, "postgresql"))
            print(f"N = {config.probe_load}, PostgreSQL", flush=True)
            phases.append(await _phase("app on PostgreSQL, web chat + Telegram", "app-postgresql", on_postgres.users(config.probe_load), config,
                                       {"app": on_postgres.app.pid, "rasa-nlu": nlu.pid}))
    return E2EReport(config, phases, deliveries, assistant, model.name, profile, lifetime)


def _cell(summary: Summary | None) -> str:
    return f"{summary.p50:.1f} / {summary.p95:.1f} / {summary.p99:.1f}" if summary else "–"


def render(report: E2EReport) -> str:
    """The report as Markdown."""
    config, assistant = report.config, report.plain_assistant
    training = "already trained (cached)" if assistant.training_seconds is None else f"trained in {assistant.training_seconds:.0f} s"
    epochs = f"; **DIET trained for {assistant.epochs} epochs only (quick run)**: the same network, so the same serving cost" if assistant.epochs else ""
    lines = [
        f"Each phase: {config.warm_up:.0f} s warm-up, then {config.seconds:.0f} s measured. Closed loop: every simulated young person "
        "sends, waits for the whole reply, sends again, alternating a free-text question (training examples from content/, "
        "seven languages; Rasa in the loop) and a button press (no NLU). The app: one uvicorn process "
        "(`uvicorn --factory bot.api.main:app_from_environment`), SQLite, Telegram in webhook mode; its replies go through the "
        "outbox to the Bot API stand-in. Per-conversation rate limits lifted for the scripted users. "
        f"App NLU model `{report.nlu_model}`. Plain Rasa assistant (bench/rasa_rest.py): same pipeline and NLU data, "
        f"RulePolicy, REST channel, {training}{epochs}. Load generator, Bot API stand-in and both Rasa servers run on the same machine.",
        "",
        "Latency in ms, p50 / p95 / p99, from sending to the complete reply (Telegram: webhook POST to the stand-in receiving the turn's last `sendMessage`).",
        "",
        "| N | what | replies/s | all | free text | button | web chat | Telegram | failed | peak RSS (MiB) | load generator CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for phase in report.phases:
        r = phase.result
        memory = ", ".join(f"{name} {mib:.0f}" for name, mib in phase.peak_rss_mib.items())
        lines.append(
            f"| {phase.users} | {phase.label} | {r.throughput:.1f} | {_cell(r.latency())} | {_cell(r.latency(kind='text'))} | "
            f"{_cell(r.latency(kind='button'))} | {_cell(r.latency(channel='web'))} | {_cell(r.latency(channel='telegram'))} | {r.failed} | "
            f"{memory} | {100 * r.client_cpu_share:.0f} % |"
        )
    lines += ["", "Side by side (same N, same messages): the app / Rasa's own REST channel.", "", "| N | throughput ratio | p99 ratio (lower is better) |", "|---|---|---|"]
    for count in config.users:
        ours, theirs = report.phase("app", count), report.phase("rasa-rest", count)
        if ours and theirs and theirs.result.throughput and (o := ours.result.latency()) and (t := theirs.result.latency()):
            lines.append(f"| {count} | {ours.result.throughput / theirs.result.throughput:.2f}x | {o.p99 / t.p99:.2f}x |")
    for d in report.deliveries:
        lines += [
            "",
            f"Youth-to-console delivery ({len(d.event_ms)} messages on the web chat, a counsellor holding the conversation, {d.load()} meanwhile): "
            f"to the console's event stream {_line(summarise(d.event_ms))}; to its transcript showing the message {_line(summarise(d.shown_ms))}.",
        ]
    lines += [
        "",
        "Peak RSS over the whole run (VmHWM): " + ", ".join(f"{name} {mib:.0f} MiB" for name, mib in report.lifetime_peak_rss_mib.items()) + ".",
    ]
    if report.profile_top:
        lines += ["", f"py-spy, the app at {config.profile_load} users for {config.profile_seconds:.0f} s (`bench/profile.speedscope.json`, open in speedscope.app), most own samples:", "",
                  "| function | self | total |", "|---|---|---|"]
        lines += [f"| `{name}` | {own:.1f} % | {total:.1f} % |" for name, own, total in report.profile_top]
    return "\n".join(lines)


def _line(summary: Summary | None) -> str:
    return summary.line() if summary else "–"
