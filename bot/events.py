"""Events between the parts of the app: the queue changed, a message arrived for a conversation.

Published only after the transaction that caused them committed (a subscriber that reads the
database then sees the change). Subscribers are the console's live views, the web chat sockets and
the Telegram channel.

Two buses behind one interface (`publish(event)`, synchronous; `subscribe()`, a queue):

- `EventBus`, in-process: one app process on SQLite (development, tests, a small single-worker line).
- `PostgresEventBus`, PostgreSQL LISTEN/NOTIFY: several app workers on one PostgreSQL, so a message
  a young person writes at worker A reaches a counsellor whose console is connected to worker B, and
  the counsellor's answer, posted at B, reaches the young person's socket at A.

Why LISTEN/NOTIFY and not Redis (or another broker): PostgreSQL is already required in production
and already backed up, monitored and secured; a broker would be one more moving part to run, secure
and keep available for a line a small NGO operates, and Redis pub/sub would deliver no better (also
at most once, also only to who listens). The cost: one extra connection per worker for LISTEN (and
one for NOTIFY), which must reach PostgreSQL directly or through a session-mode pooler (a
transaction-mode PgBouncer drops LISTEN). Events are hints to refresh ("look again"), not
the record: the record is the database, so NOTIFY's delivery (at most once, only to sessions
listening at that moment, in commit order per sender) is enough. A listener that was disconnected
misses what happened meanwhile, so after reconnecting each worker tells its own subscribers that
the queue may have changed.

What travels: NOTIFY payloads are limited to 8000 bytes and are visible to anyone who can LISTEN
on the database, so the payload holds the event's kind, conversation id (already a pseudonym),
sender and message id - never a message text. A subscriber that needs the text (the web chat passes
a counsellor's message on as it is written) gets it from this bus, which reads the message by id from
the database (decrypted by the storage layer as any read is) once per worker, before handing the
event to its subscribers; so `event.text` means the same on both buses and subscribers need not
know which one runs. A counsellor message whose text can no longer be read (the young person said
/forget in between) is not handed on. Nothing here logs a text or a conversation id.

Each worker has one LISTEN connection, fanning out to its own subscribers, and one connection for
NOTIFY, used by a single task so a worker's events keep their order. A worker's own events come back
to it through NOTIFY like everyone else's and are delivered only then (never twice). If the LISTEN
connection drops, it is re-opened with exponential backoff; if a NOTIFY cannot be sent, the event is
delivered to this worker's own subscribers only (as the in-process bus would) and logged.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any, Literal, get_args

import psycopg
from sqlalchemy.engine import make_url

from bot.core.config import Settings
from bot.storage import Database, message_text

log = logging.getLogger(__name__)

Kind = Literal["queue", "message"]
KINDS: frozenset[str] = frozenset(get_args(Kind))
CHANNEL = "supportline_events"
"""The NOTIFY channel; it is per database, so two lines on one server never hear each other."""
LISTENER_NAME = "supportline-events"
NOTIFIER_NAME = "supportline-notify"
"""The `application_name`s of each worker's two connections, as `pg_stat_activity` shows them."""
MAX_PAYLOAD_BYTES = 7999
"""PostgreSQL refuses NOTIFY payloads of 8000 bytes or more."""


@dataclass(frozen=True)
class Event:
    """Something changed: the queue, or a conversation's transcript (`sender` wrote in it).

    `message_id` names the stored message, so a worker that did not publish the event can read its
    `text`; `text` itself never leaves the process."""

    kind: Kind
    conversation_id: str | None = None
    sender: str | None = None
    text: str | None = None
    message_id: int | None = None


class EventBus:
    """In-process fan-out to every current subscriber; a slow subscriber loses old events, never blocks others."""

    def __init__(self, *, backlog: int = 100) -> None:
        self._backlog = backlog
        self._subscribers: set[asyncio.Queue[Event]] = set()

    def publish(self, event: Event) -> None:
        """Deliver to every subscriber now."""
        self._deliver(event)

    def _deliver(self, event: Event) -> None:
        """Hand `event` to this process's subscribers."""
        for queue in self._subscribers:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[Event]]:
        """A queue of events published from now on, until the block ends."""
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=self._backlog)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)


def to_payload(event: Event) -> str:
    """The NOTIFY payload: everything but the text."""
    return json.dumps({"kind": event.kind, "conversation_id": event.conversation_id, "sender": event.sender, "message_id": event.message_id})


def from_payload(payload: str) -> Event | None:
    """The event in a NOTIFY payload, or None if it is not one of ours (an older or newer worker's)."""
    try:
        data: Any = json.loads(payload)
        kind = data["kind"]
        conversation_id, sender, message_id = data.get("conversation_id"), data.get("sender"), data.get("message_id")
    except (ValueError, TypeError, KeyError):
        return None
    if (
        kind not in KINDS
        or not isinstance(conversation_id, str | None)
        or not isinstance(sender, str | None)
        or not (message_id is None or (isinstance(message_id, int) and not isinstance(message_id, bool)))
    ):
        return None
    return Event(kind, conversation_id, sender=sender, message_id=message_id)


