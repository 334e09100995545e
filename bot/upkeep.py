"""Scheduled upkeep: delete what is past the retention period, as long as the app runs."""

import asyncio
import logging
from datetime import timedelta

from bot.core.config import Settings
from bot.storage import Database, Purged, purge_expired, utcnow

log = logging.getLogger(__name__)


async def purge_once(database: Database, *, keep_for: timedelta) -> Purged:
    """One purge, committed."""
    async with database.session() as session:
        purged = await purge_expired(session, now=utcnow(), keep_for=keep_for)
        await session.commit()
    return purged


async def purge_periodically(database: Database, settings: Settings) -> None:
    """Purge now, then every `PURGE_EVERY_SECONDS`. Several workers may each run it: deleting twice is harmless.
    A failed purge is logged and tried again next time."""
    keep_for = timedelta(days=settings.retention_days)
    while True:
        try:
            purged = await purge_once(database, keep_for=keep_for)
            log.info("retention purge: %d conversations, %d messages, %d console sessions", purged.conversations, purged.messages, purged.console_sessions)
        except Exception:
            log.exception("retention purge failed; trying again in %.0f s", settings.purge_every_seconds)
        await asyncio.sleep(settings.purge_every_seconds)
