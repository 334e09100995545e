"""Running a Rasa server as a child process, and waiting until it serves the wanted model."""

import asyncio
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

from nlu._client import RasaClient
from nlu._errors import NLUSetupError, NLUUnavailable
from nlu._training import rasa_environment, rasa_executable


class RasaServer:
    """`rasa run --enable-api` serving one model on loopback."""

    def __init__(self, *, rasa_venv: Path, model: Path, url: str, log_file: Path) -> None:
        self.url = url
        self.model = model
        self._command = [
            str(rasa_executable(rasa_venv)), "run", "--enable-api", "--model", str(model),
            "--interface", urlsplit(url).hostname or "127.0.0.1", "--port", str(urlsplit(url).port or 5005),
        ]
        self._log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The Rasa process id (once started)."""
        assert self._process is not None
        return self._process.pid

    async def start(self, *, timeout_seconds: float = 180.0) -> None:
        """Start Rasa and wait until it answers with our model loaded."""
        self._log_file.parent.mkdir(parents=True, exist_ok=True)
        with self._log_file.open("ab") as log:
            self._process = subprocess.Popen(self._command, stdout=log, stderr=subprocess.STDOUT, env=rasa_environment())
        await wait_until_serving(self.url, self.model, timeout_seconds=timeout_seconds, process=self._process)

    def stop(self) -> None:
        """Stop Rasa (politely, then firmly)."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


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


async def wait_until_serving(url: str, model: Path, *, timeout_seconds: float, process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll until Rasa serves `model`; fail early if its process died."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise NLUSetupError(f"Rasa exited with code {process.returncode} before it was ready")
        if await serves_model(url, model):
            return
        await asyncio.sleep(0.5)
    raise NLUSetupError(f"Rasa did not serve {model.name} at {url} within {timeout_seconds:.0f} s")
