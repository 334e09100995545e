"""Scale-out: several app workers on one PostgreSQL share their events through LISTEN/NOTIFY.

A young person writes at worker A, the counsellor's console is connected to worker B: B's live view
hears the queue change and the message, and the counsellor's answer, posted at B, reaches the web
chat socket at A. Both workers are real uvicorn servers with their own event bus (their own LISTEN
connection), in this process. On PostgreSQL only: without it these tests skip, and fail when CI=true.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import psycopg
import pytest
from websockets.asyncio.client import ClientConnection, connect

from bot.api.main import create_app
from bot.events import LISTENER_NAME, Event, PostgresEventBus, libpq_conninfo
from bot.storage import Database, add_message, get_or_create_conversation
from tests.conftest import free_port, migrated, test_settings
from tests.support.console import create_account, csrf_of
from tests.support.servers import serving

ONLY_POSTGRES = pytest.mark.parametrize("empty_database_url", ["postgresql"], indirect=True)
WEB_KEY = "scaleOutKey" + "y" * 33
YOUNG_PERSON_WRITES = "Jag är rädd att de skickar tillbaka mig"
COUNSELLOR_ANSWERS = "Jag finns här. Berätta mer när du orkar."
WAIT = 10.0


async def sse_events(client: httpx.AsyncClient, into: "asyncio.Queue[str]", connected: asyncio.Event) -> None:
    """Put the name of every event on the console's live stream into `into`."""
    async with client.stream("GET", "/console/events") as response:
        assert response.status_code == 200, response.status_code
        connected.set()
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                await into.put(line.removeprefix("event: "))


async def next_sse(events: "asyncio.Queue[str]", wanted: str) -> None:
    """Wait for an event named `wanted` on the stream (others may come first)."""
    async with asyncio.timeout(WAIT):
        while await events.get() != wanted:
            pass


async def next_frame(socket: ClientConnection, **wanted: str) -> dict[str, Any]:
    """The next web chat frame whose fields have the `wanted` values (others may come first)."""
    async with asyncio.timeout(WAIT):
        while True:
            frame: dict[str, Any] = json.loads(await socket.recv())
            if all(frame.get(key) == value for key, value in wanted.items()):
                return frame


@asynccontextmanager
async def unmigrated(url: str) -> AsyncIterator[Database]:
    """A database at `url`, not yet migrated, closed afterwards."""
    database = Database(url, keys=test_settings().data_keys_list())
    try:
        yield database
    finally:
        await database.close()


