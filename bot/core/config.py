"""Settings: the only place that reads the environment."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

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

    app_host: str = "127.0.0.1"
    app_port: int = 8000
    content_reload_seconds: float = Field(default=1.0, ge=0)

    handoff_opening_hours: str = "mon-sun 00:00-24:00"
    """When counsellors are on duty, in Stockholm time, e.g. `mon-fri 09:00-21:00, sat-sun 12:00-18:00`."""

    secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    """Keys the pseudonyms of young people (HMAC of their channel id): keep it secret and stable."""
    quick_exit_url: str = "https://www.smhi.se/"
    """Where the web chat's quick exit goes: a neutral site."""

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
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
