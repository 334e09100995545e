"""A server run as a child process: a failed start says why and leaves no process behind."""

import sys
from pathlib import Path

import httpx
import pytest

from bot.core.child_server import ChildServer
from bot.core.errors import ChildServerError


class _NeverReady(ChildServer):
    name = "the silent server"
    start_timeout_seconds = 1.0
    poll_seconds = 0.1

    async def _ready(self, client: httpx.AsyncClient) -> bool:
        return False


async def test_a_server_that_never_answers_is_stopped_when_the_wait_ends(tmp_path: Path) -> None:
    server = _NeverReady(command=[sys.executable, "-c", "import time; time.sleep(60)"], log_file=tmp_path / "server.log", environment={})
    with pytest.raises(ChildServerError, match="the silent server did not answer within 1 s"):
        await server.start()
    assert server.process is not None and server.process.poll() is not None


async def test_a_server_that_exits_at_once_fails_early_with_its_exit_code(tmp_path: Path) -> None:
    server = _NeverReady(command=[sys.executable, "-c", "print('no port free'); raise SystemExit(3)"], log_file=tmp_path / "server.log", environment={})
    with pytest.raises(ChildServerError, match="exited with code 3"):
        await server.start()
    assert "no port free" in (tmp_path / "server.log").read_text()