def libpq_conninfo(database_url: str) -> str:
    """`database_url` (a SQLAlchemy URL, any PostgreSQL driver) as a libpq URI for psycopg."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresEventBus(EventBus):
    """Fan-out to every subscriber in every worker on one PostgreSQL database, through LISTEN/NOTIFY."""

    def __init__(
        self, database_url: str, database: Database, *, backlog: int = 100, outbox: int = 1000,
        first_retry_seconds: float = 0.5, max_retry_seconds: float = 30.0, check_every_seconds: float = 30.0,
    ) -> None:
        super().__init__(backlog=backlog)
        self._conninfo = libpq_conninfo(database_url)
        self._database = database
        self._outbox: asyncio.Queue[Event] = asyncio.Queue(maxsize=outbox)
        self._first_retry, self._max_retry, self._check_every = first_retry_seconds, max_retry_seconds, check_every_seconds
        self._listening: asyncio.Task[None] | None = None
        self._sending: asyncio.Task[None] | None = None
        self._sender: psycopg.AsyncConnection[Any] | None = None

    def publish(self, event: Event) -> None:
        """Queue `event` for NOTIFY (sent in order by one task); every worker, this one included,
        delivers it when PostgreSQL passes it back."""
        if self._outbox.full():
            self._outbox.get_nowait()
            self._outbox.task_done()
            log.warning("event bus: outbox full, dropped the oldest event")
        self._outbox.put_nowait(event)

    async def start(self) -> None:
        """Listen (a failure here fails the start, as an unreachable database does), then start sending."""
        listener = await self._connect()
        self._listening = asyncio.create_task(self._listen(listener), name="event-bus-listen")
        self._sending = asyncio.create_task(self._send(), name="event-bus-notify")

    async def close(self, *, drain_seconds: float = 2.0) -> None:
        """Send what is still queued (for at most `drain_seconds`), then stop listening and sending."""
        if self._sending is not None and not self._sending.done():
            with suppress(TimeoutError):
                await asyncio.wait_for(self._outbox.join(), timeout=drain_seconds)
        tasks = [task for task in (self._listening, self._sending) if task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task
        if self._sender is not None:
            await self._sender.close()

    async def _connect(self) -> psycopg.AsyncConnection[Any]:
        connection = await psycopg.AsyncConnection.connect(
            self._conninfo, autocommit=True, application_name=LISTENER_NAME, connect_timeout=10,
            keepalives=1, keepalives_idle=30, keepalives_interval=10, keepalives_count=3,  # a silently dead peer is noticed too
        )
        try:
            await connection.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            await connection.close()
            raise
        return connection

    async def _listen(self, connection: psycopg.AsyncConnection[Any]) -> None:
        """Receive every worker's events and hand them on here; re-open the connection when it drops."""
        delay = self._first_retry
        while True:
            try:
                async with connection:
                    while True:
                        async for notify in connection.notifies(timeout=self._check_every):
                            await self._receive(notify.payload)
                        await connection.execute("SELECT 1")  # quiet for a while: is the connection still there?
            except psycopg.Error as exc:
                log.warning("event bus: LISTEN connection lost (%s); reconnecting", type(exc).__name__)
            except Exception:
                log.exception("event bus: listening failed; reconnecting")
            while True:
                await asyncio.sleep(delay)
                try:
                    connection = await self._connect()
                except (psycopg.Error, OSError) as exc:
                    delay = min(delay * 2, self._max_retry)
                    log.warning("event bus: cannot listen (%s); next try in %.1f s", type(exc).__name__, delay)
                    continue
                break
            delay = self._first_retry
            log.info("event bus: listening again; events published meanwhile were missed")
            self._deliver(Event("queue"))  # whatever changed while deaf: the live views look again

    async def _receive(self, payload: str) -> None:
        event = from_payload(payload)
        if event is None:
            log.warning("event bus: ignored a payload that is not an event")
            return
        if event.kind == "message" and event.message_id is not None:
            event = await self._with_text(event)
            if event is None:
                return
        self._deliver(event)

    async def _with_text(self, event: Event) -> Event | None:
        """`event` with its message's text read from the database, or None if it cannot be read."""
        try:
            async with self._database.session() as session:
                text = await message_text(session, conversation_id=event.conversation_id, message_id=event.message_id)
        except Exception as exc:
            log.warning("event bus: could not read an event's message (%s); not delivered", type(exc).__name__)
            return None
        if text is None:
            return None  # erased since (`/forget`), or not a message of the conversation the event names
        return Event(event.kind, event.conversation_id, sender=event.sender, text=text, message_id=event.message_id)

    async def _send(self) -> None:
        """NOTIFY each queued event, in order, on one connection (re-opened once if it broke)."""
        while True:
            event = await self._outbox.get()
            try:
                await self._notify(to_payload(event))
            except (psycopg.Error, OSError) as exc:
                log.warning("event bus: NOTIFY failed (%s); delivered in this worker only", type(exc).__name__)
                self._deliver(event)
            except ValueError:
                log.error("event bus: an event too large for NOTIFY; delivered in this worker only")
                self._deliver(event)
            finally:
                self._outbox.task_done()

    async def _notify(self, payload: str) -> None:
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            raise ValueError("payload too large")
        for attempt in (1, 2):
            try:
                if self._sender is None or self._sender.closed:
                    self._sender = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True, application_name=NOTIFIER_NAME, connect_timeout=10)
                await self._sender.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
                return
            except (psycopg.Error, OSError):
                if self._sender is not None:
                    await self._sender.close()
                    self._sender = None
                if attempt == 2:
                    raise


def shares_events_across_workers(database_url: str) -> bool:
    """Whether the database can carry events between workers (PostgreSQL can, SQLite cannot)."""
    return make_url(database_url).get_backend_name() == "postgresql"


@asynccontextmanager
async def open_event_bus(settings: Settings, database: Database) -> AsyncIterator[EventBus]:
    """The bus for this worker: LISTEN/NOTIFY on PostgreSQL, in-process on SQLite."""
    if not shares_events_across_workers(settings.database_url):
        yield EventBus()
        return
    bus = PostgresEventBus(settings.database_url, database)
    await bus.start()
    try:
        yield bus
    finally:
        await bus.close()
