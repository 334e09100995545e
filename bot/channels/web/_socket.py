"""One browser's conversation over a WebSocket: frames in, the core's turns out, until it goes away."""

import asyncio
import logging

from fastapi import WebSocket, WebSocketDisconnect
from pydantic import SecretStr, ValidationError

from bot.channels.identity import pseudonym
from bot.channels.web._protocol import ClientFrame, Hello, Pressed, error_frame, transcript_frame, turn_frame
from bot.conversation import ConversationCore, Incoming, Turn
from bot.events import Event, EventBus

log = logging.getLogger(__name__)

CHANNEL = "web"


async def serve_web_chat(websocket: WebSocket, *, core: ConversationCore, secret: SecretStr, events: EventBus) -> None:
    """Greet with the transcript (a first visit starts the conversation), then answer every frame and
    pass on what a counsellor writes. A bad frame gets an error frame in the conversation's language;
    nothing closes the chat but the browser."""
    await websocket.accept()
    async with events.subscribe() as inbox:
        pusher: asyncio.Task[None] | None = None
        try:
            hello = await _receive_hello(websocket, core)
            conversation_id = pseudonym(secret=secret, channel=CHANNEL, user_id=hello.key)
            pusher = asyncio.create_task(_pass_on_news(websocket, core, inbox, conversation_id))
            await _converse(websocket, core, hello, conversation_id)
        except WebSocketDisconnect:
            return
        finally:
            if pusher is not None:
                pusher.cancel()


async def _pass_on_news(websocket: WebSocket, core: ConversationCore, inbox: "asyncio.Queue[Event]", conversation_id: str) -> None:
    """What the counsellor writes in this conversation, as it is written; and, while waiting, the
    young person's new place in the queue whenever it changes."""
    last_status: str | None = None
    while True:
        event = await inbox.get()
        if event.kind == "message" and event.conversation_id == conversation_id and event.sender == "counsellor":
            await websocket.send_json({"type": "message", "sender": "counsellor", "text": event.text})
        elif event.kind == "queue" and (status := await core.queue_status(conversation_id)) is not None:
            text = status.replies[0].text
            if text != last_status and last_status is not None:
                await websocket.send_json(turn_frame(status))
            last_status = text


async def _converse(websocket: WebSocket, core: ConversationCore, hello: Hello, conversation_id: str) -> None:
    """Send the transcript (a first visit starts the conversation), then answer frame after frame."""
    transcript = await core.transcript(conversation_id, locale_hint=hello.locale)
    if not transcript.entries:
        await core.handle(Incoming(conversation_id, CHANNEL, payload="cmd:start", locale_hint=hello.locale))
        transcript = await core.transcript(conversation_id)
    await websocket.send_json(transcript_frame(transcript))
    language = transcript.language
    while True:
        raw = await websocket.receive_text()
        try:
            frame = ClientFrame.validate_json(raw)
        except ValidationError:
            await websocket.send_json(error_frame(core.phrase(language, "error.malformed")))
            continue
        if isinstance(frame, Hello):
            continue
        incoming = (
            Incoming(conversation_id, CHANNEL, payload=frame.payload, text=frame.label, locale_hint=hello.locale)
            if isinstance(frame, Pressed)
            else Incoming(conversation_id, CHANNEL, text=frame.text, locale_hint=hello.locale)
        )
        turn = await _answer(core, incoming)
        language = turn.language
        await websocket.send_json(turn_frame(turn))


async def _receive_hello(websocket: WebSocket, core: ConversationCore) -> Hello:
    """Wait for a valid `hello`, answering anything else with an error frame."""
    while True:
        raw = await websocket.receive_text()
        try:
            frame = ClientFrame.validate_json(raw)
        except ValidationError:
            frame = None
        if isinstance(frame, Hello):
            return frame
        await websocket.send_json(error_frame(core.phrase(core.default_language, "error.malformed")))


async def _answer(core: ConversationCore, incoming: Incoming) -> Turn:
    """The core's turn, or an apology if something on our side broke (the chat stays open)."""
    try:
        return await core.handle(incoming)
    except Exception:
        log.exception("web chat message failed")
        return core.apology(locale_hint=incoming.locale_hint)
