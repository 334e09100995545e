"""The app's composition root: settings in, a FastAPI app with every route and channel out."""

import asyncio
import logging

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI, Request, Response, status
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles

from bot.channels.rate_limit import Rate, WebChatLimits, WebhookLimits
from bot.api.routes import console, health, metrics, telegram, webchat
from bot.channels.telegram import telegram_channel
from bot.channels.web import STATIC_DIR, QueueWatch
from bot.console import STATIC_DIR as CONSOLE_STATIC_DIR
from bot.console import LoginThrottle
from bot.console._cases import CaseNotFound
from bot.core.config import Settings, get_settings
from bot.core.logs import configure_logging
from bot.events import open_event_bus
from handoff import InvalidTransition, NotYours
from bot.runtime import conversation_core, open_database
from bot.upkeep import purge_periodically


def create_app(settings: Settings) -> FastAPI:
    """The FastAPI app around one conversation core: the web chat, Telegram (when configured), health, metrics."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            open_database(settings) as database,
            open_event_bus(settings, database) as events,  # LISTEN/NOTIFY on PostgreSQL: shared by every worker
            conversation_core(settings, database=database, events=events) as core,
            telegram_channel(settings, core, events) as channel,
        ):
            app.state.database, app.state.core, app.state.telegram, app.state.events = database, core, channel, events
            app.state.queue_watch = QueueWatch(core)
            purging = asyncio.create_task(purge_periodically(database, settings))
            try:
                yield
            finally:
                purging.cancel()
                with suppress(asyncio.CancelledError):
                    await purging  # finished before the database closes under it

    app = FastAPI(title="Support line", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings, app.state.login_throttle = settings, LoginThrottle()
    window = settings.rate_limit_window_seconds
    app.state.web_chat_limits = WebChatLimits(
        messages=Rate(settings.rate_limit_messages, window), address_messages=Rate(settings.rate_limit_address_messages, window),
        sockets_per_address=settings.web_chat_sockets_per_address, trusted_proxies=settings.trusted_proxies,
    )
    app.state.webhook_limits = WebhookLimits(
        updates=Rate(settings.rate_limit_messages, window), max_body_bytes=settings.telegram_webhook_max_bytes, trusted_proxies=settings.trusted_proxies,
    )
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(webchat.router)
    app.include_router(telegram.router)
    app.include_router(console.router)
    app.mount("/static/chat", StaticFiles(directory=STATIC_DIR), name="chat-static")
    app.mount("/static/console", StaticFiles(directory=CONSOLE_STATIC_DIR), name="console-static")
    app.add_exception_handler(NotYours, _refuse(status.HTTP_403_FORBIDDEN))
    app.add_exception_handler(CaseNotFound, _refuse(status.HTTP_404_NOT_FOUND))
    app.add_exception_handler(InvalidTransition, _refuse(status.HTTP_409_CONFLICT))
    return app


def app_from_environment() -> FastAPI:
    """The app for `uvicorn --factory bot.api.main:app_from_environment` (production, several workers;
    see docs/deployment.md): settings from the environment, logs through the scrubbing formatter."""
    settings = get_settings()
    configure_logging(logging.getLevelNamesMapping()[settings.log_level])
    return create_app(settings)


def _refuse(status_code: int) -> Callable[[Request, Exception], Awaitable[Response]]:
    """A handoff rule broken by a request: a plain status, nothing about the case revealed."""

    async def handler(_: Request, exc: Exception) -> Response:
        return PlainTextResponse(type(exc).__name__, status_code=status_code)

    return handler
