"""Test support shipped with caselog: the store conformance suite, strategies, a manual clock.

Needs the ``testing`` extra (pytest and Hypothesis): ``pip install caselog[testing]``.
"""

from caselog.testing.clock import ManualClock
from caselog.testing.concurrency import append_from_processes, append_many, check_log
from caselog.testing.conformance import StoreConformance, new_event
from caselog.testing.machine import StoreMachine
from caselog.testing.projections import ProjectionConformance

__all__ = [
    "ManualClock",
    "ProjectionConformance",
    "StoreConformance",
    "StoreMachine",
    "append_from_processes",
    "append_many",
    "check_log",
    "new_event",
]
