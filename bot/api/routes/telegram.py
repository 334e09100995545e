"""Telegram's webhook: updates in, only with the secret header Telegram was given, within size and rate limits."""

import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Header, HTTPException, Request, Response, status

from bot.api.deps import WebhookLimitsDep, CoreDep, SettingsDep, TelegramDep
from bot.channels.errors import MalformedUpdate, WebhookRefused
from bot.channels.telegram import UPDATE_SCHEMA, parse_update, sender_of, sounds_like_crisis, tell_to_slow_down

log = logging.getLogger(__name__)

router = APIRouter()

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@router.post(
    "/telegram/webhook",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": UPDATE_SCHEMA}}}},
    responses={
        400: {"description": "Not a Telegram update"}, 403: {"description": "Without the right secret"},
        413: {"description": "Body over the size limit"}, 429: {"description": "Too many requests without the right secret"},
    },
)
async def telegram_webhook(
    request: Request,
    telegram: TelegramDep,
    core: CoreDep,
    settings: SettingsDep,
    limits: WebhookLimitsDep,
    background: BackgroundTasks,
    secret_token: Annotated[str | None, Header(alias=SECRET_HEADER)] = None,
) -> Response:
    """Hand one update to the bot (200 once it is handled). 403 without the right secret (429 after too many such requests
    from one address), before a byte of the body is read; 413 for a body over the size limit; 400 for
    a body that is no update. Over a user's rate limit the update is acknowledged but not handled,
    and the young person is told to slow down — unless the crisis safety net hears a crisis in it."""
    if not telegram.secret_matches(secret_token):
        if limits.allow_refusal(limits.address_of(request)):
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)
        raise HTTPException(status_code=status.HTTP_429_TOO_MANY_REQUESTS)
    try:
        update = parse_update(await _read_body(request, limits.max_body_bytes))
    except MalformedUpdate as exc:
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST) from exc
    sender = sender_of(update)
    if sender is not None and not limits.allow_update(sender.user_id) and not (sounds_like_crisis(core, update) and limits.allow_crisis(sender.user_id)):
        if sender.chat_id is not None and limits.allow_notice(sender.user_id):
            background.add_task(tell_to_slow_down, telegram.application.bot, core, secret=settings.secret_key, sender=sender)
        return Response(status_code=status.HTTP_200_OK)
    try:
        await telegram.accept_webhook(secret_token=secret_token, update=update)
    except WebhookRefused as exc:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN) from exc
    except MalformedUpdate as exc:
        log.warning("malformed Telegram update refused (%s)", type(exc).__name__)
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST) from exc
    return Response(status_code=status.HTTP_200_OK)


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, if it is at most `limit` bytes; 413 as soon as it is known to be longer."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(status_code=status.HTTP_413_CONTENT_TOO_LARGE)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(status_code=status.HTTP_413_CONTENT_TOO_LARGE)
        chunks.append(chunk)
    return b"".join(chunks)