@asynccontextmanager
async def console_on(url: str, database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A counsellor logged in on the console at `url`; yields the client and the page's CSRF token."""
    username, password = await create_account(database_url)
    async with httpx.AsyncClient(base_url=url, timeout=WAIT) as client:
        token = csrf_of((await client.get("/console/login")).text)
        logged_in = await client.post("/console/login", data={"username": username, "password": password, "csrf_token": token})
        assert logged_in.status_code in (200, 303), logged_in.status_code
        page = await client.get("/console")
        assert page.status_code == 200 and "/console/login" not in str(page.url), "not logged in"
        yield client, csrf_of(page.text)


@ONLY_POSTGRES
async def test_a_young_person_at_one_worker_and_a_counsellor_at_another_hear_each_other(empty_database_url: str) -> None:
    settings = test_settings(
        database_url=empty_database_url, rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_seconds=0.5,
        environment="development",  # console cookies are Secure outside development; these workers speak plain HTTP on loopback
    )
    async with AsyncExitStack() as stack:
        worker_a = await stack.enter_async_context(serving(create_app(settings), free_port()))  # started one after the other: one migrates
        worker_b = await stack.enter_async_context(serving(create_app(settings), free_port()))
        console, csrf = await stack.enter_async_context(console_on(worker_b, empty_database_url))

        live: asyncio.Queue[str] = asyncio.Queue()
        connected = asyncio.Event()
        listening = asyncio.create_task(sse_events(console, live, connected))
        stack.callback(listening.cancel)
        async with asyncio.timeout(WAIT):
            await connected.wait()

        async with connect(worker_a.replace("http", "ws") + "/chat/socket", origin=worker_a) as socket:
            await socket.send(json.dumps({"type": "hello", "key": WEB_KEY, "locale": "sv"}))
            await next_frame(socket, type="transcript")
            await socket.send(json.dumps({"type": "button", "payload": "cmd:human", "label": "En människa"}))
            await next_frame(socket, type="turn")
            await next_sse(live, "queue")  # B's console hears that someone is waiting at A

            claimed = await console.post("/console/cases/1/claim", data={"csrf_token": csrf}, follow_redirects=False)
            assert claimed.status_code == 303 and claimed.headers["location"] == "/console/cases/1"
            await next_sse(live, "queue")

            await socket.send(json.dumps({"type": "message", "text": YOUNG_PERSON_WRITES}))
            await next_sse(live, "message")  # the young person's message, written at A, refreshes the case at B
            transcript = await console.get("/console/cases/1/transcript")
            assert YOUNG_PERSON_WRITES in transcript.text

            sent = await console.post("/console/cases/1/messages", data={"csrf_token": csrf, "text": COUNSELLOR_ANSWERS}, follow_redirects=False)
            assert sent.status_code == 303 and "notice" not in sent.headers["location"]
            answer = await next_frame(socket, type="message")  # posted at B, arrives at A's socket
            assert answer == {"type": "message", "sender": "counsellor", "text": COUNSELLOR_ANSWERS}
            with pytest.raises(TimeoutError):  # once, not twice
                async with asyncio.timeout(1.0):
                    await next_frame(socket, type="message")


async def drain(inbox: "asyncio.Queue[Event]", *, seconds: float = 0.5) -> list[Event]:
    """What arrives in `inbox` within `seconds`."""
    received: list[Event] = []
    try:
        async with asyncio.timeout(seconds):
            while True:
                received.append(await inbox.get())
    except TimeoutError:
        return received


@ONLY_POSTGRES
async def test_every_worker_gets_each_event_once_with_the_text_read_from_the_database_and_listens_again_after_a_drop(
    empty_database_url: str,
) -> None:
    async with migrated(empty_database_url) as database:
        async with database.session() as session:
            await get_or_create_conversation(session, conversation_id="c" * 64, channel="web")
            message = add_message(session, conversation_id="c" * 64, sender="counsellor", kind="text", text=COUNSELLOR_ANSWERS)
            await session.commit()
        first = PostgresEventBus(empty_database_url, database, first_retry_seconds=0.05, check_every_seconds=0.5)
        second = PostgresEventBus(empty_database_url, database, first_retry_seconds=0.05, check_every_seconds=0.5)
        await first.start()
        await second.start()
        try:
            async with first.subscribe() as here, second.subscribe() as there:
                first.publish(Event("message", "c" * 64, sender="counsellor", text=COUNSELLOR_ANSWERS, message_id=message.id))
                first.publish(Event("queue"))
                expected = [Event("message", "c" * 64, sender="counsellor", text=COUNSELLOR_ANSWERS, message_id=message.id), Event("queue")]
                assert await drain(here) == expected  # the publisher's own subscribers: once, through NOTIFY
                assert await drain(there) == expected

                with psycopg.connect(libpq_conninfo(empty_database_url), autocommit=True) as admin:  # the LISTEN connections drop
                    dropped = admin.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
                        (LISTENER_NAME,),
                    ).fetchall()
                assert len(dropped) == 2
                assert Event("queue") in await drain(there, seconds=3.0)  # listening again: look again at the queue
                await drain(here)

                second.publish(Event("message", "c" * 64, sender="young_person"))
                assert await drain(here) == [Event("message", "c" * 64, sender="young_person")]
        finally:
            await first.close()
            await second.close()


@ONLY_POSTGRES
async def test_workers_starting_together_migrate_one_after_the_other(empty_database_url: str) -> None:
    async with AsyncExitStack() as stack:
        databases = [await stack.enter_async_context(unmigrated(empty_database_url)) for _ in range(4)]
        async with asyncio.timeout(60):
            await asyncio.gather(*(database.migrate() for database in databases))  # no duplicate-table error, no deadlock
