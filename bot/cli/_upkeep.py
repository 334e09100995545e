"""`supportline purge` and `supportline keys new|rotate`: retention and encryption keys by hand."""

import argparse
import asyncio
from datetime import timedelta

from cryptography.fernet import Fernet

from bot.core.config import get_settings
from bot.runtime import open_database
from bot.storage import reencrypt_texts
from bot.upkeep import purge_once


def purge(_: argparse.Namespace) -> int:
    """Delete now what is past the retention period (the app also does it every PURGE_EVERY_SECONDS)."""
    settings = get_settings()

    async def run() -> None:
        async with open_database(settings) as database:
            purged = await purge_once(database, keep_for=timedelta(days=settings.retention_days))
        print(f"older than {settings.retention_days} days, deleted: {purged.conversations} conversations, {purged.messages} messages; "
              f"{purged.console_sessions} expired console sessions")

    asyncio.run(run())
    return 0


def keys_new(_: argparse.Namespace) -> int:
    """Print a new data key, to put first in DATA_KEYS."""
    print(Fernet.generate_key().decode())
    return 0


def keys_rotate(_: argparse.Namespace) -> int:
    """Re-encrypt every stored text under the first of DATA_KEYS; afterwards the others can go."""

    async def run() -> int:
        async with open_database(get_settings()) as database, database.session() as session:
            rewritten = await reencrypt_texts(session)
            await session.commit()
        return rewritten

    print(f"re-encrypted {asyncio.run(run())} texts under the first data key; older keys can now be removed from DATA_KEYS")
    return 0
