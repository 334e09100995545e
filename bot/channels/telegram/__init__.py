"""Telegram through python-telegram-bot: polling for development, a webhook in production."""

from bot.channels.telegram._application import build_application
from bot.channels.telegram._channel import TelegramChannel, telegram_channel

__all__ = ["TelegramChannel", "build_application", "telegram_channel"]
