"""The story as a plan: steps, each run at its recorded moment, in time order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from caselog.log import Caselog

__all__ = ["Plan", "Run", "Step"]

Run = Callable[[Caselog], Any]
"""A step's work: one or a few commands against the log."""


class Step(NamedTuple):
    """A step of the story, recorded at ``at``; ``seq`` keeps the order of steps planned for
    the same moment."""

    at: datetime
    seq: int
    run: Run


class Plan:
    """Steps collected in any order and run in the order of their recorded moments."""

    def __init__(self) -> None:
        self._steps: list[Step] = []

    def add(self, at: datetime, run: Run) -> None:
        """Plan ``run`` at the moment ``at``."""
        self._steps.append(Step(at, len(self._steps), run))

    def __len__(self) -> int:
        return len(self._steps)

    def ordered(self) -> list[Step]:
        """The steps by moment, then in the order they were planned."""
        return sorted(self._steps, key=lambda step: (step.at, step.seq))
