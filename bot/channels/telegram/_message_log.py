"""Which messages of each chat can still be deleted, so /forget can clear the chat too.

Telegram lets a bot delete messages in a private chat, the young person's and its own, for 48 hours.
The ids live in this process's memory only, like the chat ids: nothing about a chat is stored.
"""

import time
from collections import defaultdict, deque
from collections.abc import Iterable

DELETABLE_FOR_SECONDS = 47 * 3600
"""A little under Telegram's 48 hours, so a deletion is not refused at the edge."""
PER_CHAT = 1000


class MessageLog:
    """Message ids per conversation, newest last, for as long as Telegram allows deleting them."""

    def __init__(self) -> None:
        self._ids: defaultdict[str, deque[tuple[float, int]]] = defaultdict(lambda: deque(maxlen=PER_CHAT))

    def add(self, conversation_id: str, message_ids: Iterable[int]) -> None:
        """Remember messages just sent or received in this conversation's chat."""
        now = time.monotonic()
        self._ids[conversation_id].extend((now, message_id) for message_id in message_ids)

    def take(self, conversation_id: str) -> list[int]:
        """The ids that can still be deleted, forgotten here as they are handed out."""
        cutoff = time.monotonic() - DELETABLE_FOR_SECONDS
        return [message_id for at, message_id in self._ids.pop(conversation_id, ()) if at >= cutoff]
