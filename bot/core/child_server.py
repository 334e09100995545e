"""A server run as a child process, its output in a log file: started, ready once it answers as it
should, stopped politely (as a process manager would), then firmly."""

import asyncio
import signal
import subprocess
import time
from pathlib import Path

import httpx

from bot.core.errors import ChildServerError


class ChildServer:
    """Subclasses say when the server is ready (`_ready`) and may tune the class attributes."""

    name = "the server"
    start_timeout_seconds = 60.0
    poll_seconds = 0.5
    grace_seconds = 15.0
    stop_signal = signal.SIGTERM

    def __init__(self, *, command: list[str], log_file: Path, environment: dict[str, str], cwd: Path | None = None) -> None:
        self._command, self._log_file, self._environment, self._cwd = command, log_file, environment, cwd
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The process id (once started)."""
        assert self.process is not None
        return self.process.pid

    async def _ready(self, client: httpx.AsyncClient) -> bool:
        """Whether the server answers as it should once started."""
        raise NotImplementedError

    async def start(self) -> None:
        """Start the process and wait up to `start_timeout_seconds` until it is ready; fail early if it exits."""
        self._log_file.parent.mkdir(parents=True, exist_ok=True)
        with self._log_file.open("ab") as log:
            self.process = subprocess.Popen(self._command, cwd=self._cwd, env=self._environment, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.start_timeout_seconds
        async with httpx.AsyncClient(timeout=5) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise ChildServerError(f"{self.name} exited with code {self.process.returncode}; see {self._log_file}")
                try:
                    if await self._ready(client):
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(self.poll_seconds)
        self.stop()  # no half-started server left behind
        raise ChildServerError(f"{self.name} did not answer within {self.start_timeout_seconds:.0f} s; see {self._log_file}")

    def stop(self) -> None:
        """Stop the process politely (`stop_signal`), then firmly."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(self.stop_signal)
        try:
            self.process.wait(timeout=self.grace_seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL, as a crash would: nothing gets to clean up."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
