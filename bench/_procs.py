"""The app as a real separate process (the production uvicorn command), and its memory read from /proc."""

import asyncio
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.core.child_server import ChildServer

ROOT = Path(__file__).resolve().parent.parent
UVICORN = Path(sys.executable).parent / "uvicorn"


def rss_mib(pid: int) -> float:
    """Resident memory of `pid` and its children now, in MiB (0 when it is gone)."""
    return sum(_status_kib(p, "VmRSS") for p in (pid, *_children(pid))) / 1024


def peak_rss_mib(pid: int) -> float:
    """The highest resident memory `pid` ever had (the kernel's high-water mark, VmHWM), in MiB."""
    return _status_kib(pid, "VmHWM") / 1024


def _status_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        found = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(child) for child in (task / "children").read_text().split()]
        return found
    except OSError:
        return []


@dataclass
class RssSampler:
    """Samples the resident memory of some processes every `every` seconds while running; keeps the peaks."""

    pids: dict[str, int]
    every: float = 0.2
    peaks: dict[str, float] = field(default_factory=dict)
    _task: "asyncio.Task[None] | None" = None

    async def __aenter__(self) -> "RssSampler":
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._take()

    async def _sample(self) -> None:
        while True:
            self._take()
            await asyncio.sleep(self.every)

    def _take(self) -> None:
        for name, pid in self.pids.items():
            self.peaks[name] = max(self.peaks.get(name, 0.0), rss_mib(pid))


class AppProcess(ChildServer):
    """`uvicorn --factory bot.api.main:app_from_environment` (docs/deployment.md) with settings from `environment`."""

    name = "the app"
    poll_seconds = 0.2
    grace_seconds = 20.0

    def __init__(self, *, port: int, environment: dict[str, str], log_file: Path) -> None:
        command = [
            str(UVICORN), "--factory", "bot.api.main:app_from_environment", "--host", "127.0.0.1", "--port", str(port),
            "--no-access-log", "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1", "--timeout-graceful-shutdown", "10",
        ]
        super().__init__(command=command, log_file=log_file, environment={**os.environ, **environment}, cwd=ROOT)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    async def _ready(self, client: httpx.AsyncClient) -> bool:
        return (await client.get(f"{self.url}/healthz")).status_code == 200
