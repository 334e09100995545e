"""What goes wrong at a channel's edge."""

from bot.core.errors import SupportLineError


class ChannelError(SupportLineError):
    """A channel could not start or deliver."""


class WebhookRefused(ChannelError):
    """A webhook request without the right secret: nothing of it is processed."""


class MalformedUpdate(ChannelError):
    """A webhook request whose body is not an update."""
