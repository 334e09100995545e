"""Dependencies of the routes (HTTP and WebSocket alike), as `Annotated` aliases."""

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Request
from starlette.requests import HTTPConnection
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.rate_limit import WebChatLimits, WebhookLimits
from bot.channels.telegram import TelegramChannel
from bot.channels.web import QueueWatch
from bot.console import SESSION_COOKIE, Login, LoginThrottle, csrf_ok, current_login
from bot.conversation import ConversationCore
from bot.core.config import Settings
from bot.events import EventBus
from bot.storage import Database


def _app_state(name: str) -> Callable[[HTTPConnection], Any]:
    """A dependency that hands out what the app keeps in `app.state.<name>` (set at start-up, in `create_app`)."""

    def from_state(connection: HTTPConnection) -> Any:
        return getattr(connection.app.state, name)

    return from_state


def _telegram(request: Request) -> TelegramChannel:
    telegram: TelegramChannel | None = request.app.state.telegram
    if telegram is None:
        raise HTTPException(status_code=404)
    return telegram


CoreDep = Annotated[ConversationCore, Depends(_app_state("core"))]
SettingsDep = Annotated[Settings, Depends(_app_state("settings"))]
EventsDep = Annotated[EventBus, Depends(_app_state("events"))]
QueueWatchDep = Annotated[QueueWatch, Depends(_app_state("queue_watch"))]
TelegramDep = Annotated[TelegramChannel, Depends(_telegram)]
DatabaseDep = Annotated[Database, Depends(_app_state("database"))]


async def _session(database: DatabaseDep) -> AsyncIterator[AsyncSession]:
    async with database.session() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(_session)]


async def _page_login(request: Request, session: SessionDep) -> Login:
    """The signed-in counsellor of a page request; otherwise to the login page."""
    login = await current_login(session, token=request.cookies.get(SESSION_COOKIE))
    if login is None:
        raise HTTPException(status_code=303, headers={"Location": "/console/login"})
    await session.commit()
    return login


async def _action_login(request: Request, session: SessionDep, csrf_token: Annotated[str | None, Form()] = None) -> Login:
    """The signed-in counsellor of a state-changing request, which must carry the session's CSRF token."""
    login = await current_login(session, token=request.cookies.get(SESSION_COOKIE))
    if login is None:
        raise HTTPException(status_code=401)
    if not csrf_ok(login, csrf_token):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong")
    return login


PageLoginDep = Annotated[Login, Depends(_page_login)]
ActionLoginDep = Annotated[Login, Depends(_action_login)]


async def _supervisor_login(login: PageLoginDep) -> Login:
    """The signed-in supervisor or administrator of a page request; 403 for a counsellor."""
    if not login.supervising:
        raise HTTPException(status_code=403, detail="for supervisors")
    return login


SupervisorLoginDep = Annotated[Login, Depends(_supervisor_login)]


ThrottleDep = Annotated[LoginThrottle, Depends(_app_state("login_throttle"))]


WebChatLimitsDep = Annotated[WebChatLimits, Depends(_app_state("web_chat_limits"))]
WebhookLimitsDep = Annotated[WebhookLimits, Depends(_app_state("webhook_limits"))]
