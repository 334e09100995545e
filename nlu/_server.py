"""Running a Rasa server as a child process, and waiting until it serves the wanted model."""

from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bot.core.child_server import ChildServer, ChildServerError
from nlu._client import RasaClient
from nlu._errors import NLUSetupError, NLUUnavailable
from nlu._training import rasa_environment, rasa_executable


class RasaServer(ChildServer):
    """`rasa run --enable-api` serving one model on loopback."""

    name = "Rasa"
    start_timeout_seconds = 180.0

    def __init__(self, *, rasa_venv: Path, model: Path, url: str, log_file: Path) -> None:
        command = [
            str(rasa_executable(rasa_venv)), "run", "--enable-api", "--model", str(model),
            "--interface", urlsplit(url).hostname or "127.0.0.1", "--port", str(urlsplit(url).port or 5005),
        ]
        super().__init__(command=command, log_file=log_file, environment=rasa_environment())
        self.url = url
        self.model = model

    async def start(self) -> None:
        """Start Rasa and wait until it answers with our model loaded."""
        try:
            await super().start()
        except ChildServerError as exc:
            raise NLUSetupError(str(exc)) from exc

    async def _ready(self, client: httpx.AsyncClient) -> bool:
        return await serves_model(self.url, self.model)


async def serves_model(url: str, model: Path) -> bool:
    """Whether a Rasa server at `url` is up and serving `model`."""
    client = RasaClient(url, timeout_seconds=2.0)
    try:
        status = await client.status()
    except NLUUnavailable:
        return False
    finally:
        await client.aclose()
    return status.get("model_file") == model.name
