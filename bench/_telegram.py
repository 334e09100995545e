"""The tests' loopback Bot API stand-in (tests/support/bot_api.py), telling each chat's waiter when a `sendMessage` arrives."""

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.support.bot_api import TOKEN, ApiCall, BotApiStandIn
from tests.support.servers import free_port, serving


@dataclass
class Arrival:
    """A `sendMessage` the stand-in received: when (perf_counter seconds), and the call."""

    at: float
    call: ApiCall


@dataclass
class ReplyWatchingStandIn(BotApiStandIn):
    """The stand-in, with one queue of arriving `sendMessage`s per chat (the calls list is not kept: it would grow all run)."""

    arrivals: defaultdict[int, "asyncio.Queue[Arrival]"] = field(default_factory=lambda: defaultdict(asyncio.Queue))

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        result = super()._result(method, params)
        if method == "sendMessage":
            self.arrivals[int(params["chat_id"])].put_nowait(Arrival(time.perf_counter(), ApiCall(method, params, result=result)))
        if len(self.calls) > 1000:
            del self.calls[:-100]
        return result


@asynccontextmanager
async def serving_watching_bot_api() -> AsyncIterator[ReplyWatchingStandIn]:
    """The watching stand-in on loopback, in this process's event loop."""
    stand_in = ReplyWatchingStandIn(TOKEN)
    async with serving(stand_in.app(), free_port()) as url:
        stand_in.base_url = url
        yield stand_in
