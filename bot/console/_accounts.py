"""Counsellor accounts: created, disabled and reset from the command line, passwords hashed with argon2."""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import SupportLineError
from bot.i18n import LANGUAGES
from bot.storage import Counsellor, counsellor_by_username, end_console_sessions

ROLES = ("counsellor", "supervisor", "admin")
_HASHER = PasswordHasher()
_UNKNOWN_USER_HASH = _HASHER.hash(secrets.token_urlsafe(16))
"""Verified against when the username is unknown, so a wrong username takes as long as a wrong password."""


class AccountError(SupportLineError):
    """An account change that cannot be made."""


def new_password() -> str:
    """A random password, shown once to whoever creates or resets the account."""
    return secrets.token_urlsafe(12)


async def add_counsellor(
    session: AsyncSession, *, username: str, display_name: str, languages: list[str], role: str, max_concurrent: int, password: str
) -> Counsellor:
    """Create an account."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    unknown = [language for language in languages if language not in LANGUAGES]
    if unknown or not languages:
        raise AccountError(f"languages must be among {', '.join(LANGUAGES)}")
    if await counsellor_by_username(session, username=username) is not None:
        raise AccountError(f"{username} already exists")
    counsellor = Counsellor(
        username=username, display_name=display_name, languages=languages, role=role, max_concurrent=max_concurrent,
        password_hash=_HASHER.hash(password), active=True,
    )
    session.add(counsellor)
    await session.flush()
    return counsellor


async def disable_counsellor(session: AsyncSession, *, username: str) -> None:
    """Disable an account and end its sessions (its cases stay, for the audit)."""
    counsellor = await _existing(session, username)
    counsellor.active = False
    await end_console_sessions(session, counsellor_id=counsellor.id)


async def reset_password(session: AsyncSession, *, username: str, password: str) -> None:
    """Give an account a new password and end its sessions."""
    counsellor = await _existing(session, username)
    counsellor.password_hash = _HASHER.hash(password)
    await end_console_sessions(session, counsellor_id=counsellor.id)


async def authenticate(session: AsyncSession, *, username: str, password: str) -> Counsellor | None:
    """The active counsellor with these credentials, or None."""
    counsellor = await counsellor_by_username(session, username=username)
    try:
        _HASHER.verify(counsellor.password_hash if counsellor else _UNKNOWN_USER_HASH, password)
    except VerificationError:
        return None
    return counsellor if counsellor is not None and counsellor.active else None


async def _existing(session: AsyncSession, username: str) -> Counsellor:
    counsellor = await counsellor_by_username(session, username=username)
    if counsellor is None:
        raise AccountError(f"no counsellor {username}")
    return counsellor
