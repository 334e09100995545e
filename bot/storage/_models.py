"""The tables, as SQLAlchemy 2 typed models. Only pseudonymous keys, never a raw channel id."""

from datetime import datetime, timezone

from sqlalchemy import JSON, DateTime, Dialect, ForeignKey, Index, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.storage._encryption import EncryptedText


def utcnow() -> datetime:
    """Now, timezone-aware, for timestamps."""
    return datetime.now(timezone.utc)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that always reads back timezone-aware in UTC: PostgreSQL keeps the zone, SQLite
    returns naive values (everything is written in UTC), so callers never special-case either."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC to a naive value read back from SQLite."""
        return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Conversation(Base):
    """One young person's conversation, known only by a pseudonymous key."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    language_chosen: Mapped[bool] = mapped_column(default=False)
    last_topic: Mapped[str | None] = mapped_column(String(64))
    awaiting: Mapped[str | None] = mapped_column(String(16))
    detected_language: Mapped[str | None] = mapped_column(String(8))
    """The other language the last messages were written in (to offer a switch, never to switch)."""
    detected_streak: Mapped[int] = mapped_column(default=0, server_default="0")
    handoff_state: Mapped[str] = mapped_column(String(16), default="bot")
    address: Mapped[str | None] = mapped_column(EncryptedText())
    """Where the channel delivers to (a Telegram chat id), encrypted; lets a counsellor's message reach
    the young person after a restart. Erased with the conversation."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    handoff_requests: Mapped[list["HandoffRequest"]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", passive_deletes=True
    )
    messages: Mapped[list["Message"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class Message(Base):
    """One message of a conversation's transcript: what the young person wrote or tapped, and every reply.

    A shared location or an attachment is recorded only as its kind, never its content.
    """

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_id_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    sender: Mapped[str] = mapped_column(String(16))
    """`young_person`, `bot` or `counsellor`."""
    kind: Mapped[str] = mapped_column(String(16))
    """`text`, `button`, `location` or `attachment`."""
    text: Mapped[str | None] = mapped_column(EncryptedText())
    buttons: Mapped[list[list[str]] | None] = mapped_column(JSON)
    """A reply's buttons as `[label, payload]` pairs."""
    topic: Mapped[str | None] = mapped_column(String(64))
    """The topic a bot reply answered (the counsellor sees the trail of topics)."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class HandoffRequest(Base):
    """A young person's request to reach a human counsellor."""

    __tablename__ = "handoff_requests"
    __table_args__ = (Index("ix_handoff_requests_state_priority", "state", "priority", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    priority: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    """`queued` -> `assigned` -> (`transferred` -> `assigned`)* -> `returned` (to the bot) | `closed`."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("counsellors.id"), index=True)
    """Who has it (assigned), or who it is being transferred to (transferred)."""
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    outcome: Mapped[str | None] = mapped_column(String(32))
    wrap_up_topic: Mapped[str | None] = mapped_column(String(64))
    risk_checklist: Mapped[list[str] | None] = mapped_column(JSON)
    """Ids of the checklist items ticked at wrap-up (content/risk_checklist.yml)."""
    told_wait: Mapped[str | None] = mapped_column(String(32))
    """The wait status the young person was last told (`WaitStatus.summary`), so each change is told once."""

    conversation: Mapped[Conversation] = relationship(back_populates="handoff_requests")
    counsellor: Mapped["Counsellor | None"] = relationship()


class OutboxMessage(Base):
    """A message on its way to a young person through a channel that can fail (Telegram): kept until
    the channel confirms it, retried with back-off, sent in order per conversation. Not tied to the
    conversation row, so the reply to /forget still goes out after the conversation is erased."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_conversation_id_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(EncryptedText())
    body: Mapped[str] = mapped_column(EncryptedText())
    """The message as JSON: text, buttons, language, direction."""
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    """Not before then: after a failure, or while one worker is sending it (a lease)."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class HandledInput(Base):
    """A channel's delivery id already answered (`telegram:<update_id>`): a redelivered update is not answered twice."""

    __tablename__ = "handled_inputs"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


class Counsellor(Base):
    """A volunteer or staff member who answers young people in the console."""

    __tablename__ = "counsellors"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    languages: Mapped[list[str]] = mapped_column(JSON)
    role: Mapped[str] = mapped_column(String(16))
    """`counsellor`, `supervisor` or `admin`."""
    max_concurrent: Mapped[int] = mapped_column(default=3)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CaseNote(Base):
    """A counsellor's note on a case; `flagged` when it looks like it holds a phone or personal identity number."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("handoff_requests.id", ondelete="CASCADE"), index=True)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("counsellors.id"))
    text: Mapped[str] = mapped_column(EncryptedText())
    flagged: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AuditEntry(Base):
    """Who did what to which case, and every opening of a transcript. Kept when a conversation is erased."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("counsellors.id"))
    action: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[int | None] = mapped_column()
    conversation_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(200))


class ConsoleSession(Base):
    """A counsellor's login: only a hash of the cookie's token is kept, with the CSRF token of the session."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("counsellors.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WeeklyCount(Base):
    """One anonymous counter: how often `metric` happened in an ISO week, for one combination of a few
    dimensions (an empty string where a dimension does not apply). Nothing here names a conversation or
    a person, so these rows outlive the transcripts they were counted from."""

    __tablename__ = "weekly_counts"

    iso_week: Mapped[str] = mapped_column(String(8), primary_key=True)
    """`2026-W48`: weeks run Monday to Sunday, Swedish time."""
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    topic: Mapped[str] = mapped_column(String(64), primary_key=True)
    region: Mapped[str] = mapped_column(String(64), primary_key=True)
    """A city of the content (`content/cities.yml`), from a question about safe places that named it."""
    wait: Mapped[str] = mapped_column(String(8), primary_key=True)
    """How long a young person waited for a counsellor, only as a bucket (`WAIT_BUCKETS`)."""
    count: Mapped[int] = mapped_column(default=0)
