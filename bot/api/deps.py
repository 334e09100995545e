"""Dependencies of the routes (HTTP and WebSocket alike), as `Annotated` aliases."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request
from starlette.requests import HTTPConnection
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram import TelegramChannel
from bot.console import SESSION_COOKIE, Login, LoginThrottle, csrf_ok, current_login
from bot.conversation import ConversationCore
from bot.core.config import Settings
from bot.events import EventBus
from bot.storage import Database


def _core(connection: HTTPConnection) -> ConversationCore:
    core: ConversationCore = connection.app.state.core
    return core


def _settings(connection: HTTPConnection) -> Settings:
    settings: Settings = connection.app.state.settings
    return settings


def _events(connection: HTTPConnection) -> EventBus:
    events: EventBus = connection.app.state.events
    return events


def _database(connection: HTTPConnection) -> Database:
    database: Database = connection.app.state.database
    return database


def _telegram(request: Request) -> TelegramChannel:
    telegram: TelegramChannel | None = request.app.state.telegram
    if telegram is None:
        raise HTTPException(status_code=404)
    return telegram


CoreDep = Annotated[ConversationCore, Depends(_core)]
SettingsDep = Annotated[Settings, Depends(_settings)]
EventsDep = Annotated[EventBus, Depends(_events)]
TelegramDep = Annotated[TelegramChannel, Depends(_telegram)]
DatabaseDep = Annotated[Database, Depends(_database)]


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


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


ThrottleDep = Annotated[LoginThrottle, Depends(_throttle)]
