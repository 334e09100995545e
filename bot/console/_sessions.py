"""Console logins: a random token in an HttpOnly, SameSite=Strict cookie (only its hash is stored),
a CSRF token per session, and a limit on failed logins."""

import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import Counsellor, add_console_session, console_session, end_console_sessions, utcnow
from handoff import SUPERVISING_ROLES

SESSION_COOKIE = "console_session"
SESSION_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class Login:
    """A signed-in counsellor and the CSRF token their forms must carry."""

    counsellor: Counsellor
    csrf_token: str

    @property
    def supervising(self) -> bool:
        """Whether they see everyone's work: every active conversation, the load, the statistics."""
        return self.counsellor.role in SUPERVISING_ROLES


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(session: AsyncSession, *, counsellor: Counsellor) -> str:
    """A new login; returns the cookie's token."""
    token = secrets.token_urlsafe(32)
    await add_console_session(session, token_hash=_hash(token), counsellor_id=counsellor.id, csrf_token=secrets.token_urlsafe(32), expires_at=utcnow() + SESSION_LIFETIME)
    counsellor.last_seen_at = utcnow()
    return token


async def current_login(session: AsyncSession, *, token: str | None) -> Login | None:
    """The login behind a cookie (and a sign of life for "counsellors online"), or None."""
    if not token:
        return None
    found = await console_session(session, token_hash=_hash(token), now=utcnow())
    if found is None:
        return None
    login_session, counsellor = found
    counsellor.last_seen_at = utcnow()
    return Login(counsellor, login_session.csrf_token)


def csrf_ok(login: Login, submitted: str | None) -> bool:
    """Whether a state-changing request carries the session's CSRF token."""
    return submitted is not None and hmac.compare_digest(submitted.encode(), login.csrf_token.encode())


async def end_session(session: AsyncSession, *, token: str) -> None:
    """Log out."""
    await end_console_sessions(session, token_hash=_hash(token))


class LoginThrottle:
    """At most `attempts` failed logins per username and per client address in `window_seconds`.

    Kept in the worker's memory: with several workers the limit applies per worker."""

    def __init__(self, *, attempts: int = 5, window_seconds: float = 300) -> None:
        self._attempts, self._window = attempts, window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def allowed(self, *keys: str) -> bool:
        """Whether another attempt may be made for every key."""
        return all(len(self._recent(key)) < self._attempts for key in keys)

    def failed(self, *keys: str) -> None:
        """Count a failed attempt against every key."""
        for key in keys:
            self._recent(key).append(time.monotonic())

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] < time.monotonic() - self._window:
            failures.popleft()
        return failures


