"""The database: one async engine, sessions, and Alembic migrations applied at start-up."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, select
from sqlalchemy import func  # migrate(): the migration lock (scale-out)
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from bot.storage._encryption import Keyring, attach_keyring
from bot.storage._write_queue import WAIT_SECONDS, WriteQueue

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x5350_4C4E  # "SPLN": the advisory lock key that serialises migrations on PostgreSQL
_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}


def async_url(url: str) -> str:
    """`url` with an async driver: `sqlite://` -> aiosqlite, `postgresql://` -> psycopg 3."""
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False) if driver else url


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """Foreign keys on (for ON DELETE CASCADE), WAL so readers never block the writer, and commits that
    do not wait for the disk (still safe against a crashed or killed process)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # in WAL mode a commit survives a killed process; only a power cut can undo the last ones
    cursor.execute(f"PRAGMA busy_timeout={int(WAIT_SECONDS * 1000)}")  # how long a writer waits for the lock before failing: a busy machine must not lose a turn
    cursor.close()


class Database:
    """Where conversations are kept: SQLite by default, PostgreSQL in production."""

    def __init__(self, url: str, *, keys: Sequence[str], pool_size: int = 5) -> None:
        """`keys`: the data keys (Fernet) that encrypt message and note texts; the first encrypts."""
        parsed = make_url(async_url(url))
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        in_memory = parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")
        self.engine = create_async_engine(parsed) if in_memory else create_async_engine(parsed, pool_size=pool_size, max_overflow=10)
        attach_keyring(self.engine, Keyring(keys))
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            WriteQueue(self.engine)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; the caller commits, anything uncommitted is rolled back."""
        async with self._sessions() as session:
            yield session

    async def ping(self) -> None:
        """Ask the database a trivial question (`SELECT 1`); a `SQLAlchemyError` if it cannot answer."""
        async with self.engine.connect() as connection:
            await connection.execute(select(1))

    async def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision. On PostgreSQL one process at a time (a
        transaction-scoped advisory lock): several app workers starting together would otherwise race."""
        async with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                await connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
            await connection.run_sync(_upgrade)

    async def close(self) -> None:
        """Release every pooled connection."""
        await self.engine.dispose()


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
