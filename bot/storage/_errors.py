"""The storage package's exceptions."""

from bot.core.errors import SupportLineError


class StorageError(SupportLineError):
    """Storage cannot do what was asked (misconfigured keys, unreadable data)."""
