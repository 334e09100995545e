"""Abuse and bad input at the channels' edges: rate limits, oversized and malformed input, invisible characters."""

import json
import logging
import unicodedata
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import Request
from starlette.websockets import WebSocketDisconnect

from bot.api.main import create_app
from bot.channels.rate_limit import OpenCounts, Rate, TokenBuckets, WebChatLimits, WebhookLimits, client_address, networks
from bot.channels.text_clean import clean_accept_language, clean_locale, clean_text
from bot.channels.web._protocol import MAX_FRAME_CHARS
from bot.content import load_content
from bot.i18n import Catalogs, negotiate_language
from tests.conftest import CONTENT_DIR, free_port, test_settings
from tests.support.bot_api import BotApiStandIn, TOKEN, message_update
from tests.support.servers import serving

CATALOGS = Catalogs()
CONTENT = load_content(CONTENT_DIR)
KEY = "a" * 43
WEBHOOK_SECRET = "webhook-secret_0123456789"
SECRET = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
ZWNJ, ZWJ, LRM, RLM, ALM = "\u200c", "\u200d", "\u200e", "\u200f", "\u061c"
REMOVED = [chr(c) for c in (*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20), *range(0x7f, 0xa0))] + [
    "\u00ad", "\u180e", "\u200b", "\u2060", "\u2061", "\u2064", "\u206a", "\u206f", "\ufeff", "\ufff9", "\ufffb",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
]


# --- Cleaning text -----------------------------------------------------------------------------


def test_control_bidi_override_and_invisible_characters_are_removed() -> None:
    assert clean_text("hej\x00 då\x1b[2J\x7f\x9b") == "hej då[2J"
    assert clean_text("\u202eevil\u202c and \u2066isolated\u2069") == "evil and isolated"
    assert clean_text("ki\u200bll my\u00adself\ufeff\u2060") == "kill myself"
    assert clean_text("one\r\ntwo\rthree\u2028four\x85five\ttab") == "one\ntwo\nthree\nfour\nfive\ttab"


def test_what_persian_dari_pashto_and_emoji_need_is_kept() -> None:
    for text in (f"می{ZWNJ}خواهم", f"{RLM}سلام {LRM}112{LRM}", f"{ALM}١٢", f"👨{ZWJ}👩{ZWJ}👧", "ሰላም", "Malmö", "🏳️\u200d🌈"):
        assert clean_text(text) == unicodedata.normalize("NFC", text)


def test_unpaired_surrogates_become_replacement_characters() -> None:
    assert clean_text("hej\ud800då\udfff") == "hej\ufffddå\ufffd"


