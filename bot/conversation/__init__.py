"""The channel-agnostic conversation core: channels hand it an `Incoming`, it hands back a `Turn`."""

from bot.conversation._core import MAX_TEXT_CHARS, ConversationCore
from bot.conversation._outbox import Outbox, Outgoing
from bot.conversation._payloads import topic_payload
from bot.conversation._types import Button, Incoming, Location, Reply, Transcript, TranscriptEntry, Turn
from bot.conversation._understanding import Understander, Understanding

__all__ = ["MAX_TEXT_CHARS", "Button", "ConversationCore", "Incoming", "Location", "Outbox", "Outgoing", "Reply", "Transcript", "TranscriptEntry", "Turn", "Understander", "Understanding", "topic_payload"]
