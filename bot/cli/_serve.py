"""`supportline train|run`: train the NLU model when content changed, start Rasa and the app."""

import argparse
import asyncio
import logging
import ipaddress
from contextlib import AsyncExitStack
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn

from bot.api.main import create_app
from bot.cli._counsellors import ensure_demo_counsellor
from bot.content import load_content
from bot.core.config import Settings, get_settings
from nlu import RasaServer, serves_model, train

RASA_LOG = Path("var/rasa.log")


def _train(settings: Settings) -> Path:
    return train(load_content(settings.content_dir), models_dir=settings.models_dir, rasa_venv=settings.rasa_venv, work_dir=Path(".cache/rasa"))


def train_command(_: argparse.Namespace) -> int:
    """Train the NLU model from content/ if it changed since the last training."""
    _train(get_settings())
    return 0


def _is_local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def ensure_rasa(settings: Settings, stack: AsyncExitStack) -> str:
    """Use the Rasa at RASA_URL if it is remote or already serves our model; else train and start one."""
    if not _is_local(settings.rasa_url):
        return f"using the Rasa server at {settings.rasa_url}"
    model = _train(settings)
    if await serves_model(settings.rasa_url, model):
        return f"Rasa already serving {model.name} at {settings.rasa_url}"
    server = RasaServer(rasa_venv=settings.rasa_venv, model=model, url=settings.rasa_url, log_file=RASA_LOG)
    print(f"starting Rasa at {settings.rasa_url} (log: {RASA_LOG}) …", flush=True)
    stack.callback(server.stop)
    await server.start()
    return f"Rasa serving {model.name} at {settings.rasa_url}"


def _telegram_status(settings: Settings) -> str:
    if settings.telegram_token is None:
        return "off (set TELEGRAM_TOKEN to start the bot, see README)"
    return f"on, {settings.telegram_mode} mode"


async def _run(settings: Settings) -> None:
    logging.getLogger().setLevel(settings.log_level)
    async with AsyncExitStack() as stack:
        rasa = await ensure_rasa(settings, stack)
        demo = await ensure_demo_counsellor(settings)
        server = uvicorn.Server(uvicorn.Config(create_app(settings), host=settings.app_host, port=settings.app_port, log_level="warning", log_config=None))
        lines = [
            "", rasa,
            f"web chat: http://{settings.app_host}:{settings.app_port}/",
            f"counsellor console: http://{settings.app_host}:{settings.app_port}/console",
            *([demo] if demo else []),
            f"telegram: {_telegram_status(settings)}",
            "chat in a terminal:  .venv/bin/supportline chat",
            '                 or: .venv/bin/supportline ask --lang sv "jag fick avslag"',
            "stop with Ctrl-C",
        ]
        print("\n".join(lines), flush=True)
        await server.serve()


def run_command(_: argparse.Namespace) -> int:
    """Start everything: the NLU server (trained if needed) and the app."""
    asyncio.run(_run(get_settings()))
    return 0
