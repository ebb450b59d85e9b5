"""The synthetic programme: the report's village, determinism, refusal of a used store, and a
summary that matches the log."""

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

import caselog
from caselog import Caselog, ValidationError
from caselog.domain import AreaLevel
from caselog.synthetic import EXAMPLE_VILLAGE, DemoSummary, SimulatedClock, generate

SMALL: dict[str, Any] = {"villages": 2, "children_per_village": 30, "first_year": 2025,
                         "last_year": 2025}  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoSummary, Caselog]]:
    """A small programme written into a SQLite file, and the log opened on it again."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    seen: list[tuple[int, int]] = []
    summary = generate(str(path), progress=lambda done, total: seen.append((done, total)), **SMALL)
    assert seen[-1][0] == seen[-1][1]
    with caselog.open(str(path)) as log:
        yield summary, log


def test_the_report_village_is_in_every_run(demo: tuple[DemoSummary, Caselog]) -> None:
    """On the story's last day the example village counts 235 children: 38 left-behind,
    7 in difficulty, 1 disabled, the rest general."""
    summary, log = demo
    report = log.caseload(EXAMPLE_VILLAGE, as_of=summary.last_day)
    assert report.children == 235
    assert report.count(category="left_behind") == 38
    assert report.count(category="in_difficulty") == 7
    assert report.count(category="disabled") == 1
    assert report.count(category="general") == 235 - 38 - 7


def test_every_application_outcome_and_payments(demo: tuple[DemoSummary, Caselog]) -> None:
    """Applications end in every outcome, and allowances are paid, one payment reissued."""
    summary, _ = demo
    assert all(count > 0 for count in summary.applications.values()), summary.applications
    assert summary.payments > 0
    assert summary.event_types["payment_failed"] == summary.event_types["payment_reissued"] == 1


def test_the_summary_matches_the_log(demo: tuple[DemoSummary, Caselog]) -> None:
    """The summary's counts are the log's events by type, and the chains verify."""
    summary, log = demo
    types: dict[str, int] = {}
    for event in log.iter_log():
        types[event.type] = types.get(event.type, 0) + 1
    assert summary.event_types == dict(sorted(types.items()))
    assert summary.events == sum(types.values())
    assert summary.children == types["child_registered"]
    assert summary.applications["verification failed"] == types["verification_failed"]
    assert log.verify().is_ok
    assert any(line.startswith("events: ") for line in summary.lines())


def test_recorded_times_increase_and_some_visits_are_late(
    demo: tuple[DemoSummary, Caselog],
) -> None:
    """Recorded times never decrease, and some visits are recorded after the day they took
    place."""
    _, log = demo
    events = list(log.iter_log())
    assert all(a.recorded <= b.recorded for a, b in itertools.pairwise(events))
    late = [e for e in events if e.type == "visit_completed" and e.effective < e.recorded.date()]
    assert late


def _records(path: Path) -> list[tuple[object, ...]]:
    with caselog.open(str(path)) as log:
        return [tuple(record) for record in log.store.read_log(after=0, limit=10**6)]


def test_the_same_seed_writes_the_same_log(tmp_path: Path) -> None:
    """Two runs with one seed store the same records: ids, streams, types, payloads, both
    times and hashes, in the same order."""
    for name in ("one.db", "two.db"):
        generate(str(tmp_path / name), seed=7, **SMALL)
    first, second = _records(tmp_path / "one.db"), _records(tmp_path / "two.db")
    assert len(first) > 1000
    assert first == second


def test_a_used_store_is_refused(tmp_path: Path) -> None:
    """A store that holds events already is refused, and nothing is added to it."""
    path = str(tmp_path / "used.db")
    with caselog.open(path) as log:
        log.register_area("51", "Sichuan", AreaLevel.PROVINCE, actor=None, effective=date.today())
    with pytest.raises(ValidationError, match="empty store") as caught:
        generate(path, **SMALL)
    assert caught.value.field == "url"
    with caselog.open(path) as log:
        last = log.store.last_event()
        assert last is not None
        assert last.position == 1


def test_the_simulated_clock_never_goes_back() -> None:
    """Moving the clock to an earlier moment leaves it where it is."""
    clock = SimulatedClock(datetime(2025, 1, 2, tzinfo=UTC))
    clock.move_to(datetime(2025, 1, 1, tzinfo=UTC))
    assert clock() == datetime(2025, 1, 2, tzinfo=UTC)
    assert clock.move_to(datetime(2025, 1, 3, tzinfo=UTC)) == datetime(2025, 1, 3, tzinfo=UTC)


def test_too_few_villages_are_refused() -> None:
    """The demo needs the example village and at least one more."""
    with pytest.raises(ValidationError) as caught:
        generate("memory:", villages=1)
    assert caught.value.field == "villages"
