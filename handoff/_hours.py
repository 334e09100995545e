"""When counsellors are on duty: opening hours in Stockholm time, e.g. `mon-fri 09:00-21:00, sat-sun 12:00-18:00`."""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PERIOD = re.compile(r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+(?P<opens>\d{2}:\d{2})-(?P<closes>\d{2}:\d{2})$")


@dataclass(frozen=True)
class Period:
    """One opening period on one weekday (0 = Monday); `closes` 24:00 is written as None."""

    weekday: int
    opens: time
    closes: time | None


class OpeningHours:
    """The weekly schedule of the counsellors' line."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self._periods = [period for part in spec.split(",") if part.strip() for period in _parse(part.strip().lower())]

    def is_open(self, moment: datetime) -> bool:
        """Whether the line is open at `moment` (any timezone)."""
        local = moment.astimezone(STOCKHOLM)
        return any(period.weekday == local.weekday() and period.opens <= local.time() and (period.closes is None or local.time() < period.closes) for period in self._periods)

    def next_opening(self, moment: datetime) -> datetime | None:
        """When the line next opens after `moment`, in Stockholm time (None if it never does)."""
        local = moment.astimezone(STOCKHOLM)
        for days_ahead in range(8):
            day = (local + timedelta(days=days_ahead)).date()
            starts = sorted(datetime.combine(day, period.opens, STOCKHOLM) for period in self._periods if period.weekday == day.weekday())
            for start in starts:
                if start > local:
                    return start
        return None


def _parse(part: str) -> list[Period]:
    match = _PERIOD.match(part)
    if match is None or match["first"] not in _DAYS or (match["last"] and match["last"] not in _DAYS):
        raise ValueError(f"opening hours: cannot read {part!r} (write e.g. 'mon-fri 09:00-21:00')")
    first = _DAYS.index(match["first"])
    last = _DAYS.index(match["last"]) if match["last"] else first
    opens = time.fromisoformat(match["opens"])
    closes = None if match["closes"] == "24:00" else time.fromisoformat(match["closes"])
    return [Period(day, opens, closes) for day in range(first, last + 1)]
