"""What is kept, and how: texts encrypted at rest, keys rotated, transcripts purged after the retention period."""

import os
import secrets
import subprocess
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError
from sqlalchemy import Text, select, text, type_coerce

from bot.core.config import Settings
from bot.storage import (
    FERNET_PREFIX, CaseNote, Conversation, Counsellor, Database, HandoffRequest, Message, UnreadableText, add_message, purge_expired,
    reencrypt_texts, utcnow,
)
from bot.upkeep import purge_once
from tests.conftest import ROOT, migrated

SUPPORTLINE = str(ROOT / ".venv" / "bin" / "supportline")
SECRET_WORDS = "jag heter Amina och bor på Storgatan"


async def write_message(database: Database, words: str, *, conversation_id: str | None = None, age: timedelta = timedelta(0)) -> str:
    """One young person's message, written `age` ago; returns its conversation id."""
    conversation_id = conversation_id or secrets.token_hex(16)
    async with database.session() as session:
        if await session.get(Conversation, conversation_id) is None:
            session.add(Conversation(id=conversation_id, channel="web", updated_at=utcnow() - age))
        message = add_message(session, conversation_id=conversation_id, sender="young_person", kind="text", text=words)
        message.created_at = utcnow() - age
        await session.commit()
    return conversation_id


async def stored_texts(database: Database, conversation_id: str) -> list[str]:
    """The conversation's message texts exactly as the database holds them."""
    async with database.session() as session:
        query = text("SELECT text FROM messages WHERE conversation_id = :id ORDER BY id")
        return list((await session.execute(query, {"id": conversation_id})).scalars())


async def test_message_texts_are_encrypted_in_the_database_and_read_back_plain(database_url: str) -> None:
    async with migrated(database_url) as database:
        conversation_id = await write_message(database, SECRET_WORDS)
        [stored] = await stored_texts(database, conversation_id)
        assert stored.startswith(FERNET_PREFIX) and "Amina" not in stored
        async with database.session() as session:
            read = await session.scalars(select(Message.text).where(Message.conversation_id == conversation_id))
            assert read.all() == [SECRET_WORDS]


async def test_case_notes_are_encrypted_too(empty_database_url: str) -> None:
    async with migrated(empty_database_url) as database:
        conversation_id = await write_message(database, "hej")
        async with database.session() as session:
            counsellor = Counsellor(username="sara", display_name="Sara", languages=["sv"], role="counsellor", max_concurrent=3, password_hash="-")
            request = HandoffRequest(conversation_id=conversation_id, priority="normal", state="queued")
            session.add_all([counsellor, request])
            await session.flush()
            session.add(CaseNote(request_id=request.id, counsellor_id=counsellor.id, text="bor hos sin kusin i Malmö"))
            await session.commit()
            raw = (await session.execute(text("SELECT text FROM case_notes"))).scalar_one()
            assert raw.startswith(FERNET_PREFIX) and "Malmö" not in raw
            assert (await session.scalar(select(CaseNote.text))) == "bor hos sin kusin i Malmö"


async def test_a_key_is_rotated_without_losing_a_message(empty_database_url: str) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    database = Database(empty_database_url, keys=[old])
    await database.migrate()
    conversation_id = await write_message(database, SECRET_WORDS)
    await database.close()

    both = Database(empty_database_url, keys=[new, old])
    async with both.session() as session:
        assert await reencrypt_texts(session) == 1
        await session.commit()
    await both.close()

    only_new = Database(empty_database_url, keys=[new])
    async with only_new.session() as session:
        assert (await session.scalar(select(Message.text).where(Message.conversation_id == conversation_id))) == SECRET_WORDS
    await only_new.close()
    only_old = Database(empty_database_url, keys=[old])
    async with only_old.session() as session:
        with pytest.raises(UnreadableText):
            await session.scalar(select(Message.text))
    await only_old.close()


async def test_rotation_encrypts_a_text_left_in_plain(empty_database_url: str) -> None:
    async with migrated(empty_database_url) as database:
        conversation_id = await write_message(database, "hej")
        async with database.session() as session:
            await session.execute(text("UPDATE messages SET text = 'skrivet före krypteringen'"))
            assert await reencrypt_texts(session) == 1
            await session.commit()
            raw = (await session.execute(select(type_coerce(Message.text, Text)))).scalar_one()
            assert raw.startswith(FERNET_PREFIX)
            assert (await session.scalar(select(Message.text).where(Message.conversation_id == conversation_id))) == "skrivet före krypteringen"


async def test_the_purge_deletes_old_transcripts_but_keeps_a_young_person_still_waiting(empty_database_url: str) -> None:
    async with migrated(empty_database_url) as database:
        forgotten = await write_message(database, "gammalt", age=timedelta(days=31))
        waiting = await write_message(database, "väntar fortfarande", age=timedelta(days=31))
        recent = await write_message(database, "gammalt", age=timedelta(days=31))
        await write_message(database, "nytt", conversation_id=recent)
        async with database.session() as session:
            session.add(HandoffRequest(conversation_id=waiting, priority="normal", state="queued"))
            await session.commit()

        purged = await purge_once(database, keep_for=timedelta(days=30))

        assert (purged.conversations, purged.messages) == (1, 3)
        async with database.session() as session:
            assert await session.get(Conversation, forgotten) is None
            assert await session.get(Conversation, waiting) is not None
            assert (await session.scalars(select(Message.text))).all() == ["nytt"]
            again = await purge_expired(session, now=utcnow(), keep_for=timedelta(days=30))
            assert (again.conversations, again.messages) == (0, 0)


def test_the_purge_and_key_commands_work_from_the_shell(tmp_path: object) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/supportline.db", "ENVIRONMENT": "development"}
    key = subprocess.run([SUPPORTLINE, "keys", "new"], capture_output=True, text=True, env=env, check=True).stdout.strip()
    Fernet(key.encode())  # a usable key
    env["DATA_KEYS"] = key
    purged = subprocess.run([SUPPORTLINE, "purge"], capture_output=True, text=True, env=env, check=True).stdout
    assert "older than 30 days, deleted: 0 conversations, 0 messages" in purged
    rotated = subprocess.run([SUPPORTLINE, "keys", "rotate"], capture_output=True, text=True, env=env, check=True).stdout
    assert rotated.startswith("re-encrypted 0 texts")
    refused = subprocess.run([SUPPORTLINE, "purge"], capture_output=True, text=True, env={**env, "DATA_KEYS": "not-a-key"})
    assert refused.returncode != 0 and "DATA_KEYS holds a key that is not a Fernet key" in refused.stderr


def test_settings_refuse_a_broken_data_key() -> None:
    with pytest.raises(ValidationError, match="not a Fernet key"):
        Settings(data_keys="short")  # type: ignore[arg-type]
    assert Settings(data_keys=f" {Fernet.generate_key().decode()} , {Fernet.generate_key().decode()}").data_keys_list()[1]  # type: ignore[arg-type]
