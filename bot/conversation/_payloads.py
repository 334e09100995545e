"""Button payloads and commands: short, within Telegram's 64-byte callback limit, never sent to NLU."""

from dataclasses import dataclass
from typing import Literal

Action = Literal["start", "language", "help", "human", "forget", "menu", "set_language", "topic", "city", "unknown"]
COMMANDS: tuple[Action, ...] = ("start", "language", "help", "human", "forget", "menu")


@dataclass(frozen=True)
class Command:
    """Something the young person asked for by command or button."""

    action: Action
    argument: str | None = None


def command_payload(action: Action) -> str:
    """The payload of a button that runs a command."""
    return f"cmd:{action}"


def language_payload(language: str) -> str:
    """The payload of a language button."""
    return f"lang:{language}"


def topic_payload(topic_id: str) -> str:
    """The payload of a topic button."""
    return f"topic:{topic_id}"


def city_payload(city_id: str) -> str:
    """The payload of a city button."""
    return f"city:{city_id}"


_PREFIXES: dict[str, Action] = {"lang": "set_language", "topic": "topic", "city": "city"}


def parse_payload(payload: str) -> Command:
    """The command behind a button payload (`unknown` for one we never made, or no longer make)."""
    kind, _, argument = payload.partition(":")
    if kind == "cmd" and argument in COMMANDS:
        return Command(argument)  # type: ignore[arg-type]
    if kind in _PREFIXES and argument:
        return Command(_PREFIXES[kind], argument)
    return Command("unknown")


def parse_command(text: str) -> Command | None:
    """The command in a message like `/start` or `/help@SupportBot`; None if it is not a command."""
    if not text.startswith("/"):
        return None
    name = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
    return Command(name) if name in COMMANDS else Command("unknown")  # type: ignore[arg-type]
