"""One browser's conversation over a WebSocket: frames in, the core's turns out, until it goes away."""

import asyncio
import logging

from fastapi import WebSocket, WebSocketDisconnect, status
from pydantic import SecretStr, ValidationError

from bot.channels.identity import pseudonym
from bot.channels.rate_limit import WebChatLimits
from bot.channels.text_clean import clean_locale, clean_text
from bot.channels.web._protocol import MAX_FRAME_CHARS, ClientFrame, Hello, Pressed, Said, error_frame, transcript_frame, turn_frame
from bot.channels.web._queue_watch import QueueWatch
from bot.conversation import MAX_TEXT_CHARS, ConversationCore, Incoming, Turn
from bot.events import Event, EventBus

log = logging.getLogger(__name__)

CHANNEL = "web"

Frame = Hello | Said | Pressed


class _Flooding(Exception):
    """The browser kept sending while told to slow down: the socket is closed."""


async def serve_web_chat(
    websocket: WebSocket, *, core: ConversationCore, secret: SecretStr, events: EventBus, queue_watch: QueueWatch, limits: WebChatLimits | None = None,
    address: str = "",
) -> None:
    """Greet with the transcript (a first visit starts the conversation), then answer every frame and
    pass on what a counsellor writes. A bad frame, or one over the rate limit, gets an error frame in
    the conversation's language and the chat goes on; only a flood (`limits.refusals_before_close`
    refused frames in a row) or the browser closes it."""
    await websocket.accept()
    chat = _Chat(websocket, core, limits or WebChatLimits(), address)
    async with events.subscribe() as inbox:
        pusher: asyncio.Task[None] | None = None
        try:
            hello = await chat.receive_hello()
            chat.conversation_id = pseudonym(secret=secret, channel=CHANNEL, user_id=hello.key)
            pusher = asyncio.create_task(_pass_on_news(websocket, core, queue_watch, inbox, chat.conversation_id))
            await chat.converse(hello)
        except WebSocketDisconnect:
            return
        except _Flooding:
            await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        finally:
            if pusher is not None:
                pusher.cancel()


async def _pass_on_news(websocket: WebSocket, core: ConversationCore, queue_watch: QueueWatch, inbox: "asyncio.Queue[Event]", conversation_id: str) -> None:
    """What the counsellor writes in this conversation, as it is written; and, while waiting, the
    young person's new place in the queue whenever it changes. A failure is logged and the next event
    still passed on: a counsellor's words must not stop reaching the young person."""
    while True:
        event = await inbox.get()
        try:
            if event.kind == "message" and event.conversation_id == conversation_id and event.sender == "counsellor":
                await websocket.send_json({"type": "message", "sender": "counsellor", "text": event.text})
            elif event.kind == "queue" and await queue_watch.waits(conversation_id, change=event) and (news := await core.queue_news(conversation_id)) is not None:
                await websocket.send_json(turn_frame(news))
        except WebSocketDisconnect:
            return
        except Exception:
            log.exception("could not pass an event on to a web chat")


