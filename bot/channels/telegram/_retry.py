"""Every Bot API call waits out Telegram's flood control and survives a short network outage."""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]


class RetryingLimiter(BaseRateLimiter[None]):
    """Retries a call after a 429 (`RetryAfter`, waiting as long as Telegram asks) or a network
    error (with exponential back-off). `getUpdates` is left to the updater, which retries itself."""

    def __init__(self, *, attempts: int = 5, first_backoff_seconds: float = 0.5) -> None:
        self._attempts = attempts
        self._first_backoff = first_backoff_seconds

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Result:
        """Call the Bot API, retrying as Telegram and the network require."""
        if endpoint == "getUpdates":
            return await callback(*args, **kwargs)
        for attempt in range(1, self._attempts):
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = seconds_of(exc.retry_after)
                log.warning("Telegram flood control on %s: waiting %.1f s (attempt %d)", endpoint, wait, attempt)
            except BadRequest:
                raise
            except NetworkError as exc:
                wait = self._first_backoff * 2 ** (attempt - 1)
                log.warning("network error on %s (%s): retrying in %.1f s", endpoint, exc, wait)
            await asyncio.sleep(wait)
        return await callback(*args, **kwargs)


def seconds_of(retry_after: int | timedelta) -> float:
    """Telegram's `retry_after`, in seconds, whichever type python-telegram-bot gives it as."""
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)
