"""Storage: the only module that knows tables and SQL. SQLite by default, PostgreSQL in production."""

from bot.storage._conversations import erase_conversation, get_or_create_conversation
from bot.storage._database import Database, async_url
from bot.storage._handoffs import add_handoff_request, open_handoff_request
from bot.storage._models import Base, Conversation, HandoffRequest

__all__ = [
    "Base", "Conversation", "Database", "HandoffRequest", "add_handoff_request", "async_url",
    "erase_conversation", "get_or_create_conversation", "open_handoff_request",
]
