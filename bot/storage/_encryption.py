"""Texts at rest: message and note texts are stored encrypted (Fernet: AES-128-CBC + HMAC-SHA256).

Several keys may be configured: the first encrypts, every one decrypts, so a key can be rotated
(`supportline keys rotate` re-encrypts everything with the first). The keyring travels with the
engine's dialect, the one object SQLAlchemy hands a column type, so each Database has its own.
"""

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Dialect, Text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import TypeDecorator

from bot.storage._errors import StorageError

_KEYRING = "supportline_keyring"
FERNET_PREFIX = "gAAAAA"
"""How every Fernet token begins (version byte 0x80, then the timestamp's high bytes)."""


class UnreadableText(StorageError):
    """A stored text none of the configured keys opens: a key was removed before `keys rotate`."""


class Keyring:
    """The configured data keys: the first encrypts, all decrypt."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one data key is needed")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def encrypt(self, text: str) -> str:
        """`text` as a token under the first key."""
        return self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, token: str) -> str:
        """The text of a token made under any configured key."""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise UnreadableText("a stored text cannot be decrypted with the configured DATA_KEYS") from exc

    def rotate(self, stored: str) -> str:
        """`stored` re-encrypted under the first key (a plain text left from before encryption, encrypted)."""
        if not stored.startswith(FERNET_PREFIX):
            return self.encrypt(stored)
        try:
            return self._fernet.rotate(stored.encode()).decode()
        except InvalidToken as exc:
            raise UnreadableText("a stored text cannot be decrypted with the configured DATA_KEYS") from exc


def attach_keyring(engine: AsyncEngine, keyring: Keyring) -> None:
    """Let `EncryptedText` columns of this engine use `keyring`."""
    setattr(engine.sync_engine.dialect, _KEYRING, keyring)


def keyring_of(dialect: Dialect) -> Keyring:
    """The keyring of the engine this dialect belongs to."""
    keyring = getattr(dialect, _KEYRING, None)
    if keyring is None:
        raise StorageError("this database has no data keys: open it through Database(url, keys=...)")
    return keyring


class EncryptedText(TypeDecorator[str]):
    """Text stored as a Fernet token; Python code only ever sees the plain text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else keyring_of(dialect).encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else keyring_of(dialect).decrypt(value)
