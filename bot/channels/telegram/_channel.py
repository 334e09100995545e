"""The Telegram channel's lifecycle (polling or webhook) and its webhook door."""

import asyncio
import hmac
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from telegram import Update
from telegram.constants import MessageLimit
from telegram.error import TelegramError

from bot.channels.errors import ChannelError, MalformedUpdate, WebhookRefused
from bot.channels.telegram._application import ALLOWED_UPDATES, build_application, register_commands
from bot.channels.telegram._handlers import CHATS_KEY, CORE_KEY, send_turn
from bot.channels.text_split import split_text
from bot.conversation import ConversationCore
from bot.core.config import Settings
from bot.events import EventBus

log = logging.getLogger(__name__)


class TelegramChannel:
    """A running bot: in polling mode it fetches updates itself; in webhook mode the app feeds them in."""

    def __init__(self, settings: Settings, core: ConversationCore, events: EventBus) -> None:
        self._settings = settings
        self._events = events
        self._delivery: asyncio.Task[None] | None = None
        self.application = build_application(settings, core)

    async def start(self) -> None:
        """Connect to the Bot API, register the commands, and start receiving updates."""
        settings, application = self._settings, self.application
        try:
            await application.initialize()
            await register_commands(application)
            if settings.telegram_mode == "webhook":
                assert settings.telegram_webhook_secret is not None
                await application.bot.set_webhook(
                    settings.telegram_webhook_url or "", secret_token=settings.telegram_webhook_secret.get_secret_value(), allowed_updates=ALLOWED_UPDATES
                )
            else:
                assert application.updater is not None
                await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            await application.start()
        except TelegramError as exc:
            raise ChannelError(f"Telegram could not start: {exc}") from exc
        self._delivery = asyncio.create_task(self._deliver_news())

    async def _deliver_news(self) -> None:
        """What counsellors write, and a waiting young person's new place in the queue when it changes,
        to the Telegram chats this process knows (chat ids live only in memory, never in storage)."""
        chats: dict[str, int] = self.application.bot_data[CHATS_KEY]
        core: ConversationCore = self.application.bot_data[CORE_KEY]
        told: dict[str, str] = {}
        async with self._events.subscribe() as inbox:
            while True:
                event = await inbox.get()
                try:
                    if event.kind == "message" and event.sender == "counsellor" and event.text and event.conversation_id in chats:
                        for part in split_text(event.text, limit=MessageLimit.MAX_TEXT_LENGTH):
                            await self.application.bot.send_message(chats[event.conversation_id], part)
                    elif event.kind == "queue":
                        for conversation_id, chat_id in list(chats.items()):
                            await self._tell_new_place(core, conversation_id, chat_id, told)
                except TelegramError:
                    log.exception("could not deliver news on Telegram")

    async def _tell_new_place(self, core: ConversationCore, conversation_id: str, chat_id: int, told: dict[str, str]) -> None:
        status = await core.queue_status(conversation_id)
        if status is None:
            told.pop(conversation_id, None)
            return
        text = status.replies[0].text
        if told.get(conversation_id, text) != text:
            await send_turn(self.application.bot, chat_id, status)
        told[conversation_id] = text

    async def stop(self) -> None:
        """Stop receiving, finish what is being handled, and disconnect."""
        if self._delivery is not None:
            self._delivery.cancel()
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()

    async def accept_webhook(self, *, secret_token: str | None, body: bytes) -> None:
        """Queue one webhook update, after checking Telegram's secret header: without it, not even the body is read."""
        expected = self._settings.telegram_webhook_secret
        if self._settings.telegram_mode != "webhook" or expected is None or secret_token is None:
            raise WebhookRefused("no webhook secret")
        if not hmac.compare_digest(secret_token.encode(), expected.get_secret_value().encode()):
            raise WebhookRefused("wrong webhook secret")
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("no update_id")
            update = Update.de_json(data, self.application.bot)
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedUpdate(f"not a Telegram update: {exc}") from exc
        await self.application.update_queue.put(update)


@asynccontextmanager
async def telegram_channel(settings: Settings, core: ConversationCore, events: EventBus) -> AsyncIterator[TelegramChannel | None]:
    """The running Telegram channel, or None when no token is configured."""
    if settings.telegram_token is None:
        yield None
        return
    channel = TelegramChannel(settings, core, events)
    await channel.start()
    log.info("Telegram channel running (%s)", settings.telegram_mode)
    try:
        yield channel
    finally:
        await channel.stop()
