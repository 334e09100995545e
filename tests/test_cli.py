"""The `supportline` command as a person runs it: ask, classify, content stats, run; and set-up messages."""

import asyncio
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from bot.console import authenticate
from bot.content import load_content
from bot.runtime import open_database
from tests.conftest import CONTENT_DIR, ROOT, free_port, test_settings

SUPPORTLINE = str(ROOT / ".venv" / "bin" / "supportline")


def _env(**overrides: str) -> dict[str, str]:
    return {**os.environ, "CONTENT_DIR": str(CONTENT_DIR), **overrides}


@pytest.mark.parametrize(("language", "text"), [
    ("sv", "jag fick avslag på min asylansökan"),
    ("ar", "حصلت على رفض لطلب اللجوء"),
    ("ti", "ናይ ዑቕባ ሕቶይ ተነጺጉ እንታይ ክገብር"),
])
def test_ask_answers_a_rejection_in_the_chosen_language(rasa_url: str, language: str, text: str) -> None:
    result = subprocess.run([SUPPORTLINE, "ask", "--lang", language, "--json", text], capture_output=True, text=True, env=_env(RASA_URL=rasa_url), check=True)
    turn = json.loads(result.stdout)
    assert turn["topic"] == "rejection_next_steps" and turn["language"] == language and not turn["crisis"]
    expected = load_content(CONTENT_DIR).topics["rejection_next_steps"].translations[language].answer
    assert turn["replies"][0]["text"].startswith(expected)


def test_classify_answers_every_line_in_order_and_names_bad_ones(rasa_url: str) -> None:
    lines = [
        {"text": "jag fick avslag", "lang": "sv"},
        "this is not json",
        {"text": "I want to kill myself"},
        {"text": "ሕማም ኣለኒ ሓኪም ደልየ", "lang": "ti"},
        {"lang": "en"},
        {"text": "ኣብ ሽወደን ትምህርቲ ክመሃር መሰል ኣለኒ ድዩ"},
    ]
    stdin = "\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
    result = subprocess.run([SUPPORTLINE, "classify"], input=stdin, capture_output=True, text=True, env=_env(RASA_URL=rasa_url), check=True)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines)
    assert out[0]["topic"] == "rejection_next_steps" and out[0]["language"] == "sv" and out[0]["crisis"] is False
    assert "error" in out[1] and "error" in out[4]
    assert out[2]["crisis"] is True and out[2]["topic"] == "crisis"
    assert out[3]["topic"] == "healthcare" and out[3]["language"] == "ti"
    assert set(out[0]) == {"topic", "crisis", "language", "confidence"}
    assert out[5]["language"] == "ti" and out[2]["language"] == "en"


def test_content_stats_shows_every_topic_in_every_language() -> None:
    result = subprocess.run([SUPPORTLINE, "content", "stats"], capture_output=True, text=True, env=_env(), check=True)
    content = load_content(CONTENT_DIR)
    for topic_id in content.topics:
        row = next(line for line in result.stdout.splitlines() if line.startswith(topic_id + " "))
        assert row.split()[1:8] == ["R", "R", "d", "d", "d", "d", "d"]
    assert f"{len(content.topics)} topics x 7 languages: {len(content.topics) * 7} of {len(content.topics) * 7} present" in result.stdout


def test_run_starts_rasa_and_the_app_and_stops_both(rasa_url: str, tmp_path: Path) -> None:
    """`supportline run` (what `make run` starts): trains if needed, starts its own Rasa, then the app."""
    rasa_port, app_port = free_port(), free_port()
    env = _env(RASA_URL=f"http://127.0.0.1:{rasa_port}", APP_PORT=str(app_port), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}")
    process = subprocess.Popen([SUPPORTLINE, "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        health = _wait_for_health(app_port, timeout=180)
        assert health["status"] == "ok" and health["nlu"] == "ok"
        asked = subprocess.run([SUPPORTLINE, "ask", "--lang", "sv", "--json", "jag fick avslag på min asylansökan"],
                               capture_output=True, text=True, env=env, check=True)
        assert json.loads(asked.stdout)["topic"] == "rejection_next_steps"
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert "chat in a terminal" in output
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{rasa_port}/status", timeout=2)
    demo = re.search(r"demo counsellor created: username demo, password (\S+)", output)
    assert demo, output
    assert asyncio.run(_can_log_in(env["DATABASE_URL"], "demo", demo.group(1)))


async def _can_log_in(database_url: str, username: str, password: str) -> bool:
    async with open_database(test_settings(database_url=database_url)) as database, database.session() as session:
        return await authenticate(session, username=username, password=password) is not None


def _wait_for_health(port: int, *, timeout: float) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
        except httpx.HTTPError:
            time.sleep(0.5)
    raise AssertionError(f"the app did not answer on port {port} within {timeout} s")


def test_setup_without_python_3_10_says_how_to_get_one(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "no-pyenv")}
    result = subprocess.run(["make", "-s", f"RASA_VENV={tmp_path / 'rasa'}", f"{tmp_path / 'rasa'}/.installed"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "Rasa 3.6 needs Python 3.10" in result.stdout and "RASA_URL=" in result.stdout


def test_counsellor_accounts_from_the_command_line(tmp_path: Path) -> None:
    env = _env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}")

    def supportline(*args: str) -> str:
        return subprocess.run([SUPPORTLINE, "counsellor", *args], capture_output=True, text=True, env=env, check=True).stdout

    first = re.search(r"password, shown only now: (\S+)", supportline("add", "sara", "--name", "Sara", "--languages", "sv,fa-AF"))
    assert first and asyncio.run(_can_log_in(env["DATABASE_URL"], "sara", first.group(1)))
    again = subprocess.run([SUPPORTLINE, "counsellor", "add", "sara"], capture_output=True, text=True, env=env)
    assert again.returncode == 2 and "sara already exists" in again.stderr
    second = re.search(r"shown only now: (\S+)", supportline("reset-password", "sara"))
    assert second and not asyncio.run(_can_log_in(env["DATABASE_URL"], "sara", first.group(1)))
    assert asyncio.run(_can_log_in(env["DATABASE_URL"], "sara", second.group(1)))
    supportline("disable", "sara")
    assert not asyncio.run(_can_log_in(env["DATABASE_URL"], "sara", second.group(1)))
