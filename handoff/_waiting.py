"""The young person's side of the queue: their place, an honest wait estimate, and whether anyone is there."""

import math
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import HandoffRequest, online_counsellors, queue_position, recent_waits
from handoff._hours import OpeningHours

ONLINE_WINDOW = timedelta(minutes=2)
"""A counsellor counts as online when their console checked in this recently."""
MIN_WAITS_FOR_ESTIMATE = 5
"""With fewer past waits than this we say we do not know, rather than guess."""
RECENT_WAITS = 20
NEAR_THE_FRONT = 5
"""Up to this place in the queue, every step forward is news; further back, only a step into a new band."""
ESTIMATE_STEPS = (5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240)
"""Estimates (minutes) within one step are the same news; past the last one, every four hours."""


@dataclass(frozen=True)
class WaitStatus:
    """Where a waiting young person stands."""

    position: int
    """1 = next."""
    estimate_minutes: int | None
    """None when there is too little history, or nobody online, to say honestly."""
    open_now: bool
    opens_at: datetime | None
    counsellors_online: int

    @property
    def summary(self) -> str:
        """What the young person would notice changing, in a few characters (stored as `told_wait`): a
        new one is told. Far back in the queue only a new band of places (10, 20, 50, 100, …) and of
        estimates counts, or someone hundreds of places back would get a message, on Telegram a
        notification, every time anyone ahead of them is served."""
        place = self.position if self.position <= NEAR_THE_FRONT else _one_two_five_at_least(self.position)
        wait = None if self.estimate_minutes is None else _estimate_step(self.estimate_minutes)
        return f"{place}/{wait}/{int(self.open_now)}/{int(self.counsellors_online > 0)}"


def _one_two_five_at_least(value: int) -> int:
    """The first of 1, 2, 5, 10, 20, 50, 100, … that is at least `value`."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= value:
                return step * scale
        scale *= 10


def _estimate_step(minutes: int) -> int:
    """The first of `ESTIMATE_STEPS` that is at least `minutes`; past them, whole multiples of the last."""
    last = ESTIMATE_STEPS[-1]
    return next((step for step in ESTIMATE_STEPS if step >= minutes), last * math.ceil(minutes / last))


@dataclass(frozen=True)
class QueueOutlook:
    """What every waiting young person's estimate rests on: who is online, how long recent waits took."""

    counsellors_online: int
    recent_waits: list[float]


async def queue_outlook(session: AsyncSession, *, now: datetime) -> QueueOutlook:
    """The queue's outlook now (read once for a pass over the whole queue)."""
    online = len(await online_counsellors(session, seen_since=now - ONLINE_WINDOW))
    return QueueOutlook(online, await recent_waits(session, limit=RECENT_WAITS))


async def wait_status(session: AsyncSession, *, request: HandoffRequest, hours: OpeningHours, now: datetime) -> WaitStatus:
    """The request's place in the queue and what to expect."""
    return status_at(position=await queue_position(session, request=request), outlook=await queue_outlook(session, now=now), hours=hours, now=now)


def status_at(*, position: int, outlook: QueueOutlook, hours: OpeningHours, now: datetime) -> WaitStatus:
    """What to expect at `position`: for a pass over the whole queue, which reads `outlook` once."""
    online, waits = outlook.counsellors_online, outlook.recent_waits
    estimate = None
    if online and len(waits) >= MIN_WAITS_FOR_ESTIMATE:
        minutes = statistics.median(waits) / 60 * position / online
        estimate = max(5, 5 * math.ceil(minutes / 5))
    open_now = hours.is_open(now)
    return WaitStatus(position, estimate, open_now, None if open_now else hours.next_opening(now), online)
