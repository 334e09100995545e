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
from bot.channels.telegram._handlers import CHATS_KEY
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
        self._delivery = asyncio.create_task(self._deliver_counsellor_messages())

    async def _deliver_counsellor_messages(self) -> None:
        """Send what counsellors write to the young people on Telegram this process knows the chat of."""
        chats: dict[str, int] = self.application.bot_data[CHATS_KEY]
        async with self._events.subscribe() as inbox:
            while True:
                event = await inbox.get()
                chat_id = chats.get(event.conversation_id or "")
                if event.kind != "message" or event.sender != "counsellor" or chat_id is None or not event.text:
                    continue
                try:
                    for part in split_text(event.text, limit=MessageLimit.MAX_TEXT_LENGTH):
                        await self.application.bot.send_message(chat_id, part)
                except TelegramError:
                    log.exception("could not deliver a counsellor's message on Telegram")

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