def test_an_invisible_character_inside_a_word_no_longer_hides_a_crisis_from_the_safety_net() -> None:
    hidden = "i want to ki\u200bll my\u00adself"
    assert CONTENT.safety.check(hidden).crisis is None, "the safety net alone misses it"
    assert CONTENT.safety.check(clean_text(hidden)).crisis is not None


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(st.characters(codec=None, exclude_categories=())))
def test_cleaning_is_idempotent_and_leaves_storable_visible_text(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    cleaned.encode("utf-8")  # storable: no unpaired surrogate
    assert not set(cleaned) & set(REMOVED) and "\r" not in cleaned
    assert cleaned.count(ZWNJ) == text.count(ZWNJ) and cleaned.count(RLM) == text.count(RLM)


def test_language_tags_from_outside_get_their_canonical_case() -> None:
    assert [clean_locale(tag) for tag in ("SV", "Sv-se", "fa-af", "FA_AF", "zh_hant_tw", "es-419", "", None, "sv se", "\u0455v")] == [
        "sv", "sv-SE", "fa-AF", "fa-AF", "zh-Hant-TW", "es-419", None, None, None, None,
    ]
    assert clean_accept_language("SV-se,sv;q=0.9, EN;q=0.8,*;q=0.1, b@d;q=0.5") == "sv-SE,sv;q=0.9,en;q=0.8,*;q=0.1"


def test_negotiation_itself_answers_with_our_own_codes() -> None:
    assert [negotiate_language([tag]) for tag in ("SV", "fa-af", "Ti")] == ["sv", "fa-AF", "ti"]


# --- Rate limits --------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_bucket_allows_a_burst_then_refills_evenly() -> None:
    clock = Clock()
    buckets = TokenBuckets(Rate(3, 3), clock=clock)
    assert [buckets.take("a") for _ in range(4)] == [True, True, True, False]
    assert buckets.take("b"), "each key has its own bucket"
    assert buckets.retry_after("a") == pytest.approx(1.0)
    clock.now += 1
    assert buckets.take("a") and not buckets.take("a")
    clock.now += 60
    assert [buckets.take("a") for _ in range(4)] == [True, True, True, False], "never more than the burst"


def test_the_tables_are_bounded_and_hold_no_raw_key() -> None:
    buckets = TokenBuckets(Rate(1, 60), max_keys=2)
    for key in ("first", "second", "third"):
        assert buckets.take(key)
    assert buckets.take("first"), "the least recently used key was forgotten"
    assert not any(b"first" in key or b"second" in key for key in buckets._buckets)
    counts = OpenCounts(2)
    assert counts.open("x") and counts.open("x") and not counts.open("x")
    counts.close("x")
    assert counts.open("x")


def _connection(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return Request({"type": "http", "client": (peer, 5000), "headers": headers})


def test_x_forwarded_for_is_read_only_from_trusted_proxies() -> None:
    proxies = networks("10.0.0.0/8, ::1")
    assert client_address(_connection("203.0.113.9", "198.51.100.1")) == "203.0.113.9", "no trusted proxies: never read"
    assert client_address(_connection("203.0.113.9", "198.51.100.1"), proxies) == "203.0.113.9", "the peer is no proxy of ours"
    assert client_address(_connection("10.0.0.2", "198.51.100.1"), proxies) == "198.51.100.1"
    assert client_address(_connection("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.3"), proxies) == "198.51.100.1", "the forged left part is ignored"
    assert client_address(_connection("10.0.0.2", "garbage"), proxies) == "10.0.0.2"
    assert client_address(_connection("10.0.0.2"), proxies) == "10.0.0.2"
    assert client_address(_connection("::1", "2001:db8::7"), proxies) == "2001:db8::7"


# --- The web chat -------------------------------------------------------------------------------


def web_client(tmp_path: Path, limits: WebChatLimits) -> TestClient:
    settings = test_settings(database_url=f"sqlite:///{tmp_path / 'line.db'}", rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_seconds=0.2)
    app = create_app(settings)
    app.state.web_chat_limits = limits
    return TestClient(app, base_url="http://line.test")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with web_client(tmp_path, WebChatLimits(messages=Rate(3, 600), crisis_messages=Rate(2, 600), refusals_before_close=4)) as client:
        yield client


def test_too_many_frames_are_refused_in_the_conversations_language_but_a_crisis_goes_through(client: TestClient) -> None:
    slow_down = CATALOGS.text("so", "error.slow_down")
    with client.websocket_connect("/chat/socket") as socket:
        socket.send_json({"type": "hello", "key": KEY, "locale": "sv"})
        assert socket.receive_json()["type"] == "transcript"
        socket.send_json({"type": "button", "payload": "lang:so", "label": "Soomaali"})
        assert socket.receive_json()["language"] == "so"
        for _ in range(2):
            socket.send_json({"type": "button", "payload": "cmd:help", "label": "?"})
            assert socket.receive_json()["type"] == "turn"
        socket.send_json({"type": "message", "text": "where can I sleep tonight"})
        assert socket.receive_json() == {"type": "error", "text": slow_down}
        socket.send_json({"type": "message", "text": "I want to kill myself"})
        crisis = socket.receive_json()
        assert crisis["type"] == "turn" and crisis["language"] == "so"
        assert crisis["replies"][0]["text"].startswith(CONTENT.topics["crisis"].translations["so"].answer)
        socket.send_json({"type": "button", "payload": "topic:crisis", "label": "!"})
        assert socket.receive_json()["type"] == "turn"
        socket.send_json({"type": "message", "text": "I want to kill myself"})
        assert socket.receive_json() == {"type": "error", "text": slow_down}, "crisis frames have a ceiling too"
    assert "112" in slow_down


def test_a_socket_that_keeps_sending_while_refused_is_closed(client: TestClient) -> None:
    with client.websocket_connect("/chat/socket") as socket:
        socket.send_json({"type": "hello", "key": KEY})
        socket.receive_json()
        for _ in range(3):
            socket.send_json({"type": "button", "payload": "cmd:help"})
            socket.receive_json()
        for _ in range(3):
            socket.send_json({"type": "button", "payload": "cmd:help"})
            assert socket.receive_json()["type"] == "error"
        socket.send_json({"type": "button", "payload": "cmd:help"})
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
    assert closed.value.code == 1008


def test_one_address_may_open_only_so_many_sockets(tmp_path: Path) -> None:
    with web_client(tmp_path, WebChatLimits(sockets_per_address=2, connects=Rate(4, 600))) as client:
        with client.websocket_connect("/chat/socket"), client.websocket_connect("/chat/socket"):
            with pytest.raises(WebSocketDisconnect) as refused:
                with client.websocket_connect("/chat/socket") as third:
                    third.receive_json()
            assert refused.value.code == 1008
        with client.websocket_connect("/chat/socket") as again:
            again.send_json({"type": "hello", "key": KEY})
            assert again.receive_json()["type"] == "transcript", "a closed socket frees its place"
        with pytest.raises(WebSocketDisconnect) as too_often:
            with client.websocket_connect("/chat/socket") as fourth:
                fourth.receive_json()
        assert too_often.value.code == 1008, "and new sockets per address are rate-limited"


def test_a_language_tag_in_any_case_is_understood_by_the_page_and_the_chat(client: TestClient) -> None:
    assert '<html lang="sv" dir="ltr">' in client.get("/", headers={"Accept-Language": "sV"}).text
    assert '<html lang="fa-AF" dir="rtl">' in client.get("/privacy", params={"lang": "FA-af"}).text
    with client.websocket_connect("/chat/socket") as socket:
        socket.send_json({"type": "hello", "key": KEY, "locale": "AR"})
        assert socket.receive_json()["language"] == "ar"


def test_binary_oversized_and_invisible_input_is_answered_and_cleaned(client: TestClient) -> None:
    malformed, too_long = CATALOGS.text("sv", "error.malformed"), CATALOGS.text("sv", "message.too_long", limit=4096)
    with client.websocket_connect("/chat/socket") as socket:
        socket.send_bytes(b"\xff\xfe{")
        assert socket.receive_json() == {"type": "error", "text": malformed}
        socket.send_bytes(json.dumps({"type": "hello", "key": KEY, "locale": "sv"}).encode())
        assert socket.receive_json()["type"] == "transcript", "a UTF-8 binary frame is read like text"
        socket.send_text("x" * (MAX_FRAME_CHARS + 1))
        assert socket.receive_json() == {"type": "error", "text": too_long}
        socket.send_json({"type": "message", "text": "x" * 20_001})
        assert socket.receive_json() == {"type": "error", "text": too_long}
        socket.send_json({"type": "message", "text": "hej\u202e\x00 d\u200bå\r\nvi ses"})
        assert socket.receive_json()["type"] == "turn"
    with client.websocket_connect("/chat/socket") as socket:
        socket.send_json({"type": "hello", "key": KEY})
        entries = socket.receive_json()["entries"]
    assert [entry["text"] for entry in entries if entry["sender"] == "young_person"] == ["hej då\nvi ses"]


# --- The Telegram webhook -----------------------------------------------------------------------


@pytest.fixture
async def webhook(bot_api: BotApiStandIn, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app in webhook mode, with small limits, no Rasa; an HTTP client to it."""
    settings = test_settings(
        database_url=f"sqlite:///{tmp_path / 'line.db'}", rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_seconds=0.2,
        telegram_token=TOKEN, telegram_api_base_url=bot_api.base_url, telegram_mode="webhook",
        telegram_webhook_url="https://line.example.org/telegram/webhook", telegram_webhook_secret=WEBHOOK_SECRET,
    )
    app = create_app(settings)
    app.state.webhook_limits = WebhookLimits(updates=Rate(2, 600), crisis_updates=Rate(1, 600), notices=Rate(1, 600), refusals=Rate(2, 600), max_body_bytes=64 * 1024)
    async with serving(app, free_port()) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


async def test_webhook_bodies_over_the_limit_malformed_or_nested_too_deep_are_refused_not_crashed(webhook: httpx.AsyncClient) -> None:
    async def post(content: bytes | AsyncIterator[bytes]) -> int:
        return (await webhook.post("/telegram/webhook", content=content, headers=SECRET)).status_code

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"update_id": 1, "padding": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    assert await post(b" " * (64 * 1024 + 1)) == 413
    assert await post(chunks()) == 413, "a chunked body without Content-Length is cut off too"
    assert await post(b"[" * 30_000 + b"]" * 30_000) == 400
    assert await post(b'{"update_id": 1, "message": "text"}') == 400
    for date in (10**30, -151963924044649440):  # OverflowError, OSError (found by schemathesis) in python-telegram-bot
        assert await post(json.dumps({"update_id": 1, "message": {"message_id": 1, "date": date, "chat": {"id": 1, "type": "private"}}}).encode()) == 400
    assert await post(b'{"update_id": 1' + b"1" * 5000 + b"}") == 400
    for latitude, longitude in ((0, float("inf")), (-2.9e16, 176.0), ("59.3", 18.0), (None, 18.0)):  # found by hypothesis
        message = {"message_id": 1, "date": 1, "chat": {"id": 1, "type": "private"}, "location": {"latitude": latitude, "longitude": longitude}}
        assert await post(json.dumps({"update_id": 1, "message": message}).encode()) == 400, (latitude, longitude)
    assert await post(b"\xff\xfe\x00") == 400
    button = {"id": "", "chat_instance": "", "from": {"id": 0, "is_bot": False, "first_name": ""}, "data": "",
              "message": {"message_id": 0, "date": 4, "chat": {"id": [None], "type": "group"}}}
    assert await post(json.dumps({"update_id": 1, "callback_query": button}).encode()) == 400, "a chat id that is a list (found by schemathesis)"
    assert await post(json.dumps({"update_id": 7}).encode()) == 200
    refused = [(await webhook.post("/telegram/webhook", content=b"x" * 10**6)).status_code for _ in range(3)]
    assert refused == [403, 403, 429], "without the secret: refused unread, then throttled per address"
    assert await post(json.dumps({"update_id": 8}).encode()) == 200, "Telegram, with the secret, is never throttled by address"


async def sent_until(bot_api: BotApiStandIn, *needles: str) -> list[str]:
    """The texts of every `sendMessage` so far, once each needle is in one of them."""
    for count in range(1, 30):
        sent = [call.params["text"] for call in await bot_api.wait_for("sendMessage", count)]
        if all(any(needle in text for text in sent) for needle in needles):
            return sent
    raise AssertionError(f"never sent: {needles}")


async def test_over_the_limit_a_young_person_is_told_once_and_a_crisis_still_goes_through(
    webhook: httpx.AsyncClient, bot_api: BotApiStandIn, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    user = 5551001
    for text in ("/help", "/help", "/help", "/help"):
        assert (await webhook.post("/telegram/webhook", json=message_update(user, language_code="en", text=text), headers=SECRET)).status_code == 200
    crisis = message_update(user, language_code="en", text="I want to kill myself")
    assert (await webhook.post("/telegram/webhook", json=crisis, headers=SECRET)).status_code == 200
    slow_down = CATALOGS.text("en", "error.slow_down")
    sent = await sent_until(bot_api, CONTENT.topics["crisis"].translations["en"].answer.splitlines()[0], slow_down)
    assert sum(CATALOGS.text("en", "help.text") in text for text in sent) == 2, "the third and fourth were not handled"
    assert [text for text in sent if slow_down in text] == [slow_down], "told once"
    assert str(user) not in caplog.text


async def test_invisible_characters_and_unpaired_surrogates_from_telegram_are_cleaned_before_the_core(webhook: httpx.AsyncClient, bot_api: BotApiStandIn) -> None:
    body = json.dumps(message_update(5551002, language_code="en", text="/he\u200blp\ud800\u202e")).encode()  # JSON-escaped lone surrogate
    assert (await webhook.post("/telegram/webhook", content=body, headers=SECRET)).status_code == 200
    [reply] = await bot_api.wait_for("sendMessage")
    assert CATALOGS.text("en", "error.generic") not in reply.params["text"]
    assert reply.params["text"].startswith(CATALOGS.text("en", "command.unknown"))
