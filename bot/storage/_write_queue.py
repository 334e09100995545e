"""SQLite writers of one process take turns on an asyncio lock instead of SQLite's busy handler.

SQLite lets one transaction write at a time. A writer that finds the lock taken is put to sleep by
SQLite's busy handler for 1, 2, 5, 10, 15 … ms between tries, however soon the lock is free: under a
moderate load, turns waited whole sleeps behind the Telegram sender's short transactions. Here a
transaction waits, in order, on an asyncio lock from its first write until its connection is back in
the pool (after the commit or rollback: SQLAlchemy has no event after a commit), and starts writing
the moment the one before it is done. Readers never wait (WAL). Other processes
on the same file still meet SQLite's busy handler; PostgreSQL needs none of this.
"""

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.util import await_only

from bot.storage._errors import StorageError

WAIT_SECONDS = 15.0
"""How long a writer waits for its turn before failing; SQLite's own busy timeout (other processes) is the same."""
_WRITES = ("insert", "update", "delete", "replace", "create", "drop", "alter")
_HOLDS = "supportline_writing"


class WriteQueue:
    """One writing transaction at a time per engine, in the order they asked."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._lock = asyncio.Lock()
        sync_engine = engine.sync_engine
        event.listen(sync_engine, "before_cursor_execute", self._before_execute)
        event.listen(sync_engine.pool, "checkin", self._release)
        event.listen(sync_engine.pool, "invalidate", self._release)

    def _before_execute(self, connection: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        if connection.info.get(_HOLDS) or not statement.lstrip()[:7].lower().startswith(_WRITES):
            return
        try:
            await_only(asyncio.wait_for(self._lock.acquire(), WAIT_SECONDS))  # runs inside SQLAlchemy's greenlet: the event loop goes on
        except TimeoutError as exc:
            raise StorageError(f"no turn to write to the database within {WAIT_SECONDS:.0f} s") from exc
        connection.info[_HOLDS] = True

    def _release(self, _dbapi_connection: Any, record: ConnectionPoolEntry, *_: Any) -> None:
        if record.info.pop(_HOLDS, False):
            self._lock.release()
