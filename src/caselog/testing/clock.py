"""A clock that tests move by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["ManualClock"]


class ManualClock:
    """A :data:`~caselog.Clock` that stands still until told to move, backwards included."""

    def __init__(self, start: datetime = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 1.0) -> datetime:
        """Move the clock by ``seconds`` (negative to turn it back) and return the new time."""
        self.now += timedelta(seconds=seconds)
        return self.now
