"""The web chat's WebSocket frames, both ways, as validated models."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter

from bot.conversation import Transcript, Turn

MAX_FRAME_CHARS = 131_072
"""A frame longer than this is not even parsed (a `message` of 20,000 characters, all escaped, fits)."""
MAX_MESSAGE_CHARS = 20_000
"""A longer `message` is refused at the door; up to this, the core answers a too-long one itself."""


class Hello(BaseModel):
    """The first frame: the browser's anonymous key (random, kept in its local storage)."""

    type: Literal["hello"]
    key: str = Field(pattern=r"^[A-Za-z0-9_-]{32,128}$")
    locale: str | None = Field(default=None, max_length=35)


class Said(BaseModel):
    """A written message."""

    type: Literal["message"]
    text: str = Field(max_length=MAX_MESSAGE_CHARS)


class Pressed(BaseModel):
    """A tapped button, with the label the young person saw."""

    type: Literal["button"]
    payload: str = Field(max_length=64)
    label: str | None = Field(default=None, max_length=200)


ClientFrame = TypeAdapter(Annotated[Hello | Said | Pressed, Field(discriminator="type")])


def transcript_frame(transcript: Transcript) -> dict[str, object]:
    """The conversation so far (sent after `hello`, so a reload shows everything)."""
    return {"type": "transcript", **transcript.as_dict()}


def turn_frame(turn: Turn) -> dict[str, object]:
    """The core's replies to one message."""
    return {"type": "turn", "language": turn.language, "direction": turn.direction, "replies": [
        {"text": reply.text, "buttons": [{"label": b.label, "payload": b.payload} for b in reply.buttons]} for reply in turn.replies
    ]}


def error_frame(text: str) -> dict[str, object]:
    """A frame the server could not take: what to do instead, in the conversation's language."""
    return {"type": "error", "text": text}
