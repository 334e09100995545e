"""The running core picks up content edits, and keeps the last good version when an edit is broken."""

import logging
import secrets
import shutil
from pathlib import Path

import pytest

from bot.conversation import Incoming
from bot.runtime import conversation_core
from tests.conftest import CONTENT_DIR, free_port, test_settings


async def test_edits_are_picked_up_and_broken_edits_are_not(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    content_dir = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content_dir)
    settings = test_settings(content_dir=content_dir, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", rasa_url=f"http://127.0.0.1:{free_port()}")
    topic_file = content_dir / "topics" / "school.yml"
    original = topic_file.read_text(encoding="utf-8")
    marker = "Du har rätt att gå i skolan i Sverige"

    async with conversation_core(settings) as core:
        async def school_answer() -> str:
            turn = await core.handle(Incoming(secrets.token_hex(8), "test", payload="topic:school", language="sv"))
            return turn.replies[0].text

        assert marker in original and marker in await school_answer()

        topic_file.write_text(original.replace(marker, "Redigerad text: alla barn har rätt till skola"), encoding="utf-8")
        assert "Redigerad text" in await school_answer()

        with caplog.at_level(logging.ERROR):
            topic_file.write_text(original.replace("status: reviewed", "status: finished", 1), encoding="utf-8")
            assert "Redigerad text" in await school_answer()
        assert "content changed but is broken" in caplog.text and f"{topic_file}:" in caplog.text
