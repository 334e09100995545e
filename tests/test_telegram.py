"""The Telegram channel through python-telegram-bot's real code path: update JSON in (by polling and
by webhook), Bot API requests out to a loopback stand-in for api.telegram.org, asserted by method and payload."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path

import httpx
import pytest

from bot.api.main import create_app
from bot.channels.identity import pseudonym
from bot.channels.telegram._sender import IN_A_ROW
from bot.content import load_content
from bot.core.config import Settings
from bot.i18n import LANGUAGES, Catalogs
from bot.storage import Database, add_to_outbox, outbox_backlog
from tests.conftest import CONTENT_DIR, free_port, test_settings
from tests.support.bot_api import ApiCall, BotApiStandIn, TOKEN, button_update, message_update
from tests.support.console import create_account, csrf_of
from tests.support.servers import serving

WEBHOOK_SECRET = "webhook-secret_0123456789"
RLM = "\u200f"
CATALOGS = Catalogs()
CONTENT = load_content(CONTENT_DIR)


def bot_settings(bot_api: BotApiStandIn, rasa_url: str, tmp_path: Path, **overrides: object) -> Settings:
    return test_settings(
        rasa_url=rasa_url, database_url=f"sqlite:///{tmp_path / 'line.db'}",
        telegram_token=TOKEN, telegram_api_base_url=bot_api.base_url, **overrides,
    )


@pytest.fixture
async def polling_bot(bot_api: BotApiStandIn, rasa_url: str, tmp_path: Path) -> AsyncIterator[Settings]:
    """The app in polling mode (the default), as `supportline run` starts it."""
    settings = bot_settings(bot_api, rasa_url, tmp_path)
    async with serving(create_app(settings), free_port()):
        yield settings


async def exchange(bot_api: BotApiStandIn, update: dict[str, object], replies: int = 1) -> list[ApiCall]:
    """Deliver one update; return the `sendMessage` calls it caused."""
    before = len(bot_api.called("sendMessage"))
    bot_api.push(update)
    return (await bot_api.wait_for("sendMessage", before + replies))[before:]


def buttons(call: ApiCall) -> list[tuple[str, str]]:
    return [(button["text"], button["callback_data"]) for row in call.params["reply_markup"]["inline_keyboard"] for button in row]


async def test_a_conversation_by_polling_start_language_free_text(polling_bot: Settings, bot_api: BotApiStandIn) -> None:
    user = 5550001
    [welcome] = await exchange(bot_api, message_update(user, language_code="sv", text="/start"))
    assert welcome.params["chat_id"] == str(user)
    assert CATALOGS.text("sv", "start.welcome") in welcome.params["text"]
    assert welcome.params["parse_mode"] == "Markdown"
    assert [payload for _, payload in buttons(welcome)] == [f"lang:{code}" for code in LANGUAGES]

    [menu] = await exchange(bot_api, button_update(user, sent=welcome, payload="lang:ar", language_code="sv"))
    [answered] = bot_api.called("answerCallbackQuery")
    assert answered.params["callback_query_id"]
    assert menu.params["text"] == "\n".join(RLM + line if line else line for line in CATALOGS.text("ar", "language.set").split("\n"))
    assert all(len(payload.encode()) <= 64 for _, payload in buttons(menu))

    question = CONTENT.topics["rejection_next_steps"].translations["ar"].examples[0]
    [answer] = await exchange(bot_api, message_update(user, language_code="sv", text=question))
    first_line = CONTENT.topics["rejection_next_steps"].translations["ar"].answer.splitlines()[0]
    assert RLM + first_line in answer.params["text"]
    assert all(line.startswith(RLM) for line in answer.params["text"].split("\n") if line)
    assert "topic:talk_to_human" in [payload for _, payload in buttons(answer)]
    assert answer.params["link_preview_options"] == {"is_disabled": True}


async def test_commands_are_registered_in_every_language(polling_bot: Settings, bot_api: BotApiStandIn) -> None:
    calls = await bot_api.wait_for("setMyCommands", len(LANGUAGES) + 1)
    by_language = {call.params.get("language_code"): call.params["commands"] for call in calls}
    assert set(by_language) == {"sv", "en", "ar", "fa", "ps", "so", "ti", None}
    assert {command["command"] for command in by_language["fa"]} == {"start", "menu", "human", "language", "help", "forget"}
    human = next(command for command in by_language["ti"] if command["command"] == "human")
    assert human["description"] == CATALOGS.text("ti", "commands.human")


async def test_pictures_voice_stickers_and_files_get_a_friendly_reply_and_are_never_downloaded(polling_bot: Settings, bot_api: BotApiStandIn) -> None:
    file = {"file_id": "AgAD", "file_unique_id": "AQAD"}
    attachments = {
        "photo": [{**file, "width": 90, "height": 90}],
        "voice": {**file, "duration": 3},
        "sticker": {**file, "width": 512, "height": 512, "is_animated": False, "is_video": False, "type": "regular"},
        "document": {**file, "file_name": "beslut.pdf"},
    }
    for kind, attachment in attachments.items():
        [reply] = await exchange(bot_api, message_update(5550002, language_code="en", **{kind: attachment}))
        assert reply.params["text"].startswith(CATALOGS.text("en", "attachment.unsupported")), kind
    assert not bot_api.called("getFile")


async def test_a_shared_location_gets_the_nearest_safe_places(polling_bot: Settings, bot_api: BotApiStandIn) -> None:
    [reply] = await exchange(bot_api, message_update(5550003, language_code="en", location={"latitude": 59.3326, "longitude": 18.0649}))
    assert CATALOGS.text("en", "places.near_you") in reply.params["text"]
    assert CATALOGS.text("en", "places.location_not_stored") in reply.params["text"]


async def test_a_reply_telegram_keeps_refusing_waits_in_the_outbox_and_arrives_later(bot_api: BotApiStandIn, rasa_url: str, tmp_path: Path) -> None:
    settings = bot_settings(bot_api, rasa_url, tmp_path)
    async with serving(create_app(settings), free_port()) as url, httpx.AsyncClient(base_url=url) as http:
        for _ in range(5):  # more than the in-call retries
            bot_api.fail_next("sendMessage", 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
        bot_api.push(message_update(5550012, language_code="sv", text="/help"))
        await bot_api.wait_for("sendMessage", 5)
        assert "supportline_outbox_backlog_messages 1.0" in (await http.get("/metrics")).text
        [delivered] = [call for call in await bot_api.wait_for("sendMessage", 6) if call.result is not None]
        assert delivered.params["chat_id"] == "5550012" and delivered.params["text"].startswith(CATALOGS.text("sv", "help.text").split("\n")[0])
        for _ in range(50):  # the outbox row goes once the reply to the send has come back
            if "supportline_outbox_backlog_messages 0.0" in (await http.get("/metrics")).text:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the delivered reply stayed in the outbox")


async def test_a_queued_message_without_a_telegram_chat_leaves_the_outbox_and_blocks_nothing(polling_bot: Settings, bot_api: BotApiStandIn) -> None:
    user = 5550013
    await exchange(bot_api, message_update(user, language_code="sv", text="/start"))
    database = Database(polling_bot.database_url, keys=polling_bot.data_keys_list())
    try:
        async with database.session() as session:  # e.g. an address that could not be decrypted: first in this young person's line
            conversation_id = pseudonym(secret=polling_bot.secret_key, channel="telegram", user_id=user)
            add_to_outbox(session, conversation_id=conversation_id, channel="telegram", address="not-a-chat", language="sv", text="lost")
            await session.commit()
        [reply] = await exchange(bot_api, message_update(user, language_code="sv", text="/help"))
        assert reply.params["chat_id"] == str(user) and reply.params["text"].startswith(CATALOGS.text("sv", "help.text").split("\n")[0])
        await _until_the_outbox_is_empty(database)  # the reply's row goes once Telegram's answer to the send is back
    finally:
        await database.close()
    assert not any(call.params.get("text") == "lost" for call in bot_api.called("sendMessage"))


async def test_a_backlog_longer_than_one_batch_goes_out_whole_and_in_order(polling_bot: Settings, bot_api: BotApiStandIn) -> None:
    user = 5550014
    await exchange(bot_api, message_update(user, language_code="sv", text="/start"))
    database = Database(polling_bot.database_url, keys=polling_bot.data_keys_list())
    backlog = [f"meddelande {number}" for number in range(3 * IN_A_ROW + 1)]  # e.g. a counsellor wrote while Telegram was down
    try:
        async with database.session() as session:
            conversation_id = pseudonym(secret=polling_bot.secret_key, channel="telegram", user_id=user)
            for text in backlog:
                add_to_outbox(session, conversation_id=conversation_id, channel="telegram", address=str(user), language="sv", text=text, markdown=False)
            await session.commit()
        bot_api.push(message_update(user, language_code="sv", text="/help"))  # its turn wakes the sender
        await _until_the_outbox_is_empty(database)
    finally:
        await database.close()
    texts = [call.params["text"] for call in bot_api.called("sendMessage") if call.params["chat_id"] == str(user)]
    assert texts[1:-1] == backlog and texts[-1].startswith(CATALOGS.text("sv", "help.text").split("\n")[0])


async def _until_the_outbox_is_empty(database: Database, *, seconds: float = 10.0) -> None:
    for _ in range(int(seconds * 10)):
        async with database.session() as session:
            if await outbox_backlog(session) == 0:
                return
        await asyncio.sleep(0.1)
    raise AssertionError("the outbox kept messages")


async def test_forget_also_clears_the_chat_as_far_as_telegram_allows(polling_bot: Settings, bot_api: BotApiStandIn) -> None:
    user = 5550011
    start = message_update(user, language_code="sv", text="/start")
    [welcome] = await exchange(bot_api, start)
    question = message_update(user, language_code="sv", text="/help")
    [help_reply] = await exchange(bot_api, question)
    bot_api.fail_next("deleteMessages", 400, {"ok": False, "error_code": 400, "description": "Bad Request: message can't be deleted"})
    forget = message_update(user, language_code="sv", text="/forget")
    [done] = await exchange(bot_api, forget)
    assert done.params["text"].startswith(CATALOGS.text("sv", "forget.done"))
    [deleted] = bot_api.called("deleteMessages")
    assert deleted.params["chat_id"] == str(user)
    sent_ids = [call.result["message_id"] for call in (welcome, help_reply)]
    asked = [update["message"]["message_id"] for update in (start, question, forget)]
    assert sorted(deleted.params["message_ids"]) == sorted([*asked, *sent_ids]), "the young person's messages and the bot's"
    again = message_update(user, language_code="sv", text="/forget")
    await exchange(bot_api, again)
    [_, cleared] = bot_api.called("deleteMessages")
    assert sorted(cleared.params["message_ids"]) == sorted([done.result["message_id"], again["message"]["message_id"]])


async def test_group_chats_are_never_answered(polling_bot: Settings, bot_api: BotApiStandIn) -> None:
    bot_api.push(message_update(5550004, chat_type="group", text="hej, jag fick avslag"))
    [reply] = await exchange(bot_api, message_update(5550005, language_code="en", text="/help"))
    assert reply.params["chat_id"] == "5550005"
    assert len(bot_api.called("sendMessage")) == 1


async def test_no_raw_telegram_id_is_stored(polling_bot: Settings, bot_api: BotApiStandIn, tmp_path: Path) -> None:
    user = 918273645
    await exchange(bot_api, message_update(user, language_code="sv", text="/start"))
    await exchange(bot_api, message_update(user, language_code="sv", text="/help"))
    with sqlite3.connect(tmp_path / "line.db") as database:
        ids = [row[0] for row in database.execute("SELECT id FROM conversations")]
        rows = [repr(row) for table in ("conversations", "messages", "handoff_requests") for row in database.execute(f"SELECT * FROM {table}")]
    assert ids == [pseudonym(secret=polling_bot.secret_key, channel="telegram", user_id=user)]
    assert rows and not any(str(user) in row for row in rows)


async def test_flood_control_and_network_errors_are_waited_out_and_retried(polling_bot: Settings, bot_api: BotApiStandIn) -> None:
    bot_api.fail_next("sendMessage", 429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}})
    bot_api.fail_next("sendMessage", 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
    bot_api.push(message_update(5550006, language_code="en", text="/help"))
    first, second, delivered = await bot_api.wait_for("sendMessage", 3)
    assert first.params == second.params == delivered.params
    assert second.at - first.at >= 1.0, "the retry came before Telegram's retry_after"


@pytest.fixture
async def webhook_bot(bot_api: BotApiStandIn, rasa_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """The app in webhook mode; yields its base URL."""
    settings = bot_settings(
        bot_api, rasa_url, tmp_path, telegram_mode="webhook",
        telegram_webhook_url="https://line.example.org/telegram/webhook", telegram_webhook_secret=WEBHOOK_SECRET,
    )
    async with serving(create_app(settings), free_port()) as url:
        yield url


async def test_webhook_mode_registers_the_webhook_with_its_secret(webhook_bot: str, bot_api: BotApiStandIn) -> None:
    [registered] = bot_api.called("setWebhook")
    assert registered.params["url"] == "https://line.example.org/telegram/webhook"
    assert registered.params["secret_token"] == WEBHOOK_SECRET
    assert not bot_api.called("getUpdates")


async def test_webhook_refuses_requests_without_the_secret_and_processes_nothing(webhook_bot: str, bot_api: BotApiStandIn) -> None:
    update = message_update(5550007, language_code="en", text="/start")
    async with httpx.AsyncClient(base_url=webhook_bot) as client:
        missing = await client.post("/telegram/webhook", json=update)
        wrong = await client.post("/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
        malformed = await client.post("/telegram/webhook", content=b"{not json", headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
        not_an_update = await client.post("/telegram/webhook", json={"hello": 1}, headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
        assert (missing.status_code, wrong.status_code, malformed.status_code, not_an_update.status_code) == (403, 403, 400, 400)
        accepted = await client.post("/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
        assert accepted.status_code == 200
    [welcome] = await bot_api.wait_for("sendMessage")
    assert CATALOGS.text("en", "start.welcome") in welcome.params["text"]
    assert len(bot_api.called("sendMessage")) == 1, "a refused request was processed"


async def test_a_counsellors_messages_reach_the_young_person_on_telegram(bot_api: BotApiStandIn, rasa_url: str, tmp_path: Path) -> None:
    settings = bot_settings(bot_api, rasa_url, tmp_path, environment="development")
    async with serving(create_app(settings), free_port()) as url:
        await exchange(bot_api, message_update(5550008, language_code="sv", text="/human"), replies=2)
        username, password = await create_account(settings.database_url)
        async with httpx.AsyncClient(base_url=url) as console:
            token = csrf_of((await console.get("/console/login")).text)
            await console.post("/console/login", data={"username": username, "password": password, "csrf_token": token})
            csrf = csrf_of((await console.get("/console")).text)
            assert (await console.post("/console/cases/1/claim", data={"csrf_token": csrf})).status_code == 303
            [delivered] = await exchange_from_console(bot_api, console.post("/console/cases/1/messages", data={"csrf_token": csrf, "text": "Hej, jag heter Sara."}))
            assert delivered.params == {"chat_id": "5550008", "text": "Hej, jag heter Sara.", "link_preview_options": {"is_disabled": True}}

            before = len(bot_api.called("sendMessage"))
            bot_api.push(message_update(5550008, language_code="sv", text="Tack, jag är här"))
            for _ in range(100):
                if "Tack, jag är här" in (await console.get("/console/cases/1/transcript")).text:
                    break
                await asyncio.sleep(0.1)
            else:
                pytest.fail("the young person's message never reached the counsellor")
            assert len(bot_api.called("sendMessage")) == before, "the bot answered while a counsellor had the conversation"


async def test_a_waiting_young_person_on_telegram_hears_when_they_move_up(bot_api: BotApiStandIn, rasa_url: str, tmp_path: Path) -> None:
    settings = bot_settings(bot_api, rasa_url, tmp_path, environment="development")
    async with serving(create_app(settings), free_port()) as url:
        username, password = await create_account(settings.database_url)
        async with httpx.AsyncClient(base_url=url) as console:
            token = csrf_of((await console.get("/console/login")).text)
            await console.post("/console/login", data={"username": username, "password": password, "csrf_token": token})
            csrf = csrf_of((await console.get("/console")).text)
            await exchange(bot_api, message_update(5550009, language_code="sv", text="/human"), replies=2)
            [_, place] = await exchange(bot_api, message_update(5550010, language_code="sv", text="/human"), replies=2)
            assert place.params["text"].startswith(CATALOGS.text("sv", "handoff.position", position=2))
            [moved_up] = await exchange_from_console(bot_api, console.post("/console/cases/1/claim", data={"csrf_token": csrf}))
            assert moved_up.params["chat_id"] == "5550010"
            assert moved_up.params["text"].startswith(CATALOGS.text("sv", "handoff.position", position=1))


async def exchange_from_console(bot_api: BotApiStandIn, action: Awaitable[httpx.Response]) -> list[ApiCall]:
    """Run a console action; return the `sendMessage` calls it caused."""
    before = len(bot_api.called("sendMessage"))
    assert (await action).status_code == 303
    return (await bot_api.wait_for("sendMessage", before + 1))[before:]
