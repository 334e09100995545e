"""What the line reads of a raw Telegram update before python-telegram-bot does: its shape (for the
webhook's OpenAPI schema), cleaned texts, who sent it (for rate limits) and whether it sounds like a crisis."""

import json
import logging
from typing import Any

from pydantic import SecretStr
from telegram import Bot

from bot.channels.errors import MalformedUpdate
from bot.channels.identity import pseudonym
from bot.channels.telegram._handlers import CHANNEL, send_turn
from bot.channels.text_clean import clean_locale, clean_text
from bot.conversation import ConversationCore, Reply, Turn

log = logging.getLogger(__name__)

_USER = {"type": "object", "required": ["id", "is_bot", "first_name"], "properties": {
    "id": {"type": "integer"}, "is_bot": {"type": "boolean"}, "first_name": {"type": "string"}, "language_code": {"type": "string"},
}}
_MESSAGE = {"type": "object", "required": ["message_id", "date", "chat"], "properties": {
    "message_id": {"type": "integer"}, "date": {"type": "integer"}, "from": _USER, "text": {"type": "string"},
    "chat": {"type": "object", "required": ["id", "type"], "properties": {"id": {"type": "integer"}, "type": {"enum": ["private", "group", "supergroup", "channel"]}}},
    "location": {"type": "object", "required": ["latitude", "longitude"], "properties": {"latitude": {"type": "number"}, "longitude": {"type": "number"}}},
}}
UPDATE_SCHEMA = {"type": "object", "required": ["update_id"], "properties": {
    "update_id": {"type": "integer"}, "message": _MESSAGE,
    "callback_query": {"type": "object", "required": ["id", "from", "chat_instance"], "properties": {
        "id": {"type": "string"}, "from": _USER, "chat_instance": {"type": "string"}, "data": {"type": "string"}, "message": _MESSAGE,
    }},
}}
"""What the webhook takes, as far as the line reads it (for the OpenAPI schema the fuzz tests run on)."""


def parse_update(body: bytes) -> dict[str, Any]:
    """The update as JSON, its texts and app languages cleaned; 400 if it is not a JSON object with an
    `update_id` (or has a location off the map): `MalformedUpdate`."""
    try:
        update = json.loads(body, parse_constant=_not_json)
    except (ValueError, RecursionError) as exc:  # RecursionError: `[[[[…]]]]` nested too deep
        raise MalformedUpdate(f"not JSON: {type(exc).__name__}") from exc
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        raise MalformedUpdate("no update_id")
    if not all(_is_id(identifier) for identifier in _ids_in(update)):
        raise MalformedUpdate("a chat or user id that is not an integer")
    for key in ("message", "edited_message"):
        message = update.get(key)
        if isinstance(message, dict):
            for field in ("text", "caption"):
                if isinstance(message.get(field), str):
                    message[field] = clean_text(message[field])
            if "location" in message and not _on_earth(message["location"]):
                raise MalformedUpdate("a location off the map")
    for key in ("message", "edited_message", "callback_query"):
        part = update.get(key)
        user = part.get("from") if isinstance(part, dict) else None
        if isinstance(user, dict) and isinstance(user.get("language_code"), str):
            user["language_code"] = clean_locale(user["language_code"])
    return update


def _ids_in(update: dict[str, Any]) -> list[object]:
    """The chat and user ids the line acts on: replies go to the chat id, the pseudonym is made of the user id."""
    ids: list[object] = []
    for key in ("message", "edited_message", "callback_query"):
        part = update.get(key)
        if not isinstance(part, dict):
            continue
        message = part.get("message") if key == "callback_query" else part
        for holder in (part.get("from"), message.get("chat") if isinstance(message, dict) else None):
            if isinstance(holder, dict) and "id" in holder:
                ids.append(holder["id"])
    return ids


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _on_earth(location: object) -> bool:
    """A location Telegram could send: latitude and longitude numbers in range (the distance to safe places needs them)."""
    if not isinstance(location, dict):
        return False
    latitude, longitude = location.get("latitude"), location.get("longitude")
    numbers = all(isinstance(value, int | float) and not isinstance(value, bool) for value in (latitude, longitude))
    return numbers and -90 <= latitude <= 90 and -180 <= longitude <= 180  # type: ignore[operator]


def _not_json(constant: str) -> None:
    """`NaN` and `Infinity` are not JSON (Python reads them; Telegram never sends them): an infinite
    longitude would break the distance to safe places."""
    raise ValueError(f"{constant} is not JSON")


class Sender:
    """Who sent an update, as far as the rate limit needs: the user, their private chat, their app's language."""

    def __init__(self, user_id: int, chat_id: int | None, language_code: str | None) -> None:
        self.user_id, self.chat_id, self.language_code = user_id, chat_id, language_code


def sender_of(update: dict[str, Any]) -> Sender | None:
    """Who sent the update, if a user did."""
    for key in ("message", "edited_message", "callback_query"):
        part = update.get(key)
        if not isinstance(part, dict):
            continue
        user = part.get("from")
        if not isinstance(user, dict) or not isinstance(user.get("id"), int):
            return None
        message = part.get("message") if key == "callback_query" else part
        chat = message.get("chat") if isinstance(message, dict) else None
        private = isinstance(chat, dict) and chat.get("type") == "private" and isinstance(chat.get("id"), int)
        language_code = user.get("language_code")
        return Sender(user["id"], chat["id"] if private else None, language_code if isinstance(language_code, str) else None)  # type: ignore[index]
    return None


def sounds_like_crisis(core: ConversationCore, update: dict[str, Any]) -> bool:
    """Whether the crisis safety net hears a crisis in the update (a text, or the crisis button)."""
    message, query = update.get("message"), update.get("callback_query")
    if isinstance(message, dict) and isinstance(message.get("text"), str):
        return core.sounds_like_crisis(text=message["text"])
    return isinstance(query, dict) and isinstance(query.get("data"), str) and core.sounds_like_crisis(payload=query["data"])


async def tell_to_slow_down(bot: Bot, core: ConversationCore, *, secret: SecretStr, sender: Sender) -> None:
    """After the response: one message, in the conversation's language, to wait and send again what was not answered."""
    try:
        conversation_id = pseudonym(secret=secret, channel=CHANNEL, user_id=sender.user_id)
        conversation = await core.transcript(conversation_id, locale_hint=sender.language_code)
        notice = Turn(replies=(Reply(core.phrase(conversation.language, "error.slow_down")),), language=conversation.language, direction=conversation.direction)
        await send_turn(bot, sender.chat_id, notice)  # type: ignore[arg-type]
    except Exception:
        log.exception("could not tell a Telegram user to slow down")
