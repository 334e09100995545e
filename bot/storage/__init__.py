"""Storage: the only module that knows tables and SQL. SQLite by default, PostgreSQL in production."""

from bot.storage._audit import add_audit
from bot.storage._counsellors import (
    active_counsellors, add_console_session, console_session, counsellor_by_username, counsellor_count, end_console_sessions,
)
from bot.storage._conversations import conversations_by_id, erase_conversation, get_or_create_conversation
from bot.storage._database import Database, async_url
from bot.storage._handoffs import (
    add_handoff_request, assigned_count, case_notes, open_requests, claim_request, mark_wait_told, move_request, next_claimable_id, online_counsellors, open_handoff_request,
    QueueEntry, queue_entries, queue_position, recent_waits, waiting_conversation_ids, waiting_count, waiting_requests, waiting_summary,
)
from bot.storage._encryption import FERNET_PREFIX, Keyring, UnreadableText
from bot.storage._errors import StorageError
from bot.storage._stats import WAIT_BUCKETS, Metric, Tally, count_weekly, iso_week, weekly_counts
from bot.storage._upkeep import Purged, purge_expired, reencrypt_texts
from bot.storage._outbox import (
    add_to_outbox, lease_due_heads, lease_next_of_conversation, mark_handled, outbox_backlog, outbox_contents, remove_from_outbox, retry_outbox_message,
)
from bot.storage._messages import add_message, latest_messages, message_text, topic_trail, topic_trails
from bot.storage._models import utcnow
from bot.storage._models import AuditEntry, Base, CaseNote, ConsoleSession, Conversation, Counsellor, HandledInput, HandoffRequest, Message, OutboxMessage, WeeklyCount

__all__ = [
    "AuditEntry", "CaseNote", "case_notes", "open_requests", "active_counsellors", "add_console_session", "console_session", "counsellor_by_username", "counsellor_count", "end_console_sessions", "add_audit", "utcnow", "ConsoleSession", "Counsellor", "assigned_count", "claim_request", "mark_wait_told", "move_request", "next_claimable_id", "online_counsellors", "QueueEntry", "queue_entries", "waiting_conversation_ids", "queue_position", "recent_waits", "waiting_count", "waiting_summary", "waiting_requests",
    "HandledInput", "OutboxMessage", "add_to_outbox", "lease_due_heads", "lease_next_of_conversation", "mark_handled", "outbox_backlog", "outbox_contents",
    "remove_from_outbox", "retry_outbox_message",
    "FERNET_PREFIX", "Keyring", "Purged", "StorageError", "UnreadableText", "purge_expired", "reencrypt_texts",
    "Base", "Conversation", "Database", "HandoffRequest", "Message", "add_handoff_request", "add_message", "async_url",
    "erase_conversation", "get_or_create_conversation", "latest_messages", "message_text", "topic_trail", "topic_trails", "conversations_by_id", "open_handoff_request",
    "WAIT_BUCKETS", "Metric", "Tally", "WeeklyCount", "count_weekly", "iso_week", "weekly_counts",
]
