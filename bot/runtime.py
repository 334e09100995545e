"""Assembling the conversation core from settings: the one place its parts are wired together."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.content import ContentStore
from bot.conversation import ConversationCore, Understander
from bot.core.config import Settings
from bot.i18n import Catalogs
from bot.storage import Database
from nlu import RasaClient


def without_storage(settings: Settings) -> Settings:
    """The same settings on a throwaway in-memory database: one-shot commands keep nothing."""
    return settings.model_copy(update={"database_url": "sqlite:///:memory:"})


def build_understander(settings: Settings, nlu: RasaClient) -> Understander:
    """The understander with the configured thresholds (shared by the bot and `supportline classify`)."""
    return Understander(nlu, confidence_threshold=settings.nlu_confidence_threshold, crisis_threshold=settings.crisis_confidence_threshold)


@asynccontextmanager
async def conversation_core(settings: Settings) -> AsyncIterator[ConversationCore]:
    """A ready core (database migrated, content loaded); its connections are closed on exit."""
    database = Database(settings.database_url)
    nlu = RasaClient(settings.rasa_url, timeout_seconds=settings.rasa_timeout_seconds)
    try:
        await database.migrate()
        yield ConversationCore(
            content=ContentStore(settings.content_dir, check_every_seconds=settings.content_reload_seconds),
            catalogs=Catalogs(),
            understander=build_understander(settings, nlu),
            database=database,
            default_language=settings.default_language,
        )
    finally:
        await nlu.aclose()
        await database.close()
