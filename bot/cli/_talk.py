"""`supportline chat|ask|classify`: the bot from a terminal, through the same core as every channel."""

import argparse
import asyncio
import json
import secrets
import sys

from bot.conversation import ConversationCore, Incoming, Turn
from bot.core.config import get_settings
from bot.i18n import LANGUAGES
from bot.runtime import conversation_core, without_storage

CHANNEL = "cli"


def _print_turn(turn: Turn) -> list[str]:
    """Print the replies; return the payloads of the numbered buttons."""
    payloads: list[str] = []
    for reply in turn.replies:
        print(f"\n{reply.text}")
        for button in reply.buttons:
            payloads.append(button.payload)
            print(f"  [{len(payloads)}] {button.label}")
    return payloads


async def _chat() -> None:
    async with conversation_core(get_settings()) as core:
        conversation_id = secrets.token_hex(16)
        payloads = _print_turn(await core.handle(Incoming(conversation_id, CHANNEL, text="/start")))
        print("\n(type a message, a button number, or a /command; Ctrl-D to leave)")
        while True:
            try:
                line = await asyncio.to_thread(input, "\n> ")
            except EOFError:
                return
            choice = line.strip()
            if choice.isdigit() and 0 < int(choice) <= len(payloads):
                incoming = Incoming(conversation_id, CHANNEL, payload=payloads[int(choice) - 1])
            else:
                incoming = Incoming(conversation_id, CHANNEL, text=line)
            payloads = _print_turn(await core.handle(incoming))


def chat(_: argparse.Namespace) -> int:
    """Talk to the bot in this terminal."""
    asyncio.run(_chat())
    return 0


async def _ask(text: str, language: str | None) -> Turn:
    async with conversation_core(without_storage(get_settings())) as core:
        return await core.handle(Incoming(secrets.token_hex(16), CHANNEL, text=text, language=language))


def ask(args: argparse.Namespace) -> int:
    """One turn on a fresh conversation that is not kept; JSON with `--json`."""
    turn = asyncio.run(_ask(args.text, args.lang))
    if args.json:
        print(json.dumps(turn.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_turn(turn)
    return 0


async def _classify_line(core: ConversationCore, line: str, default_language: str) -> dict[str, object]:
    try:
        item = json.loads(line)
        text, language = item["text"], item.get("lang")
        if not isinstance(text, str) or (language is not None and language not in LANGUAGES):
            raise ValueError("text must be a string and lang one of " + ", ".join(LANGUAGES))
    except (ValueError, KeyError, TypeError) as exc:
        return {"error": f"invalid input line: {exc}"}
    understanding = await core.understand(text)
    detected = understanding.language.language if understanding.language else None
    return {
        "topic": understanding.topic,
        "crisis": understanding.crisis,
        "language": language or detected or default_language,
        "confidence": understanding.confidence,
    }


async def _classify() -> None:
    settings = without_storage(get_settings())
    async with conversation_core(settings) as core:
        for line in sys.stdin:
            if line.strip():
                result = await _classify_line(core, line, settings.default_language)
                print(json.dumps(result, ensure_ascii=False), flush=True)


def classify(_: argparse.Namespace) -> int:
    """JSON lines in (`{"text", "lang"?}`), one JSON line out per input, in order."""
    asyncio.run(_classify())
    return 0
