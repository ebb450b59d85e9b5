"""The demo's clock: simulated time that the story moves forward, never back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

__all__ = ["LOCAL", "SimulatedClock", "working_time"]

LOCAL = timezone(timedelta(hours=8), "CST")
"""China Standard Time: the workers' office hours are local."""


def working_time(day: date, minutes: int = 0) -> datetime:
    """Return ``minutes`` after 08:30 local time on ``day``, in UTC."""
    start = datetime.combine(day, time(8, 30), tzinfo=LOCAL)
    return (start + timedelta(minutes=minutes)).astimezone(UTC)


class SimulatedClock:
    """A clock (see :data:`caselog.Clock`) that reads the story's time.

    ``move_to`` sets the time of the next step; a moment earlier than the current one leaves the
    clock where it is, so recorded times never decrease.
    """

    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def move_to(self, moment: datetime) -> datetime:
        """Move forward to ``moment`` (if it is later) and return the time now."""
        moment = moment.astimezone(UTC)
        if moment > self.now:
            self.now = moment
        return self.now
