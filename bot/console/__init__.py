"""The counsellor console: accounts, logins and the pages counsellors work in."""

from pathlib import Path

from bot.console._accounts import ROLES, AccountError, add_counsellor, authenticate, disable_counsellor, new_password, reset_password
from bot.console._pages import SECURITY_HEADERS, console_language, render
from bot.console._sessions import SESSION_COOKIE, Login, LoginThrottle, csrf_ok, current_login, end_session, start_session

STATIC_DIR = Path(__file__).parent / "static"

__all__ = [
    "STATIC_DIR",
    "ROLES", "SECURITY_HEADERS", "SESSION_COOKIE", "AccountError", "Login", "LoginThrottle", "add_counsellor", "authenticate",
    "console_language", "csrf_ok", "current_login", "disable_counsellor", "end_session", "new_password", "render", "reset_password", "start_session",
]
