"""Counsellor accounts and their console sessions."""

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage._models import ConsoleSession, Counsellor


async def counsellor_by_username(session: AsyncSession, *, username: str) -> Counsellor | None:
    """The account with this username, active or not."""
    return await session.scalar(select(Counsellor).where(Counsellor.username == username))


async def counsellor_count(session: AsyncSession) -> int:
    """How many accounts exist (none on a fresh install)."""
    return int(await session.scalar(select(func.count()).select_from(Counsellor)) or 0)


async def active_counsellors(session: AsyncSession) -> list[Counsellor]:
    """Every active account, by name."""
    return list(await session.scalars(select(Counsellor).where(Counsellor.active.is_(True)).order_by(Counsellor.display_name)))


async def add_console_session(session: AsyncSession, *, token_hash: str, counsellor_id: int, csrf_token: str, expires_at: datetime) -> None:
    """Remember a login."""
    session.add(ConsoleSession(token_hash=token_hash, counsellor_id=counsellor_id, csrf_token=csrf_token, expires_at=expires_at))
    await session.flush()


async def console_session(session: AsyncSession, *, token_hash: str, now: datetime) -> tuple[ConsoleSession, Counsellor] | None:
    """The unexpired login with this token hash and its active counsellor."""
    row = (await session.execute(
        select(ConsoleSession, Counsellor)
        .join(Counsellor, Counsellor.id == ConsoleSession.counsellor_id)
        .where(ConsoleSession.token_hash == token_hash, ConsoleSession.expires_at > now, Counsellor.active.is_(True))
    )).first()
    return (row[0], row[1]) if row else None


async def end_console_sessions(session: AsyncSession, *, token_hash: str | None = None, counsellor_id: int | None = None) -> None:
    """Log out one session, or every session of a counsellor (when disabled or their password is reset)."""
    query = delete(ConsoleSession)
    query = query.where(ConsoleSession.token_hash == token_hash) if token_hash else query.where(ConsoleSession.counsellor_id == counsellor_id)
    await session.execute(query)
