"""The app's composition root: settings in, a FastAPI app with every route and channel out."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response, status
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles

from bot.api.routes import console, health, telegram, webchat
from bot.channels.telegram import telegram_channel
from bot.channels.web import STATIC_DIR
from bot.console import STATIC_DIR as CONSOLE_STATIC_DIR
from bot.console import LoginThrottle
from bot.console._cases import CaseNotFound
from bot.core.config import Settings
from bot.events import EventBus
from handoff import InvalidTransition, NotYours
from bot.runtime import conversation_core, open_database


def create_app(settings: Settings) -> FastAPI:
    """The FastAPI app around one conversation core: the web chat, Telegram (when configured), health."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        events = EventBus()
        async with (
            open_database(settings) as database,
            conversation_core(settings, database=database, events=events) as core,
            telegram_channel(settings, core, events) as channel,
        ):
            app.state.database, app.state.core, app.state.telegram, app.state.events = database, core, channel, events
            yield

    app = FastAPI(title="Support line", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings, app.state.login_throttle = settings, LoginThrottle()
    app.include_router(health.router)
    app.include_router(webchat.router)
    app.include_router(telegram.router)
    app.include_router(console.router)
    app.mount("/static/chat", StaticFiles(directory=STATIC_DIR), name="chat-static")
    app.mount("/static/console", StaticFiles(directory=CONSOLE_STATIC_DIR), name="console-static")
    app.add_exception_handler(NotYours, _refuse(status.HTTP_403_FORBIDDEN))
    app.add_exception_handler(CaseNotFound, _refuse(status.HTTP_404_NOT_FOUND))
    app.add_exception_handler(InvalidTransition, _refuse(status.HTTP_409_CONFLICT))
    return app


def _refuse(status_code: int) -> Callable[[Request, Exception], Awaitable[Response]]:
    """A handoff rule broken by a request: a plain status, nothing about the case revealed."""

    async def handler(_: Request, exc: Exception) -> Response:
        return PlainTextResponse(type(exc).__name__, status_code=status_code)

    return handler
