"""Telegram through python-telegram-bot: polling for development, a webhook in production."""

from bot.channels.telegram._application import build_application
from bot.channels.telegram._channel import TelegramChannel, telegram_channel
from bot.channels.telegram._screening import UPDATE_SCHEMA, Sender, parse_update, sender_of, sounds_like_crisis, tell_to_slow_down

__all__ = [
    "UPDATE_SCHEMA", "Sender", "TelegramChannel", "build_application", "parse_update", "sender_of", "sounds_like_crisis", "tell_to_slow_down",
    "telegram_channel",
]
