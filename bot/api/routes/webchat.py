"""The anonymous web chat: the page at `/` and its WebSocket."""

from typing import Annotated

from fastapi import APIRouter, Header, WebSocket, status
from fastapi.responses import HTMLResponse

from bot.api.deps import CoreDep, EventsDep, QueueWatchDep, SettingsDep, WebChatLimitsDep
from bot.channels.text_clean import clean_accept_language, clean_locale
from bot.channels.web import SECURITY_HEADERS, page_language, render_chat_page, render_privacy_page, serve_web_chat

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def chat_page(core: CoreDep, settings: SettingsDep, accept_language: Annotated[str | None, Header()] = None) -> HTMLResponse:
    """The chat page, in the browser's language."""
    page = render_chat_page(core, accept_language=clean_accept_language(accept_language), quick_exit_url=settings.quick_exit_url)
    return HTMLResponse(page, headers=SECURITY_HEADERS)


@router.get("/privacy", response_class=HTMLResponse)
async def privacy_page(
    core: CoreDep, settings: SettingsDep, lang: str | None = None, accept_language: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    """What the line keeps and for how long, in the chosen or the browser's language."""
    language = page_language(core, chosen=clean_locale(lang), accept_language=clean_accept_language(accept_language))
    return HTMLResponse(render_privacy_page(core, language=language, retention_days=settings.retention_days), headers=SECURITY_HEADERS)


@router.websocket("/chat/socket")
async def chat_socket(websocket: WebSocket, core: CoreDep, settings: SettingsDep, events: EventsDep, queue_watch: QueueWatchDep, limits: WebChatLimitsDep) -> None:
    """One conversation; only pages of this site may open it, and one client address only so many at once."""
    origin, host = websocket.headers.get("origin"), websocket.headers.get("host")
    if origin is not None and origin.split("://", 1)[-1] != host:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return
    address = limits.address_of(websocket)
    if not limits.open_socket(address):
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return
    try:
        await serve_web_chat(websocket, core=core, secret=settings.secret_key, events=events, queue_watch=queue_watch, limits=limits, address=address)
    finally:
        limits.close_socket(address)
