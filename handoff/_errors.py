"""What can go wrong with a handoff."""

from bot.core.errors import SupportLineError


class HandoffError(SupportLineError):
    """A handoff action that cannot be done."""


class AlreadyClaimed(HandoffError):
    """Someone else took the conversation first (or it is no longer waiting)."""


class AtCapacity(HandoffError):
    """The counsellor already has as many conversations as they may."""


class InvalidTransition(HandoffError):
    """The request is not in a state that allows this move."""


class NotYours(HandoffError):
    """The conversation is with another counsellor."""
