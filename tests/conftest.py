"""Hypothesis profiles: quick by default, thorough when CI=true."""

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import caselog
from benefit_programme import build
from caselog import Caselog
from caselog.testing import ManualClock

settings.register_profile("quick", max_examples=25, deadline=None)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "quick")


@pytest.fixture(params=["memory", "sqlite"])
def programme_log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Caselog]:
    """The benefit programme's log (see benefit_programme.build) in memory and in SQLite, its
    clock at 2025-03-03 09:00 UTC."""
    clock = ManualClock(datetime(2025, 3, 3, 9, tzinfo=UTC))
    target = "memory:" if request.param == "memory" else str(tmp_path / "programme.db")
    with caselog.open(target, clock=clock) as log:
        build(log)
        yield log
