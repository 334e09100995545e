"""Anonymous by design: after a real conversation on Telegram and the web chat with a handoff, the
whole database and every line the app logged hold no raw Telegram id, name, username or message text."""

import asyncio
import json
import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from websockets.asyncio.client import connect

from bot.core.logs import scrub
from tests.conftest import CONTENT_DIR, ROOT, free_port
from tests.support.bot_api import BotApiStandIn, TOKEN, message_update
from tests.support.console import create_account, csrf_of

SUPPORTLINE = str(ROOT / ".venv" / "bin" / "supportline")
TELEGRAM_USER = 918273645
NAMES = {"first_name": "Aminakarim", "last_name": "Hosseinzadeh", "username": "amina_in_hiding"}
SECRETS = {
    "telegram": "Jag bor hos min kusin Farid på Storgatan och min mobil är 0701234567",
    "web": "Mitt riktiga namn är Zahra Rahimi och jag gömmer mig i Malmö",
    "counsellor": "Hej, jag heter Sara och jag läser det du skrev nu",
}
WEB_KEY = "privacyKey" + "x" * 33


async def wait_for_health(url: str) -> None:
    async with httpx.AsyncClient(base_url=url) as client:
        for _ in range(240):
            try:
                if (await client.get("/healthz")).json()["nlu"] == "ok":
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise AssertionError("the app did not start")


def dump_database(database_url: str) -> dict[str, list[str]]:
    """Every row of every table, as text, by table."""
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        dump = {table: [repr(row) for row in connection.execute(sa.text(f'SELECT * FROM "{table}"'))] for table in tables}
    engine.dispose()
    return dump


async def web_chat(url: str) -> None:
    """A young person on the web chat writes, then asks for a person."""
    async with connect(url.replace("http", "ws") + "/chat/socket", origin=url) as socket:  # type: ignore[arg-type]
        await socket.send(json.dumps({"type": "hello", "key": WEB_KEY, "locale": "sv"}))
        assert json.loads(await socket.recv())["type"] == "transcript"
        await socket.send(json.dumps({"type": "message", "text": SECRETS["web"]}))
        assert json.loads(await socket.recv())["type"] == "turn"
        await socket.send(json.dumps({"type": "button", "payload": "cmd:human", "label": "En människa"}))
        assert json.loads(await socket.recv())["type"] == "turn"


async def counsellor_answers_telegram(url: str, database_url: str) -> None:
    """A counsellor logs in, takes the Telegram conversation (the first request), writes to the young person and adds a note."""
    username, password = await create_account(database_url)
    async with httpx.AsyncClient(base_url=url) as console:
        token = csrf_of((await console.get("/console/login")).text)
        await console.post("/console/login", data={"username": username, "password": password, "csrf_token": token})
        csrf = csrf_of((await console.get("/console")).text)
        assert (await console.post("/console/cases/1/claim", data={"csrf_token": csrf})).status_code == 303
        assert (await console.get("/console/cases/1")).status_code == 200
        sent = await console.post("/console/cases/1/messages", data={"csrf_token": csrf, "text": SECRETS["counsellor"]})
        assert sent.status_code == 303
        await console.post("/console/cases/1/notes", data={"csrf_token": csrf, "text": "Hon nämnde sin kusin"})


async def test_a_whole_conversation_leaves_nothing_identifying_in_the_database_or_the_logs(
    bot_api: BotApiStandIn, rasa_url: str, empty_database_url: str, tmp_path: Path,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ, "CONTENT_DIR": str(CONTENT_DIR), "RASA_URL": rasa_url, "APP_PORT": str(port), "DATABASE_URL": empty_database_url,
        "ENVIRONMENT": "development", "SECRET_KEY": "test-secret-key", "LOG_LEVEL": "DEBUG",
        "TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": bot_api.base_url,
    }
    log_file = tmp_path / "app.log"
    with log_file.open("w") as log:
        app = subprocess.Popen([SUPPORTLINE, "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        await wait_for_health(url)
        bot_api.push(message_update(TELEGRAM_USER, language_code="sv", names=NAMES, text="/start"))
        await bot_api.wait_for("sendMessage", 1)
        bot_api.push(message_update(TELEGRAM_USER, language_code="sv", names=NAMES, text=SECRETS["telegram"]))
        await bot_api.wait_for("sendMessage", 2)
        bot_api.push(message_update(TELEGRAM_USER, language_code="sv", names=NAMES, text="/human"))
        await bot_api.wait_for("sendMessage", 4)
        await web_chat(url)
        await counsellor_answers_telegram(url, empty_database_url)
        delivered = await bot_api.wait_for("sendMessage", 5)
        assert delivered[-1].params["text"] == SECRETS["counsellor"] and delivered[-1].params["chat_id"] == str(TELEGRAM_USER)
    finally:
        app.send_signal(signal.SIGINT)
        app.wait(timeout=60)

    tables, logged = dump_database(empty_database_url), log_file.read_text()
    assert len(tables["messages"]) >= 10 and len(tables["conversations"]) == 2 and len(tables["case_notes"]) == 1
    assert "DEBUG" in logged and "[removed]" in logged, "the app logged no update to scrub: nothing was checked"
    dump = "\n".join(row for rows in tables.values() for row in rows)
    for kept, where in ((dump, "database"), (logged, "log")):
        for secret in (str(TELEGRAM_USER), *NAMES.values(), *SECRETS.values(), WEB_KEY, TOKEN.split(":")[1], "kusin"):
            assert secret not in kept, f"{secret!r} found in the {where}"


@pytest.mark.parametrize(("line", "kept", "gone"), [
    ("POST https://api.telegram.org/bot123456:ABC-def_ghi/sendMessage", "sendMessage", "ABC-def_ghi"),
    ("Chat(first_name='Amina', id=918273645, username='amina_x')", "Chat(", "amina_x"),
    ('{"chat": {"id": 918273645}, "text": "jag heter Amina"}', '"chat"', "Amina"),
    ("call me on +46 70 123 45 67", "call me on", "123 45"),
    ("Rasa at 127.0.0.1:40835 served nlu-5f890ef8219f6a1e in 12.5 ms", "127.0.0.1:40835 served nlu-5f890ef8219f6a1e in 12.5 ms", "[number]"),
])
def test_log_lines_keep_what_operators_need_and_lose_what_identifies(line: str, kept: str, gone: str) -> None:
    scrubbed = scrub(line)
    assert kept in scrubbed and gone not in scrubbed, scrubbed
