"""A turn of the conversation core as Telegram messages: Markdown text within the size limit,
inline keyboards, right-to-left text marked so Telegram lays it out right to left."""

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.channels.text_split import split_text
from bot.conversation import Button, Turn

RIGHT_TO_LEFT_MARK = "\u200f"
"""Telegram picks a message's direction from its first letter; a line that starts with a bullet,
a digit or a Latin link would otherwise be laid out left to right."""


@dataclass(frozen=True)
class OutgoingMessage:
    """One `sendMessage`: text and, on the last part of a reply, its buttons."""

    text: str
    keyboard: InlineKeyboardMarkup | None


def render_turn(turn: Turn) -> list[OutgoingMessage]:
    """Every message to send for `turn`, in order."""
    right_to_left = turn.direction == "rtl"
    messages: list[OutgoingMessage] = []
    for reply in turn.replies:
        text = _mark_right_to_left(reply.text) if right_to_left else reply.text
        parts = split_text(text, limit=MessageLimit.MAX_TEXT_LENGTH - 1)
        if right_to_left:
            parts = [part if part.startswith(RIGHT_TO_LEFT_MARK) else RIGHT_TO_LEFT_MARK + part for part in parts]
        keyboard = inline_keyboard(reply.buttons)
        messages.extend(OutgoingMessage(part, keyboard if index == len(parts) - 1 else None) for index, part in enumerate(parts))
    return messages


def inline_keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """One button per row (labels in some languages are long); None for no buttons."""
    if not buttons:
        return None
    for button in buttons:
        if len(button.payload.encode()) > InlineKeyboardButtonLimit.MAX_CALLBACK_DATA:
            raise ValueError(f"button payload over Telegram's 64-byte callback limit: {button.payload!r}")
    return InlineKeyboardMarkup([[InlineKeyboardButton(button.label, callback_data=button.payload)] for button in buttons])


def _mark_right_to_left(text: str) -> str:
    return "\n".join(RIGHT_TO_LEFT_MARK + line if line else line for line in text.split("\n"))
