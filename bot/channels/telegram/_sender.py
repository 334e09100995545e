"""Delivers the core's outbox to Telegram: at least once, in order per young person, with back-off."""

import asyncio
import logging
from contextlib import suppress
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.channels.telegram._handlers import CHANNEL, send_turn
from bot.channels.telegram._message_log import MessageLog
from bot.channels.telegram._retry import seconds_of
from bot.conversation import Outbox, Outgoing

log = logging.getLogger(__name__)

BATCH = 32
IN_A_ROW = 8
"""At most this many messages to one young person per batch, so that a long backlog for one does not hold up the others."""
LEASE = timedelta(seconds=60)
"""How long a taken message is this sender's: after that, another worker may send it (this one died)."""
IDLE_CHECK_SECONDS = 0.25
"""How often an idle sender looks for messages queued by other workers."""
MAX_BACKOFF_SECONDS = 300.0


class OutboxSender:
    """Takes due messages from the outbox and sends them; a failure postpones the message, never drops it,
    unless Telegram refuses it for good (the young person blocked the bot, the chat is gone)."""

    def __init__(self, bot: Bot, outbox: Outbox, sent: MessageLog) -> None:
        self._bot = bot
        self._outbox = outbox
        self._sent = sent
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was queued: look now rather than at the next idle check."""
        self._wake.set()

    async def run(self) -> None:
        """Send until cancelled. A storage failure is logged and retried: this loop must outlive any error."""
        while True:
            try:
                self._wake.clear()  # before looking, not after: a wake during `send_due` (a turn committed after its query) is kept
                if not await self.send_due():
                    with suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), IDLE_CHECK_SECONDS)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the Telegram outbox could not be read; trying again")
                await asyncio.sleep(1)

    async def send_due(self) -> bool:
        """Send one batch of due messages: the oldest of each young person, each followed by that young
        person's next ones while they are due (a turn's replies go out together). Returns whether more
        may be due already (a full batch, or a young person with more than `IN_A_ROW` waiting); if not,
        the loop waits for a wake-up instead of asking the database again.

        One at a time, each confirmed in the database as soon as Telegram confirms it: if the process
        is killed, at most the one message in flight can be sent again (Telegram offers no idempotent
        send). Telegram allows about 30 messages a second per bot; one at a time is faster than that."""
        batch = await self._outbox.take_due(channel=CHANNEL, limit=BATCH, lease_for=LEASE)
        more = len(batch) == BATCH
        for head in batch:
            message: Outgoing | None = head
            in_a_row = 0
            while message is not None:
                in_a_row += 1
                message = await self._deliver(message, lease_next=in_a_row < IN_A_ROW)
            more = more or in_a_row == IN_A_ROW
        return more

    async def _deliver(self, message: Outgoing, *, lease_next: bool) -> Outgoing | None:
        """Send one message; after a confirmed (or finally refused) send, the young person's next
        message, leased, if `lease_next` and it is due."""
        following = LEASE if lease_next else None
        if not message.address.lstrip("-").isdigit():  # never a Telegram chat: it could only block this young person's queue
            log.error("an outbox message without a Telegram chat address leaves the outbox")
            return await self._outbox.delivered(message, lease_next_for=following)
        try:
            sent = await send_turn(self._bot, int(message.address), message.turn, markdown=message.markdown)
        except RetryAfter as exc:
            await self._outbox.postpone(message.id, seconds=seconds_of(exc.retry_after))
        except (Forbidden, BadRequest) as exc:
            log.warning("Telegram refuses a message for good (%s): it leaves the outbox", exc)
            return await self._outbox.delivered(message, lease_next_for=following)
        except TelegramError as exc:
            wait = min(MAX_BACKOFF_SECONDS, 2.0 ** message.attempts)
            log.warning("could not send a message on Telegram (%s): next try in %.0f s", exc, wait)
            await self._outbox.postpone(message.id, seconds=wait)
        else:
            self._sent.add(message.conversation_id, sent)
            return await self._outbox.delivered(message, lease_next_for=following)
        return None
