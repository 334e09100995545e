"""Which web chat conversations wait for a counsellor, read once per change of the queue for all of a worker's sockets."""

import asyncio

from bot.conversation import ConversationCore
from bot.events import Event


class QueueWatch:
    """Every socket hears every change of the queue, and only a waiting young person has news from it.
    If each socket asked the database whether its own young person waits, a worker with 300 chats open
    spent about half a second on each change (and every reply meanwhile waited behind it); here one
    read per change answers them all."""

    def __init__(self, core: ConversationCore) -> None:
        self._core = core
        self._latest: tuple[Event, asyncio.Future[frozenset[str]]] | None = None
        """The latest change heard, and the read of who waited after it."""

    async def waits(self, conversation_id: str, *, change: Event) -> bool:
        """Whether the conversation waited once `change` (the queue event, the same object for every
        socket of this worker) had happened. The read follows the change's commit, so it sees it."""
        if self._latest is None or self._latest[0] is not change:
            self._latest = change, asyncio.ensure_future(self._core.waiting_conversations())
        return conversation_id in await asyncio.shield(self._latest[1])
