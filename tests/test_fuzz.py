"""Property-based tests: arbitrary input into the conversation core and the Telegram webhook, and
schemathesis over the app's own OpenAPI schema. Bounded (a few hundred examples each, no Rasa) so
they run in CI in well under a minute; `pytest --hypothesis-show-statistics` shows what they tried.
Results and what they found: docs/reliability.md."""

import asyncio
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import uvicorn
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from bot.api.main import create_app
from bot.channels.text_clean import clean_locale
from bot.content import load_content
from bot.conversation import ConversationCore, Incoming, Location, Turn
from bot.i18n import LANGUAGES, text_direction
from bot.runtime import conversation_core
from tests.conftest import CONTENT_DIR, free_port, test_settings
from tests.support.bot_api import BotApiStandIn, TOKEN

WEBHOOK_SECRET = "webhook-secret_0123456789"
SECRET = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
CONTENT = load_content(CONTENT_DIR)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
"""Examples per property (`FUZZ_EXAMPLES=5000` for a long run; CI keeps the default)."""
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- The conversation core ----------------------------------------------------------------------

CONVERSATIONS = [letter * 64 for letter in "abcdef"]
PAYLOADS = [
    *(f"cmd:{name}" for name in ("start", "language", "help", "human", "forget", "menu", "nope")),
    *(f"lang:{code}" for code in (*LANGUAGES, "xx", "")), *(f"topic:{topic}" for topic in (*CONTENT.topics, "nope")),
    *(f"city:{city}" for city in (*CONTENT.cities, "atlantis")), "cmd:", ":", "",
]
SENTENCES = [
    "I want to kill myself", "jag vill inte leva längre", "jag fick avslag", "where can I sleep tonight in Malmö", "Göteborg",
    "می‌خواهم با یک نفر صحبت کنم", "اريد ان اتكلم مع شخص", "/start", "/help@SupportBot", "/forget", "/human", "/language", "/menu", "/", "/nope",
    *(example for topic in CONTENT.topics.values() for translation in topic.translations.values() for example in translation.examples[:1]),
]
texts = st.one_of(  # any Unicode scalar values: lone surrogates break storage, and both channels' edges replace them (text_clean)
    st.none(), st.text(), st.sampled_from(SENTENCES),
    st.builds(lambda sentence, noise: sentence + noise, st.sampled_from(SENTENCES), st.text(max_size=20)),
    st.integers(4090, 4200).map(lambda n: "x" * n),
)
incomings = st.builds(
    Incoming,
    conversation_id=st.sampled_from(CONVERSATIONS),
    channel=st.sampled_from(["web", "telegram"]),
    text=texts,
    payload=st.one_of(st.none(), st.none(), st.sampled_from(PAYLOADS), st.text(max_size=64)),
    # Coordinates on Earth: an infinite or far out-of-range one breaks the distance to safe places (found by
    # this test, reported); no channel delivers one (the webhook refuses them, the web chat takes no locations).
    location=st.one_of(st.none(), st.none(), st.none(), st.builds(Location, st.floats(-90, 90), st.floats(-180, 180))),
    # Hints as the channels hand them on (clean_locale: `SV` would be no language, see test_abuse), and arbitrary ones.
    locale_hint=st.one_of(
        st.none(), st.sampled_from(["sv", "SV", "en-GB", "ar", "fa", "FA-af", "fa-IR", "prs", "ps", "so", "Ti-er", "de", "", "_", "-"]).map(clean_locale),
        st.text(max_size=40),
    ),
    language=st.one_of(st.none(), st.none(), st.sampled_from(LANGUAGES), st.text(max_size=8)),
    attachment=st.one_of(st.none(), st.none(), st.none(), st.sampled_from(["photo", "voice", "sticker"]), st.text(max_size=20)),
)


@pytest.fixture(scope="module")
def running_core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ConversationCore, asyncio.AbstractEventLoop]]:
    """A core on SQLite with no Rasa reachable (it answers as when NLU is down, in a few milliseconds), on a loop of its own."""
    database = tmp_path_factory.mktemp("fuzz") / "core.db"
    loop = asyncio.new_event_loop()
    stack = AsyncExitStack()
    settings_ = test_settings(database_url=f"sqlite:///{database}", rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_seconds=0.2)
    core = loop.run_until_complete(stack.enter_async_context(conversation_core(settings_)))
    try:
        yield core, loop
    finally:
        loop.run_until_complete(stack.aclose())
        loop.close()


@FUZZ
@given(incoming=incomings)
def test_the_core_answers_anything_in_the_conversations_language(running_core: tuple[ConversationCore, asyncio.AbstractEventLoop], incoming: Incoming) -> None:
    core, loop = running_core
    turn = loop.run_until_complete(core.handle(incoming))
    event(f"{incoming.kind}: {'crisis' if turn.crisis else turn.topic or 'no topic'}")
    assert isinstance(turn, Turn) and turn.replies and all(reply.text for reply in turn.replies)
    assert turn.language in LANGUAGES and turn.direction == text_direction(turn.language)
    if not turn.erased:
        assert loop.run_until_complete(core.transcript(incoming.conversation_id)).language == turn.language


# --- The Telegram webhook -----------------------------------------------------------------------


