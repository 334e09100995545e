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


async def wait_status(session: AsyncSession, *, request: HandoffRequest, hours: OpeningHours, now: datetime, position: int | None = None) -> WaitStatus:
    """The request's place in the queue (`position` when the caller walks the queue in order) and what to expect."""
    position = position or await queue_position(session, request=request)
    online = len(await online_counsellors(session, seen_since=now - ONLINE_WINDOW))
    waits = await recent_waits(session, limit=RECENT_WAITS)
    estimate = None
    if online and len(waits) >= MIN_WAITS_FOR_ESTIMATE:
        minutes = statistics.median(waits) / 60 * position / online
        estimate = max(5, 5 * math.ceil(minutes / 5))
    open_now = hours.is_open(now)
    return WaitStatus(position, estimate, open_now, None if open_now else hours.next_opening(now), online)
