"""What goes into the conversation core and what comes out: plain data, no channel in sight."""

from dataclasses import asdict, dataclass
from typing import Any

from bot.i18n import Direction
from handoff import Priority


@dataclass(frozen=True)
class Location:
    """A point a young person shared; used for one answer, never stored."""

    lat: float
    lon: float


@dataclass(frozen=True)
class Incoming:
    """One message from a young person, from any channel."""

    conversation_id: str
    channel: str
    text: str | None = None
    payload: str | None = None
    location: Location | None = None
    locale_hint: str | None = None
    language: str | None = None
    """An explicit language choice made outside the chat (it wins over everything else)."""
    attachment: str | None = None
    """The kind of something sent that the line cannot read (`photo`, `voice`, …); its content never reaches the core."""
    key: str | None = None
    """The channel's own id of this delivery (`telegram:<update_id>`): a redelivered message is answered once."""
    address: str | None = None
    """Where the channel delivers (a Telegram chat id). Given, the replies go out through the outbox,
    which keeps them until the channel confirms them; the turn returned is for the caller's information."""

    @property
    def kind(self) -> str:
        """What was sent, as the transcript records it."""
        if self.payload is not None:
            return "button"
        if self.location is not None:
            return "location"
        return "attachment" if self.attachment is not None else "text"


@dataclass(frozen=True)
class Button:
    """A choice the young person can tap; `payload` comes back as `Incoming.payload`."""

    label: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One message to the young person: Telegram-safe Markdown text and buttons."""

    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Turn:
    """The core's answer to one incoming message, with what it understood."""

    replies: tuple[Reply, ...]
    language: str
    direction: Direction
    topic: str | None = None
    confidence: float | None = None
    crisis: bool = False
    handoff: Priority | None = None
    city: str | None = None
    """The city (`content/cities.yml` id) whose safe places were given, when the young person named one."""
    nlu_available: bool = True
    erased: bool = False
    """The conversation was just erased (/forget): a channel clears what it can of the chat too."""
    duplicate: bool = False
    """This delivery was handled before (same `Incoming.key`): nothing was done, nothing is to be sent."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (for `supportline ask --json` and the web chat)."""
        return asdict(self)


@dataclass(frozen=True)
class TranscriptEntry:
    """One message of a conversation as it was shown: who sent it, its text, its buttons."""

    sender: str
    text: str | None
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Transcript:
    """A conversation's latest messages, with the language it is in (to lay them out)."""

    language: str
    direction: Direction
    entries: tuple[TranscriptEntry, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the web chat)."""
        return asdict(self)
