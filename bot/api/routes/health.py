"""Is the app alive, and can it understand free text right now?"""

from fastapi import APIRouter

from bot.api.deps import CoreDep

router = APIRouter()


@router.get("/healthz")
async def healthz(core: CoreDep) -> dict[str, object]:
    """Alive; with the content version served and whether NLU answers (the bot works without it)."""
    return {"status": "ok", "content_version": core.content_version(), "nlu": "ok" if await core.nlu_ready() else "unavailable"}
