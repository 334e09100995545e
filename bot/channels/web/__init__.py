"""The anonymous web chat: one page, one WebSocket, no account, nothing third-party."""

from pathlib import Path

from bot.channels.web._page import SECURITY_HEADERS, page_language, render_chat_page, render_privacy_page
from bot.channels.web._queue_watch import QueueWatch
from bot.channels.web._socket import serve_web_chat

STATIC_DIR = Path(__file__).parent / "static"

__all__ = ["QueueWatch", "SECURITY_HEADERS", "STATIC_DIR", "page_language", "render_chat_page", "render_privacy_page", "serve_web_chat"]
