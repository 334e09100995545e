"""The anonymous web chat: the page at `/` and its WebSocket."""

from typing import Annotated

from fastapi import APIRouter, Header, WebSocket, status
from fastapi.responses import HTMLResponse

from bot.api.deps import CoreDep, EventsDep, SettingsDep
from bot.channels.web import SECURITY_HEADERS, render_chat_page, serve_web_chat

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def chat_page(core: CoreDep, settings: SettingsDep, accept_language: Annotated[str | None, Header()] = None) -> HTMLResponse:
    """The chat page, in the browser's language."""
    page = render_chat_page(core, accept_language=accept_language, quick_exit_url=settings.quick_exit_url)
    return HTMLResponse(page, headers=SECURITY_HEADERS)


@router.websocket("/chat/socket")
async def chat_socket(websocket: WebSocket, core: CoreDep, settings: SettingsDep, events: EventsDep) -> None:
    """One conversation; only pages of this site may open it."""
    origin, host = websocket.headers.get("origin"), websocket.headers.get("host")
    if origin is not None and origin.split("://", 1)[-1] != host:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return
    await serve_web_chat(websocket, core=core, secret=settings.secret_key, events=events)
