"""The Telegram handlers: each turns one kind of update into an `Incoming` for the core and sends
its turn back. Only private chats are served: a young person is never exposed in a group."""

import asyncio
import logging

from telegram import Bot, CallbackQuery, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.channels.identity import pseudonym
from bot.channels.telegram._message_log import MessageLog
from bot.channels.telegram._render import render_turn
from bot.channels.text_clean import clean_text
from bot.conversation import ConversationCore, Incoming, Location, Turn

log = logging.getLogger(__name__)

CHANNEL = "telegram"
CORE_KEY = "core"
SECRET_KEY = "secret"
MESSAGES_KEY = "messages"
"""The `MessageLog` of message ids that /forget can still delete."""
SENDER_KEY = "sender"
"""The `OutboxSender`, woken when a turn queued replies."""
DELETE_AT_ONCE = 100
"""Telegram's limit for one `deleteMessages` call."""
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A written message or a command: the core answers it."""
    await _converse(update, context, text=clean_text(update.effective_message.text or ""))  # type: ignore[union-attr]


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tapped inline button: acknowledged (the app stops its spinner) while its payload goes to the core."""
    query = update.callback_query
    assert query is not None
    acknowledging = asyncio.create_task(_acknowledge(query))  # the reply need not wait for Telegram to confirm the tap
    try:
        await _converse(update, context, payload=query.data, text=_label_of(query.message, query.data))
    finally:
        await acknowledging


async def _acknowledge(query: CallbackQuery) -> None:
    """Tell Telegram the tap was received; a failure is logged, never the young person's problem."""
    try:
        await query.answer()
    except TelegramError as exc:  # a redelivered update's query may be too old to answer; the tap still counts
        log.info("could not answer a callback query: %s", exc)


async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared location: safe places near it (the point is used once, never stored)."""
    point = update.effective_message.location  # type: ignore[union-attr]
    assert point is not None
    await _converse(update, context, location=Location(point.latitude, point.longitude))


async def on_attachment(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo, voice message, sticker, file…: a friendly reply; the content is never downloaded."""
    message = update.effective_message
    assert message is not None
    kind = message.effective_attachment.__class__.__name__.lower() if message.effective_attachment else "other"
    await _converse(update, context, attachment=kind)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what broke and, if a young person is waiting for an answer, apologise in their language."""
    log.error("Telegram update failed", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    core: ConversationCore = context.bot_data[CORE_KEY]
    user = update.effective_user
    await send_turn(context.bot, update.effective_chat.id, core.apology(locale_hint=user.language_code if user else None))


async def _converse(update: Update, context: ContextTypes.DEFAULT_TYPE, **message: object) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:  # e.g. a button under a message too old to say which chat it was in
        return
    core: ConversationCore = context.bot_data[CORE_KEY]
    conversation_id = pseudonym(secret=context.bot_data[SECRET_KEY], channel=CHANNEL, user_id=user.id)
    sent: MessageLog = context.bot_data[MESSAGES_KEY]
    if update.effective_message is not None and update.callback_query is None:
        sent.add(conversation_id, [update.effective_message.message_id])
    incoming = Incoming(
        conversation_id, CHANNEL, locale_hint=user.language_code, key=f"{CHANNEL}:{update.update_id}", address=str(chat.id), **message,  # type: ignore[arg-type]
    )
    turn = await core.handle(incoming)
    if turn.erased:
        await _delete_messages(context.bot, chat.id, sent.take(conversation_id))
    context.bot_data[SENDER_KEY].wake()


async def _delete_messages(bot: Bot, chat_id: int, message_ids: list[int]) -> None:
    """Clear the chat after /forget, as far as Telegram still allows; what it refuses stays (the young person can delete it)."""
    for start in range(0, len(message_ids), DELETE_AT_ONCE):
        try:
            await bot.delete_messages(chat_id, message_ids[start:start + DELETE_AT_ONCE])
        except TelegramError as exc:
            log.warning("could not delete messages after /forget: %s", exc)


async def send_turn(bot: Bot, chat_id: int, turn: Turn, *, markdown: bool = True) -> list[int]:
    """Every message of a turn, in order, without link previews, as Markdown (or, for words a person
    typed, as plain text); returns their ids."""
    sent = []
    for message in render_turn(turn):
        reply = await bot.send_message(
            chat_id, message.text, parse_mode=ParseMode.MARKDOWN if markdown else None, reply_markup=message.keyboard, link_preview_options=_NO_PREVIEW,
        )
        sent.append(reply.message_id)
    return sent


def _label_of(message: object, payload: str | None) -> str | None:
    """The label of the tapped button, as the young person saw it (for the transcript)."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return None
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data == payload:
                return button.text
    return None
