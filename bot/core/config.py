"""Settings: the only place that reads the environment."""

import base64
import hashlib

from functools import lru_cache
from pathlib import Path
from typing import Literal

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "changethis"


class Settings(BaseSettings):
    """Everything configurable, from environment variables or a `.env` file."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/supportline.db"
    content_dir: Path = Path("content")
    default_language: str = "sv"

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_seconds: float = Field(default=3.0, gt=0)
    rasa_venv: Path = Path(".venv-rasa")
    models_dir: Path = Path(".cache/models")
    nlu_confidence_threshold: float = Field(default=0.5, ge=0, le=1)
    crisis_confidence_threshold: float = Field(default=0.15, ge=0, le=1)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Every level is scrubbed of ids, names and texts (bot/core/logs.py); DEBUG shows library internals."""
    app_host: str = "127.0.0.1"
    app_port: int = 8000
    content_reload_seconds: float = Field(default=1.0, ge=0)

    handoff_opening_hours: str = "mon-sun 00:00-24:00"
    """When counsellors are on duty, in Stockholm time, e.g. `mon-fri 09:00-21:00, sat-sun 12:00-18:00`."""

    secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    """Keys the pseudonyms of young people (HMAC of their channel id): keep it secret and stable."""
    data_keys: SecretStr | None = None
    """Fernet keys, comma-separated, that encrypt message and note texts at rest: the first encrypts,
    all decrypt (`supportline keys new` makes one; see README, key rotation). Unset: one key derived
    from SECRET_KEY."""
    retention_days: int = Field(default=30, gt=0)
    """Transcripts (messages, case notes) are deleted this many days after they were written."""
    purge_every_seconds: float = Field(default=3600, gt=0)
    """How often the app deletes what is past the retention period."""
    quick_exit_url: str = "https://www.smhi.se/"
    """Where the web chat's quick exit goes: a neutral site."""

    trusted_proxies: str = ""
    """Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For names the client
    (per-address limits). Empty: the connection's own address (uvicorn --proxy-headers already resolves
    it behind a local nginx)."""
    rate_limit_messages: int = Field(default=20, gt=0)
    """Messages (web chat frames, Telegram updates) one conversation may send at once, refilled over
    RATE_LIMIT_WINDOW_SECONDS; beyond, asked to slow down, except a message the crisis safety net hears as a crisis."""
    rate_limit_window_seconds: float = Field(default=10, gt=0)
    """Over how long the rate limits refill."""
    rate_limit_address_messages: int = Field(default=100, gt=0)
    """Web chat frames from one client address per window, all its chats together (generous: many young people share one address)."""
    web_chat_sockets_per_address: int = Field(default=50, gt=0)
    """Web chats one client address may have open at once; more are closed with 1008."""
    telegram_webhook_max_bytes: int = Field(default=1_048_576, gt=0)
    """Largest webhook body read; larger gets 413."""

    telegram_token: SecretStr | None = None
    """From BotFather; without it the Telegram channel does not start."""
    telegram_api_base_url: str = "https://api.telegram.org"
    """The Bot API server (a local Bot API server, if you run one)."""
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_webhook_url: str | None = None
    """The public https URL of this app's `/telegram/webhook` (webhook mode)."""
    telegram_webhook_secret: SecretStr | None = None
    """Telegram sends it back in `X-Telegram-Bot-Api-Secret-Token` on every webhook request."""

    @model_validator(mode="after")
    def _refuse_unsafe_settings(self) -> "Settings":
        if self.environment != "development" and self.secret_key.get_secret_value() == PLACEHOLDER_SECRET:
            raise ValueError(f"SECRET_KEY is the placeholder {PLACEHOLDER_SECRET!r}: set a long random secret outside development")
        if self.telegram_token is not None and self.telegram_mode == "webhook" and not (self.telegram_webhook_url and self.telegram_webhook_secret):
            raise ValueError("webhook mode needs TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET")
        for key in self.data_keys_list():
            try:
                Fernet(key.encode())
            except ValueError as exc:
                raise ValueError(f"DATA_KEYS holds a key that is not a Fernet key ({exc}): make one with `supportline keys new`") from exc
        if not self.data_keys_list():
            raise ValueError("DATA_KEYS is set but empty")
        return self


    def data_keys_list(self) -> list[str]:
        """The data keys, newest first."""
        if self.data_keys is not None:
            return [key.strip() for key in self.data_keys.get_secret_value().split(",") if key.strip()]
        derived = hashlib.sha256(b"supportline data key:" + self.secret_key.get_secret_value().encode()).digest()
        return [base64.urlsafe_b64encode(derived).decode()]


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
