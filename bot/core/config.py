"""Settings: the only place that reads the environment."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
