"""A loopback HTTP server that answers like Telegram's Bot API and records every request.

The bot under test talks to it through python-telegram-bot's own HTTP code, exactly as it would
talk to api.telegram.org (TELEGRAM_API_BASE_URL). Tests feed updates in (by `getUpdates`, or by
posting to the app's webhook) and assert on the Bot API calls that come out.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import itertools
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.support.servers import free_port, serving

BOT_USER = {"id": 7000001, "is_bot": True, "first_name": "Support line", "username": "supportline_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass
class ApiCall:
    """One request the bot made: its method and its parameters (JSON-decoded where Telegram expects JSON)."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    result: Any = None
    """What the stand-in answered (None for a scripted failure)."""


@dataclass
class BotApiStandIn:
    """The stand-in's state: calls made, updates waiting to be fetched, scripted failures."""

    token: str
    base_url: str = ""
    """Where it listens, once served (what TELEGRAM_API_BASE_URL is set to)."""
    calls: list[ApiCall] = field(default_factory=list)
    pending_updates: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]
    failure_rate: float = 0.0
    """The share of calls answered with a random 429 or 500, like a Bot API having a bad day."""
    _chance: random.Random = field(default_factory=lambda: random.Random(20261125))

    def app(self) -> FastAPI:
        """The HTTP side: `/bot<token>/<method>`, like api.telegram.org."""
        app = FastAPI()

        @app.post("/bot{token}/{method}")
        async def call(token: str, method: str, request: Request) -> JSONResponse:
            if token != self.token:
                return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
            params = await _params(request)
            call = ApiCall(method, params)
            self.calls.append(call)
            if self.failures.get(method) or self._chance.random() < self.failure_rate:
                self._notify()
                status, body = self.failures[method].pop(0) if self.failures.get(method) else self._random_failure()
                return JSONResponse(body, status_code=status)
            if method == "getUpdates":
                self._notify()
                return JSONResponse({"ok": True, "result": await self._updates(params)})
            call.result = self._result(method, params)
            self._notify()  # after the result is set: a waiter may read it
            return JSONResponse({"ok": True, "result": call.result})

        return app

    def push(self, update: dict[str, Any]) -> None:
        """Make an update available to the next `getUpdates`."""
        self.pending_updates.append(update)
        self._notify()

    def fail_next(self, method: str, status: int, body: dict[str, Any]) -> None:
        """Answer the next call of `method` with this error instead."""
        self.failures.setdefault(method, []).append((status, body))

    def _random_failure(self) -> tuple[int, dict[str, Any]]:
        if self._chance.random() < 0.5:
            return 429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}
        return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}

    def delivered(self, method: str = "sendMessage") -> list[ApiCall]:
        """Every call of `method` that succeeded, in order."""
        return [call for call in self.called(method) if call.result is not None]

    def called(self, method: str) -> list[ApiCall]:
        """Every call of `method` so far, in order."""
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 20) -> list[ApiCall]:
        """Wait until `method` has been called `count` times; return those calls."""
        deadline = time.monotonic() + timeout
        while len(self.called(method)) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                made = [call.method for call in self.calls]
                raise AssertionError(f"{method} called {len(self.called(method))} times, expected {count}; calls: {made}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=remaining)
            except TimeoutError:
                pass
        return self.called(method)[:count]

    def _notify(self) -> None:
        self._changed.set()

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            return {"message_id": next(self._message_ids), "date": int(time.time()), "from": BOT_USER,
                    "chat": {"id": int(params["chat_id"]), "type": "private"}, "text": params["text"]}
        return True

    async def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self.pending_updates = [update for update in self.pending_updates if update["update_id"] >= offset]
        if not self.pending_updates:
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=min(float(params.get("timeout") or 0), 0.5))
            except TimeoutError:
                pass
        return list(self.pending_updates)


async def _params(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        return await request.json()
    form = await request.form()
    return {key: _decoded(value) for key, value in form.items() if isinstance(value, str)}


def _decoded(value: str) -> Any:
    """Telegram takes objects and arrays (reply_markup, commands) as JSON strings in form data."""
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


_update_ids = itertools.count(1000)


def _user(user_id: int, language_code: str | None, **names: str) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Young person", **names}
    if language_code:
        user["language_code"] = language_code
    return user


def message_update(
    user_id: int, *, language_code: str | None = None, chat_type: str = "private", names: dict[str, str] | None = None, **content: Any,
) -> dict[str, Any]:
    """An update with a message from `user_id`: `text=…`, `location={…}`, `photo=[…]`, …; `names` such as
    `{"first_name": …, "username": …}` on the user and the chat."""
    names = names or {}
    chat = {"id": user_id, "type": chat_type, "first_name": "Young person", **names} if chat_type == "private" else {"id": -100 - user_id, "type": chat_type, "title": "A group"}
    message = {"message_id": next(_update_ids), "date": int(time.time()), "chat": chat, "from": _user(user_id, language_code, **names), **content}
    if isinstance(content.get("text"), str) and content["text"].startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(content["text"].split()[0])}]
    return {"update_id": next(_update_ids), "message": message}


def button_update(user_id: int, *, sent: ApiCall, payload: str, language_code: str | None = None) -> dict[str, Any]:
    """An update for tapping the button with `payload` under the message the bot sent in `sent`."""
    keyboard = sent.params["reply_markup"]
    message = {"message_id": next(_update_ids), "date": int(time.time()), "chat": {"id": user_id, "type": "private"},
               "from": BOT_USER, "text": sent.params["text"], "reply_markup": keyboard}
    query = {"id": str(next(_update_ids)), "from": _user(user_id, language_code), "chat_instance": "1", "data": payload, "message": message}
    return {"update_id": next(_update_ids), "callback_query": query}


TOKEN = "123456:TEST-token"
"""The bot token the tests' Telegram settings and the stand-in share."""


@asynccontextmanager
async def serving_bot_api(*, failure_rate: float = 0.0) -> AsyncIterator[BotApiStandIn]:
    """A Bot API stand-in listening on loopback (its `base_url` set) for the length of the block."""
    stand_in = BotApiStandIn(TOKEN, failure_rate=failure_rate)
    async with serving(stand_in.app(), free_port()) as url:
        stand_in.base_url = url
        yield stand_in
