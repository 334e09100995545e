"""Simulated young people, each a closed loop (send, wait for the whole reply, send again), and the load they make.

Every user alternates a free-text question (Rasa in the loop) and a button press (no NLU). Latency runs
from sending to the complete reply: for the web chat, the `turn` frame on the socket; for Telegram,
from the webhook POST to the Bot API stand-in receiving the turn's last `sendMessage` (the one with the
keyboard; every reply the scripts lead to ends with buttons); for Rasa's REST channel, the response.
"""

import asyncio
import itertools
import json
import os
import random
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench._script import Script
from bench._stats import Summary, summarise
from bench._telegram import ReplyWatchingStandIn
from tests.support.bot_api import button_update, message_update

Kind = Literal["text", "button"]
REPLY_TIMEOUT_SECONDS = 30.0
_addresses = itertools.count(1)
_telegram_ids = itertools.count(910_000_001)


@dataclass(frozen=True)
class Sample:
    """One message and its reply: which channel, text or button, when it was sent, how long the reply took (None: failed)."""

    channel: str
    kind: Kind
    sent_at: float
    ms: float | None


class User(Protocol):
    """A simulated young person on one channel."""

    channel: str

    async def open(self) -> None:
        """Start the conversation (not measured)."""

    async def say(self) -> float:
        """Send the next free-text question; the milliseconds until the whole reply arrived."""

    async def press(self) -> float:
        """Press a button (or its equivalent); the milliseconds until the whole reply arrived."""

    async def close(self) -> None:
        """End the conversation."""


def _client_address() -> str:
    """A distinct client address per simulated young person (sent as X-Forwarded-For, which uvicorn
    trusts from loopback as nginx would): the per-address limits see many young people, not one."""
    number = next(_addresses)
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"


class WebChatUser:
    """The web chat over the real WebSocket at `/chat/socket`."""

    channel = "web"

    def __init__(self, app_url: str, script: Script) -> None:
        self._url, self._script = app_url, script
        self._socket: ClientConnection | None = None
        self._buttons: list[str] = []

    async def open(self) -> None:
        """Connect, say hello, read the transcript (a first visit starts the conversation)."""
        self._socket = await connect(
            self._url.replace("http", "ws", 1) + "/chat/socket", origin=self._url, additional_headers={"X-Forwarded-For": _client_address()},  # type: ignore[arg-type]
            max_size=None,
        )
        await self._socket.send(json.dumps({"type": "hello", "key": secrets.token_urlsafe(32), "locale": self._script.language}))
        frame = await self._frame("transcript")
        entries = frame.get("entries") or []
        self._buttons = [b["payload"] for b in entries[-1].get("buttons", [])] if entries else []

    async def say(self) -> float:
        return await self._exchange({"type": "message", "text": self._script.next_text()})

    async def press(self) -> float:
        return await self._exchange({"type": "button", "payload": self._script.pick_button(self._buttons)})

    async def ask_for_a_person(self) -> float:
        return await self._exchange({"type": "button", "payload": "cmd:human"})

    async def _exchange(self, frame: dict[str, Any]) -> float:
        assert self._socket is not None
        started = time.perf_counter()
        await self._socket.send(json.dumps(frame))
        turn = await self._frame("turn")
        elapsed = (time.perf_counter() - started) * 1000
        replies = turn.get("replies") or []
        self._buttons = [b["payload"] for b in replies[-1]["buttons"]] if replies else []
        return elapsed

    async def _frame(self, wanted: str) -> dict[str, Any]:
        assert self._socket is not None
        async with asyncio.timeout(REPLY_TIMEOUT_SECONDS):
            while True:
                frame: dict[str, Any] = json.loads(await self._socket.recv())
                if frame.get("type") == wanted:
                    return frame
                if frame.get("type") == "error":
                    raise RuntimeError(f"error frame: {frame.get('text')}")

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()


class TelegramUser:
    """Telegram through the real webhook route (with the secret header); replies through the outbox to the stand-in."""

    channel = "telegram"

    def __init__(self, app_url: str, secret: str, client: httpx.AsyncClient, stand_in: ReplyWatchingStandIn, script: Script) -> None:
        self._url, self._secret, self._client, self._stand_in, self._script = app_url, secret, client, stand_in, script
        self._user_id = next(_telegram_ids)
        self._last_keyboard: Any = None

    async def open(self) -> None:
        await self._exchange(message_update(self._user_id, language_code=self._language_code(), text="/start"))

    def _language_code(self) -> str:
        return self._script.language.split("-")[0]

    async def say(self) -> float:
        return await self._exchange(message_update(self._user_id, language_code=self._language_code(), text=self._script.next_text()))

    async def press(self) -> float:
        if self._last_keyboard is None:
            return await self._exchange(message_update(self._user_id, language_code=self._language_code(), text="/menu"))
        payloads = [row[0]["callback_data"] for row in self._last_keyboard.params["reply_markup"]["inline_keyboard"]]
        update = button_update(self._user_id, sent=self._last_keyboard, payload=self._script.pick_button(payloads), language_code=self._language_code())
        return await self._exchange(update)

    async def ask_for_a_person(self) -> float:
        return await self._exchange(message_update(self._user_id, language_code=self._language_code(), text="/human"))

    async def _exchange(self, update: dict[str, Any]) -> float:
        arrivals = self._stand_in.arrivals[self._user_id]
        while not arrivals.empty():  # nothing left over from an earlier turn may count for this one
            arrivals.get_nowait()
        started = time.perf_counter()
        posted = asyncio.create_task(self._client.post(
            f"{self._url}/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": self._secret, "X-Forwarded-For": "149.154.167.200"},
        ))
        try:
            async with asyncio.timeout(REPLY_TIMEOUT_SECONDS):
                while True:
                    arrival = await arrivals.get()
                    if arrival.call.params.get("reply_markup"):
                        break
                response = await posted
        finally:
            posted.cancel()
        response.raise_for_status()
        self._last_keyboard = arrival.call
        return (arrival.at - started) * 1000

    async def close(self) -> None:
        """Nothing to close: the conversation just goes quiet."""


