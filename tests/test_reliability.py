"""Nothing lost under faults: the app killed with SIGKILL while young people write, a Bot API that
fails one call in ten; afterwards every message was answered, in order, and at most the one reply in
flight at each kill arrived twice."""

import asyncio
import os
import signal
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from bot.core.child_server import ChildServer
from tests.conftest import CONTENT_DIR, ROOT, free_port
from tests.support.bot_api import BotApiStandIn, TOKEN, message_update, serving_bot_api

SUPPORTLINE = str(ROOT / ".venv" / "bin" / "supportline")
YOUNG_PEOPLE = 50
MESSAGES_EACH = 20
KILLS = 2
"""Telegram has no idempotent send: a reply Telegram took in the instant before a SIGKILL, not yet
marked as sent, goes out again after the restart. The sender sends one at a time, so that is at most
one reply per kill; every other reply arrives exactly once."""
COMMANDS = ("/help", "/menu")
"""Each has exactly one reply, and the two replies differ: the order they arrive in can be checked."""


@pytest.fixture
async def flaky_bot_api() -> AsyncIterator[BotApiStandIn]:
    """A Bot API stand-in that fails one call in ten."""
    async with serving_bot_api(failure_rate=0.1) as stand_in:
        yield stand_in


class App(ChildServer):
    """`supportline run` as a process that can be killed and started again on the same database."""

    name = "the app"
    poll_seconds = 0.25
    grace_seconds = 60.0
    stop_signal = signal.SIGINT

    def __init__(self, env: dict[str, str], log_file: Path) -> None:
        super().__init__(command=[SUPPORTLINE, "run"], log_file=log_file, environment=env, cwd=ROOT)
        self._health = f"http://127.0.0.1:{env['APP_PORT']}/healthz"

    async def _ready(self, client: httpx.AsyncClient) -> bool:
        return (await client.get(self._health)).status_code == 200


async def test_sigkill_twice_and_a_failing_bot_api_lose_no_message(
    flaky_bot_api: BotApiStandIn, rasa_url: str, empty_database_url: str, tmp_path: Path,
) -> None:
    env = {
        **os.environ, "CONTENT_DIR": str(CONTENT_DIR), "RASA_URL": rasa_url, "APP_PORT": str(free_port()),
        "DATABASE_URL": empty_database_url, "ENVIRONMENT": "development", "SECRET_KEY": "test-secret-key",
        "TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": flaky_bot_api.base_url,
    }
    app = App(env, tmp_path / "app.log")
    users = [6600000 + number for number in range(YOUNG_PEOPLE)]
    total = YOUNG_PEOPLE * MESSAGES_EACH
    await app.start()
    try:
        for sent in range(total):
            user, turn = users[sent % YOUNG_PEOPLE], sent // YOUNG_PEOPLE
            flaky_bot_api.push(message_update(user, language_code="sv", text=COMMANDS[turn % 2]))
            if sent in (total // 3, 2 * total // 3):  # KILLS times
                await wait_for_replies(flaky_bot_api, at_least=sent // 2)
                app.kill()
                await app.start()
            await asyncio.sleep(0.005)
        await wait_until_everyone_answered(flaky_bot_api, users, timeout=240)
    finally:
        app.stop()

    failed = [call for call in flaky_bot_api.called("sendMessage") if call.result is None]
    assert failed, "the stand-in failed no sendMessage: the retries were not exercised"
    replies = replies_by_chat(flaky_bot_api)
    assert sorted(replies) == sorted(str(user) for user in users), "every young person was answered"
    help_text, menu_text = replies[str(users[0])][0], replies[str(users[0])][-1]
    assert help_text != menu_text
    repeated = {user: collapse_repeats(replies[str(user)]) for user in users}
    for user in users:
        assert repeated[user][0] == [help_text, menu_text] * (MESSAGES_EACH // 2), f"{user}: a reply lost or out of order"
    sent_twice = sum(count for _, count in repeated.values())
    print(f"{total} messages, {KILLS} kills, {len(failed)} failed sends: {sent_twice} replies sent twice")  # recorded in docs/reliability.md
    assert sent_twice <= KILLS, f"{sent_twice} replies sent twice; at most the one in flight at each SIGKILL may be"


def collapse_repeats(texts: list[str]) -> tuple[list[str], int]:
    """The texts with each immediate repetition removed, and how many were removed."""
    kept = [text for index, text in enumerate(texts) if index == 0 or text != texts[index - 1]]
    return kept, len(texts) - len(kept)


def replies_by_chat(bot_api: BotApiStandIn) -> defaultdict[str, list[str]]:
    """The texts delivered to each chat, in the order Telegram took them."""
    replies: defaultdict[str, list[str]] = defaultdict(list)
    for call in bot_api.delivered("sendMessage"):
        replies[call.params["chat_id"]].append(call.params["text"])
    return replies


async def wait_until_everyone_answered(bot_api: BotApiStandIn, users: list[int], *, timeout: float) -> None:
    """Until each young person has MESSAGES_EACH replies not counting repeats (or `timeout` passed).

    Counting all deliveries is not enough: a reply sent twice makes the total reach the number of
    messages while another young person's last reply is still on its way."""
    def everyone_answered() -> bool:
        replies = replies_by_chat(bot_api)
        return all(len(collapse_repeats(replies[str(user)])[0]) >= MESSAGES_EACH for user in users)

    await _poll_until(everyone_answered, timeout=timeout)


async def wait_for_replies(bot_api: BotApiStandIn, *, at_least: int, timeout: float = 120) -> None:
    """Until `at_least` replies have been delivered (or `timeout` seconds passed)."""
    await _poll_until(lambda: len(bot_api.delivered("sendMessage")) >= at_least, timeout=timeout)


async def _poll_until(done: Callable[[], bool], *, timeout: float) -> None:
    """Until `done()` is true or `timeout` seconds passed: the assertions afterwards tell what is missing."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not done() and loop.time() < deadline:
        await asyncio.sleep(0.2)
