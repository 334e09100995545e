"""Telegram's webhook: updates in, only with the secret header Telegram was given."""

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, Response, status

from bot.api.deps import TelegramDep
from bot.channels.errors import MalformedUpdate, WebhookRefused

router = APIRouter()


@router.post("/telegram/webhook", include_in_schema=False)
async def telegram_webhook(
    request: Request,
    telegram: TelegramDep,
    secret_token: Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = None,
) -> Response:
    """Queue the update for the bot; 403 without the right secret, 400 for a body that is no update."""
    try:
        await telegram.accept_webhook(secret_token=secret_token, body=await request.body())
    except WebhookRefused as exc:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN) from exc
    except MalformedUpdate as exc:
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST) from exc
    return Response(status_code=status.HTTP_200_OK)