class RasaRestUser:
    """Rasa's own REST channel: free text as is, a button as the `/intent` message Rasa's buttons send."""

    channel = "rasa-rest"

    def __init__(self, rasa_url: str, client: httpx.AsyncClient, script: Script) -> None:
        self._url, self._client, self._script = rasa_url, client, script
        self._sender = secrets.token_hex(8)

    async def open(self) -> None:
        await self._exchange("/greeting")

    async def say(self) -> float:
        return await self._exchange(self._script.next_text())

    async def press(self) -> float:
        return await self._exchange(f"/{self._script.next_topic()}")

    async def _exchange(self, message: str) -> float:
        started = time.perf_counter()
        response = await self._client.post(f"{self._url}/webhooks/rest/webhook", json={"sender": self._sender, "message": message})
        response.raise_for_status()
        if not response.json():
            raise RuntimeError("Rasa answered nothing")
        return (time.perf_counter() - started) * 1000

    async def close(self) -> None:
        """Nothing to close."""


@dataclass
class LoadResult:
    """What a load phase measured inside its window (after the warm-up)."""

    users: int
    seconds: float
    samples: list[Sample] = field(default_factory=list)
    client_cpu_share: float = 0.0
    """CPU time of this (load-generating) process over the window, as a share of one core: high means the client limits the figures."""

    @property
    def completed(self) -> int:
        return sum(1 for s in self.samples if s.ms is not None)

    @property
    def failed(self) -> int:
        return sum(1 for s in self.samples if s.ms is None)

    @property
    def throughput(self) -> float:
        """Replies per second."""
        return self.completed / self.seconds if self.seconds else 0.0

    def latency(self, *, channel: str | None = None, kind: Kind | None = None) -> Summary | None:
        """The latency summary of the completed samples of `channel` and `kind` (None: any)."""
        return summarise([s.ms for s in self.samples if s.ms is not None and channel in (None, s.channel) and kind in (None, s.kind)])


async def run_load(
    users: list[User], *, warm_up: float, seconds: float, stop: asyncio.Event | None = None, pause: float = 0.0,
) -> LoadResult:
    """Open every conversation, then let each user talk (text, button, text, …) for `warm_up` + `seconds`;
    keep what was sent inside the measuring window. `stop` ends the window early (for a background load).
    `pause`: seconds a user waits after each reply before the next message (0.5–1.5 times it, at random,
    so users do not march in step); 0 is a closed loop that measures capacity."""
    jitter = random.Random(len(users))
    await asyncio.gather(*(user.open() for user in users))
    started = time.perf_counter()
    window_start, window_end = started + warm_up, started + warm_up + seconds
    samples: list[Sample] = []

    async def talk(user: User) -> None:
        kinds: list[Kind] = ["text", "button"]
        for turn in itertools.count():
            now = time.perf_counter()
            if now >= window_end or (stop is not None and stop.is_set()):
                return
            kind = kinds[turn % 2]
            try:
                ms: float | None = await (user.say() if kind == "text" else user.press())
            except Exception:
                ms = None
            if now >= window_start:
                samples.append(Sample(user.channel, kind, now, ms))
            if pause:
                await asyncio.sleep(pause * jitter.uniform(0.5, 1.5))

    cpu_before: float | None = None

    async def cpu_mark() -> None:
        nonlocal cpu_before
        await asyncio.sleep(max(0.0, window_start - time.perf_counter()))
        cpu_before = _cpu_seconds()

    marking = asyncio.create_task(cpu_mark())
    await asyncio.gather(*(talk(user) for user in users))
    ended = time.perf_counter()
    await marking
    await asyncio.gather(*(user.close() for user in users), return_exceptions=True)
    window = max(0.001, min(ended, window_end) - window_start)
    kept = [s for s in samples if s.sent_at < window_start + window]
    cpu = (_cpu_seconds() - cpu_before) / window if cpu_before is not None else 0.0
    return LoadResult(len(users), window, kept, cpu)


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system
