"""Events between the parts of one app process: the queue changed, a message arrived for a conversation.

Published only after the transaction that caused them committed (a subscriber that reads the
database then sees the change). Subscribers are the console's live views, the web chat sockets and
the Telegram channel. With several app workers, each worker has its own bus: a counsellor and a
young person served by different workers see each other's messages on their next refresh; a shared
bus (PostgreSQL LISTEN/NOTIFY) is the next step there.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal

Kind = Literal["queue", "message"]


@dataclass(frozen=True)
class Event:
    """Something changed: the queue, or a conversation's transcript (`sender` wrote in it)."""

    kind: Kind
    conversation_id: str | None = None
    sender: str | None = None
    text: str | None = None


class EventBus:
    """Fan-out to every current subscriber; a slow subscriber loses old events, never blocks others."""

    def __init__(self, *, backlog: int = 100) -> None:
        self._backlog = backlog
        self._subscribers: set[asyncio.Queue[Event]] = set()

    def publish(self, event: Event) -> None:
        """Deliver to every subscriber now."""
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
