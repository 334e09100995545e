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
        """What the young person would notice changing, in a few characters (stored as `told_wait`)."""
        return f"{self.position}/{self.estimate_minutes}/{int(self.open_now)}/{int(self.counsellors_online > 0)}"


@dataclass(frozen=True)
class QueueOutlook:
    """What every waiting young person's estimate rests on: who is online, how long recent waits took."""

    counsellors_online: int
    recent_waits: list[float]


async def queue_outlook(session: AsyncSession, *, now: datetime) -> QueueOutlook:
    """The queue's outlook now (read once for a pass over the whole queue)."""
    online = len(await online_counsellors(session, seen_since=now - ONLINE_WINDOW))
    return QueueOutlook(online, await recent_waits(session, limit=RECENT_WAITS))


async def wait_status(
    session: AsyncSession, *, request: HandoffRequest, hours: OpeningHours, now: datetime, position: int | None = None, outlook: QueueOutlook | None = None,
) -> WaitStatus:
    """The request's place in the queue and what to expect. A caller walking the whole queue passes
    each `position` and one `outlook`, instead of having them read again for every request."""
    position = position or await queue_position(session, request=request)
    outlook = outlook or await queue_outlook(session, now=now)
    online, waits = outlook.counsellors_online, outlook.recent_waits
    estimate = None
    if online and len(waits) >= MIN_WAITS_FOR_ESTIMATE:
        minutes = statistics.median(waits) / 60 * position / online
        estimate = max(5, 5 * math.ceil(minutes / 5))
    open_now = hours.is_open(now)
    return WaitStatus(position, estimate, open_now, None if open_now else hours.next_opening(now), online)
