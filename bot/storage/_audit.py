"""The audit log: append only."""

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage._models import AuditEntry


def add_audit(
    session: AsyncSession, *, counsellor_id: int | None, action: str, request_id: int | None = None, conversation_id: str | None = None, detail: str | None = None
) -> None:
    """Record one action (written with the session's commit, so a rolled-back action leaves no entry)."""
    session.add(AuditEntry(counsellor_id=counsellor_id, action=action, request_id=request_id, conversation_id=conversation_id, detail=detail))