@contextmanager
def served_in_thread(app: Any) -> Iterator[str]:
    """`app` served by uvicorn on loopback from a thread of its own (for tests that are not async)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", timeout_graceful_shutdown=3))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("server stopped before it started")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def bot_api_url() -> Iterator[str]:
    """The Bot API stand-in, for the apps in webhook mode (they call setWebhook at start-up, then send replies)."""
    with served_in_thread(BotApiStandIn(TOKEN).app()) as url:
        yield url


def webhook_settings(bot_api_url: str, directory: Path) -> Any:
    return test_settings(
        database_url=f"sqlite:///{directory / 'line.db'}", rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_seconds=0.2,
        telegram_token=TOKEN, telegram_api_base_url=bot_api_url, telegram_mode="webhook",
        telegram_webhook_url="https://line.example.org/telegram/webhook", telegram_webhook_secret=WEBHOOK_SECRET,
    )


@pytest.fixture(scope="module")
def webhook_client(bot_api_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(create_app(webhook_settings(bot_api_url, tmp_path_factory.mktemp("webhook")))) as client:
        yield client


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
user_ids = st.sampled_from([5550001, 5550002, 5550003]) | st.integers()
users = st.fixed_dictionaries(
    {"id": user_ids, "is_bot": st.booleans(), "first_name": st.text(max_size=20)},
    optional={"language_code": st.sampled_from(["sv", "SV", "en", "ar", "fa", "fa-af", "zz"]) | st.text(max_size=8)},
)
chats = st.fixed_dictionaries({"id": user_ids, "type": st.sampled_from(["private", "group", "channel"]) | st.text(max_size=8)})
messages = st.fixed_dictionaries(
    {"message_id": st.integers(), "date": st.integers() | st.integers(-2**63, 2**63), "chat": chats},
    optional={
        "from": users, "text": st.text() | st.sampled_from(SENTENCES), "location": st.fixed_dictionaries({"latitude": st.floats(-90, 90) | st.floats(), "longitude": st.floats(-180, 180) | st.floats()}),
        "photo": json_values, "entities": json_values, "reply_markup": json_values,
    },
)
queries = st.fixed_dictionaries(
    {"id": st.text(max_size=10), "from": users, "chat_instance": st.text(max_size=10)},
    optional={"data": st.sampled_from(PAYLOADS) | st.text(max_size=70), "message": messages},
)
updates = st.fixed_dictionaries({"update_id": st.integers()}, optional={"message": messages, "callback_query": queries, "edited_message": messages})


def _broken(update: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """`update` with one of its parts (or a part of its message) replaced by any JSON value."""
    broken = json.loads(json.dumps(update))
    target = broken.get("message") if isinstance(broken.get("message"), dict) and key != "update_id" else broken
    target[key] = value
    return broken


bodies = st.one_of(
    updates.map(lambda update: json.dumps(update).encode()),
    st.builds(_broken, updates, st.sampled_from(["update_id", "message", "from", "chat", "date", "text", "location"]), json_values).map(lambda u: json.dumps(u).encode()),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=512),
    st.integers(1, 40_000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(1, 40_000).map(lambda depth: b'{"update_id": 1, "message": ' + b"[" * depth),
)
secret_headers = st.sampled_from([SECRET, SECRET, SECRET, {}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}])


@FUZZ
@given(body=bodies, headers=secret_headers)
def test_the_webhook_never_answers_with_a_server_error(webhook_client: TestClient, body: bytes, headers: dict[str, str]) -> None:
    response = webhook_client.post("/telegram/webhook", content=body, headers={"Content-Type": "application/json", **headers})
    event(f"status {response.status_code}")
    assert response.status_code in {200, 400, 403, 413, 429}


# --- Schemathesis over the app's OpenAPI schema -------------------------------------------------

SCHEMA = schemathesis.openapi.from_dict(
    create_app(test_settings()).openapi(),  # the schema only: this app is never started
    config=schemathesis.Config.from_dict({"operations": [
        {"include-path": "/readyz", "checks": {"not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", "503"]}}},
    ]}),
)
OPERATIONS = {operation.label: operation for operation in (result.ok() for result in SCHEMA.get_all_operations())}


@pytest.fixture(scope="module")
def app_url(bot_api_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app in webhook mode, served over real HTTP by uvicorn."""
    with served_in_thread(create_app(webhook_settings(bot_api_url, tmp_path_factory.mktemp("schema")))) as url:
        yield url


def test_the_schema_covers_the_public_doors() -> None:
    assert {"GET /", "GET /privacy", "GET /healthz", "GET /readyz", "POST /telegram/webhook"} <= set(OPERATIONS)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
@settings(FUZZ, max_examples=max(EXAMPLES // 3, 1))
@given(data=st.data())
def test_no_operation_answers_with_a_server_error(app_url: str, label: str, data: st.DataObject) -> None:
    operation = OPERATIONS[label]
    case = data.draw(operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE))
    with_secret = label == "POST /telegram/webhook" and data.draw(st.sampled_from([True, True, True, False]))
    response = case.call(base_url=app_url, headers=SECRET if with_secret else None)
    event(f"status {response.status_code}")
    case.validate_response(response, checks=[not_a_server_error])
