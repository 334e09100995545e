"""The Telegram channel's lifecycle (polling or webhook) and its webhook door."""

import asyncio
import hmac
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any

from telegram import Update
from telegram.error import TelegramError

from bot.channels.errors import ChannelError, MalformedUpdate, WebhookRefused
from bot.channels.telegram._application import ALLOWED_UPDATES, build_application, register_commands
from bot.channels.telegram._handlers import CHANNEL, SENDER_KEY
from bot.channels.telegram._sender import OutboxSender
from bot.conversation import ConversationCore
from bot.core.config import Settings
from bot.events import EventBus

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 10
MAX_POLL_BACKOFF_SECONDS = 30.0
_UNPARSEABLE = (AttributeError, KeyError, OSError, OverflowError, RecursionError, TypeError, ValueError)
"""What python-telegram-bot's `Update.de_json` raises on JSON of the wrong shape (`{"message": "x"}`,
a date past year 9999 or long before 1970, …): a malformed update, not a server error."""
DRAIN_SECONDS = 5.0
"""On shutdown, how long the sender may go on sending what is due."""


class TelegramChannel:
    """A running bot: updates in (fetched here in polling mode, posted to the webhook otherwise), each
    confirmed to Telegram only once the core has handled it; replies out through the outbox sender."""

    def __init__(self, settings: Settings, core: ConversationCore, events: EventBus) -> None:
        self._settings = settings
        self._events = events
        self._core = core
        self.application = build_application(settings, core)
        self._sender: OutboxSender = self.application.bot_data[SENDER_KEY]
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Connect to the Bot API, register the commands, and start receiving updates and sending the outbox."""
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
                await application.bot.delete_webhook()
            await application.start()
        except TelegramError as exc:
            raise ChannelError(f"Telegram could not start: {exc}") from exc
        self._tasks = [asyncio.create_task(self._sender.run()), asyncio.create_task(self._follow_events())]
        if settings.telegram_mode == "polling":
            self._tasks.append(asyncio.create_task(self._poll()))

    async def _poll(self) -> None:
        """Fetch updates, handle them, and only then confirm them (the next fetch's offset): an update
        fetched before a crash is fetched again, and its key keeps it from being answered twice."""
        offset: int | None = None
        failures = 0
        while True:
            try:
                updates = await self.application.bot.get_updates(offset=offset, timeout=POLL_TIMEOUT_SECONDS, allowed_updates=ALLOWED_UPDATES)
            except TelegramError as exc:
                failures += 1
                wait = min(MAX_POLL_BACKOFF_SECONDS, 0.5 * 2 ** failures)
                log.warning("could not fetch Telegram updates (%s): trying again in %.1f s", exc, wait)
                await asyncio.sleep(wait)
                continue
            failures = 0
            await self._handle(updates)
            if updates:
                offset = updates[-1].update_id + 1

    async def _handle(self, updates: Sequence[Update]) -> None:
        """Handle a batch: each chat's updates in order, different chats at once."""
        by_chat: defaultdict[int | None, list[Update]] = defaultdict(list)
        for update in updates:
            by_chat[update.effective_chat.id if update.effective_chat else None].append(update)

        async def in_order(chat_updates: list[Update]) -> None:
            for update in chat_updates:
                await self.application.process_update(update)

        await asyncio.gather(*(in_order(chat_updates) for chat_updates in by_chat.values()))

    async def _follow_events(self) -> None:
        """Wake the sender when a counsellor wrote, and queue waiting young people's new places when the
        queue moved. A failure is logged and the next event still handled: this loop must outlive any error."""
        async with self._events.subscribe() as inbox:
            while True:
                event = await inbox.get()
                try:
                    if event.kind == "queue":
                        await self._core.post_queue_news(channel=CHANNEL)
                    self._sender.wake()
                except Exception:
                    log.exception("could not follow an event on Telegram")

    async def stop(self) -> None:
        """Stop fetching, let what is being sent finish (what is not sent stays in the outbox), and disconnect."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with suppress(Exception):
            await asyncio.wait_for(self._sender.send_due(), DRAIN_SECONDS)
        application = self.application
        if application.running:
            await application.stop()
        await application.shutdown()

    def secret_matches(self, secret_token: str | None) -> bool:
        """Whether a webhook request carries the secret Telegram was given (compared in constant time)."""
        expected = self._settings.telegram_webhook_secret
        if self._settings.telegram_mode != "webhook" or expected is None or secret_token is None:
            return False
        return hmac.compare_digest(secret_token.encode("utf-8", "surrogateescape"), expected.get_secret_value().encode())

    async def accept_webhook(self, *, secret_token: str | None, update: dict[str, Any]) -> None:
        """Handle one webhook update, read by `parse_update`, after checking Telegram's secret header.
        Returns once the core has handled it: only then does Telegram hear 200."""
        if not self.secret_matches(secret_token):
            raise WebhookRefused("no or wrong webhook secret")
        try:
            parsed = Update.de_json(update, self.application.bot)
        except _UNPARSEABLE as exc:
            raise MalformedUpdate(f"not a Telegram update: {type(exc).__name__}") from exc
        await self.application.process_update(parsed)


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
