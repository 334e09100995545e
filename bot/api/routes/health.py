"""Is the app alive (`/healthz`), and can it serve young people fully right now (`/readyz`)?"""

import asyncio
import logging

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.api.deps import CoreDep, DatabaseDep
from bot.storage import Database

router = APIRouter()
log = logging.getLogger(__name__)

DATABASE_PING_SECONDS = 3.0
"""A database that has not answered `SELECT 1` by then counts as unavailable (an unreachable host can hang far longer)."""


@router.get("/healthz")
async def healthz(core: CoreDep) -> dict[str, object]:
    """Alive; with the content version served and whether NLU answers (the bot works without it)."""
    return {"status": "ok", "content_version": core.content_version(), "nlu": "ok" if await core.nlu_ready() else "unavailable"}


@router.get("/readyz")
async def readyz(core: CoreDep, database: DatabaseDep) -> JSONResponse:
    """Ready for traffic: the database answers and Rasa answers; 503 naming what is not, otherwise.

    Unlike `/healthz` (liveness: the bot still helps without NLU), this is for a load balancer or
    orchestrator deciding whether to send traffic here."""
    database_ok, nlu_ok = await asyncio.gather(_database_answers(database), core.nlu_ready())
    parts = {"database": "ok" if database_ok else "unavailable", "nlu": "ok" if nlu_ok else "unavailable"}
    ready = database_ok and nlu_ok
    return JSONResponse({"status": "ready" if ready else "not ready", **parts}, status_code=status.HTTP_200_OK if ready else status.HTTP_503_SERVICE_UNAVAILABLE)


async def _database_answers(database: Database) -> bool:
    try:
        async with asyncio.timeout(DATABASE_PING_SECONDS):
            await database.ping()
    except (SQLAlchemyError, TimeoutError) as exc:
        log.warning("readiness: the database did not answer: %r", exc)
        return False
    return True
