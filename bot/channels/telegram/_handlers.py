"""The Telegram handlers: each turns one kind of update into an `Incoming` for the core and sends
its turn back. Only private chats are served: a young person is never exposed in a group."""

import logging

from telegram import Bot, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.channels.identity import pseudonym
from bot.channels.telegram._render import render_turn
from bot.conversation import ConversationCore, Incoming, Location, Turn

log = logging.getLogger(__name__)

CHANNEL = "telegram"
CORE_KEY = "core"
SECRET_KEY = "secret"
CHATS_KEY = "chats"
"""Conversation id -> Telegram chat id, in this process's memory only (never stored), so a
counsellor's messages can be delivered to young people who wrote since the process started."""
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A written message or a command: the core answers it."""
    await _converse(update, context, text=update.effective_message.text)  # type: ignore[union-attr]


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tapped inline button: acknowledged at once, then its payload goes to the core."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await _converse(update, context, payload=query.data, text=_label_of(query.message, query.data))


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
    await _send(context, update.effective_chat.id, core.apology(locale_hint=user.language_code if user else None))


async def _converse(update: Update, context: ContextTypes.DEFAULT_TYPE, **message: object) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    core: ConversationCore = context.bot_data[CORE_KEY]
    conversation_id = pseudonym(secret=context.bot_data[SECRET_KEY], channel=CHANNEL, user_id=user.id)
    context.bot_data[CHATS_KEY][conversation_id] = chat.id
    turn = await core.handle(Incoming(conversation_id, CHANNEL, locale_hint=user.language_code, **message))  # type: ignore[arg-type]
    await _send(context, chat.id, turn)


async def _send(context: ContextTypes.DEFAULT_TYPE, chat_id: int, turn: Turn) -> None:
    await send_turn(context.bot, chat_id, turn)


async def send_turn(bot: Bot, chat_id: int, turn: Turn) -> None:
    """Every message of a turn, in order, as Markdown without link previews."""
    for message in render_turn(turn):
        await bot.send_message(chat_id, message.text, parse_mode=ParseMode.MARKDOWN, reply_markup=message.keyboard, link_preview_options=_NO_PREVIEW)


def _label_of(message: object, payload: str | None) -> str | None:
    """The label of the tapped button, as the young person saw it (for the transcript)."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return None
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data == payload:
                return button.text
    return None
