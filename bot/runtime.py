"""Assembling the conversation core from settings: the one place its parts are wired together."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from bot.content import ContentStore
from bot.conversation import ConversationCore, Understander
from bot.core.config import Settings
from bot.events import EventBus
from bot.i18n import Catalogs
from bot.storage import Database
from handoff import OpeningHours
from nlu import RasaClient


def without_storage(settings: Settings) -> Settings:
    """The same settings on a throwaway in-memory database: one-shot commands keep nothing."""
    return settings.model_copy(update={"database_url": "sqlite:///:memory:"})


def build_understander(settings: Settings, nlu: RasaClient) -> Understander:
    """The understander with the configured thresholds (shared by the bot and `supportline classify`)."""
    return Understander(nlu, confidence_threshold=settings.nlu_confidence_threshold, crisis_threshold=settings.crisis_confidence_threshold)


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    """The migrated database; its connections are closed on exit."""
    database = Database(settings.database_url, keys=settings.data_keys_list())
    try:
        await database.migrate()
        yield database
    finally:
        await database.close()


@asynccontextmanager
async def conversation_core(settings: Settings, *, database: Database | None = None, events: EventBus | None = None) -> AsyncIterator[ConversationCore]:
    """A ready core (database migrated, content loaded). The app passes the database and event bus
    it shares with the console; alone, the core opens its own and closes them on exit."""
    async with AsyncExitStack() as stack:
        if database is None:
            database = await stack.enter_async_context(open_database(settings))
        nlu = RasaClient(settings.rasa_url, timeout_seconds=settings.rasa_timeout_seconds)
        stack.push_async_callback(nlu.aclose)
        yield ConversationCore(
            content=ContentStore(settings.content_dir, check_every_seconds=settings.content_reload_seconds),
            catalogs=Catalogs(),
            understander=build_understander(settings, nlu),
            database=database,
            default_language=settings.default_language,
            opening_hours=OpeningHours(settings.handoff_opening_hours),
            events=events or EventBus(),
        )
