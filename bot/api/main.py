"""The app's composition root: settings in, a FastAPI app with every route out."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.api.routes import health
from bot.core.config import Settings
from bot.runtime import conversation_core


def create_app(settings: Settings) -> FastAPI:
    """The FastAPI app around one conversation core."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with conversation_core(settings) as core:
            app.state.core = core
            yield

    app = FastAPI(title="Support line", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.include_router(health.router)
    return app