class _Chat:
    """One socket's state: whose conversation, in which language, how many frames refused in a row."""

    def __init__(self, websocket: WebSocket, core: ConversationCore, limits: WebChatLimits, address: str) -> None:
        self.websocket, self.core, self.limits, self.address = websocket, core, limits, address
        self.conversation_id: str | None = None
        self.language = core.default_language
        self.refusals = 0

    async def receive_hello(self) -> Hello:
        """Wait for a valid `hello`, answering anything else with an error frame."""
        while True:
            frame = await self._next_frame()
            if isinstance(frame, Hello):
                return frame
            if frame is not None:
                await self._refuse("malformed")

    async def converse(self, hello: Hello) -> None:
        """Send the transcript (a first visit starts the conversation), then answer frame after frame."""
        assert self.conversation_id is not None
        core, conversation_id = self.core, self.conversation_id
        transcript = await core.transcript(conversation_id, locale_hint=hello.locale)
        if not transcript.entries:
            await core.handle(Incoming(conversation_id, CHANNEL, payload="cmd:start", locale_hint=hello.locale))
            transcript = await core.transcript(conversation_id)
        await self.websocket.send_json(transcript_frame(transcript))
        self.language = transcript.language
        while True:
            frame = await self._next_frame()
            if frame is None or isinstance(frame, Hello):
                continue
            incoming = (
                Incoming(conversation_id, CHANNEL, payload=frame.payload, text=frame.label, locale_hint=hello.locale)
                if isinstance(frame, Pressed)
                else Incoming(conversation_id, CHANNEL, text=frame.text, locale_hint=hello.locale)
            )
            turn = await _answer(core, incoming)
            self.language = turn.language
            await self.websocket.send_json(turn_frame(turn))

    async def _next_frame(self) -> Frame | None:
        """The next frame to act on, its text cleaned; None when it was answered with an error frame
        (unreadable, too long, or over the rate limit and no crisis)."""
        raw = await _receive_text(self.websocket)
        frame, problem = _parse(raw)
        if not self.limits.allow_frame(self.address, self.conversation_id) and not self._crisis_goes_through(frame):
            self.refusals += 1
            if self.refusals >= self.limits.refusals_before_close:
                raise _Flooding
            await self._refuse("slow_down")
            return None
        self.refusals = 0
        if frame is None:
            await self._refuse(problem)
        return frame

    def _crisis_goes_through(self, frame: Frame | None) -> bool:
        if self.conversation_id is None:
            return False
        crisis = (isinstance(frame, Said) and self.core.sounds_like_crisis(text=frame.text)) or (
            isinstance(frame, Pressed) and self.core.sounds_like_crisis(payload=frame.payload)
        )
        return crisis and self.limits.allow_crisis(self.conversation_id)

    async def _refuse(self, problem: str) -> None:
        """An error frame in the conversation's language: what to do instead."""
        if problem == "slow_down":
            text = self.core.phrase(self.language, "error.slow_down")
        elif problem == "too_long":
            text = self.core.phrase(self.language, "message.too_long", limit=MAX_TEXT_CHARS)
        else:
            text = self.core.phrase(self.language, "error.malformed")
        await self.websocket.send_json(error_frame(text))


async def _receive_text(websocket: WebSocket) -> str | None:
    """The next frame's text; a binary frame counts if it is UTF-8 (None if it is not)."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", status.WS_1000_NORMAL_CLOSURE), message.get("reason"))
    if message.get("text") is not None:
        return str(message["text"])
    try:
        return bytes(message.get("bytes") or b"").decode("utf-8")
    except UnicodeDecodeError:
        return None


def _parse(raw: str | None) -> tuple[Frame | None, str]:
    """The frame in `raw`, its texts cleaned; or None and what is wrong (`malformed`, `too_long`)."""
    if raw is None:
        return None, "malformed"
    if len(raw) > MAX_FRAME_CHARS:
        return None, "too_long"
    try:
        frame: Frame = ClientFrame.validate_json(raw)
    except ValidationError as exc:
        too_long = any(error["type"] == "string_too_long" and error["loc"][-1:] == ("text",) for error in exc.errors())
        return None, "too_long" if too_long else "malformed"
    if isinstance(frame, Said):
        return frame.model_copy(update={"text": clean_text(frame.text)}), ""
    if isinstance(frame, Pressed) and frame.label is not None:
        return frame.model_copy(update={"label": clean_text(frame.label)}), ""
    if isinstance(frame, Hello):
        return frame.model_copy(update={"locale": clean_locale(frame.locale)}), ""
    return frame, ""


async def _answer(core: ConversationCore, incoming: Incoming) -> Turn:
    """The core's turn, or an apology if something on our side broke (the chat stays open)."""
    try:
        return await core.handle(incoming)
    except Exception:
        log.exception("web chat message failed")
        return core.apology(locale_hint=incoming.locale_hint)
