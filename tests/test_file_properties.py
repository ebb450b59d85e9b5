"""Properties of the child file: folding from scratch, and independence from recording order."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import caselog
from caselog import Caselog
from caselog.domain import (
    CareArrangementRecorded,
    CarerRelation,
    ChildFile,
    Parent,
    ParentSituation,
    ParentStatusRecorded,
    Role,
    Sex,
    VisitCompleted,
)
from caselog.domain.file import Folding, fold, select
from caselog.testing import ManualClock
from programme import build_directory

START = date(2024, 1, 2)
VILLAGE = "v-1"


def _ready() -> tuple[Caselog, ManualClock]:
    clock = ManualClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
    log = caselog.open("memory:", clock=clock)
    workers = [("li", Role.VILLAGE_WORKER, VILLAGE)]
    build_directory(log, province="p", county="c", township="t", villages=[VILLAGE],
                    workers=workers, effective=START)  # fmt: skip
    log.register_household("h-1", VILLAGE, "Group 3", actor="li", effective=START)
    log.register_child("c-1", household_id="h-1", name="王小明", sex=Sex.MALE,
                       birth_date=date(2013, 5, 2), actor="li", effective=START)  # fmt: skip
    return log, clock


parents = st.builds(
    ParentStatusRecorded,
    child_id=st.just("c-1"),
    parent=st.sampled_from(Parent),
    situation=st.sampled_from(
        [
            ParentSituation.AT_HOME,
            ParentSituation.MIGRANT_WORKER,
            ParentSituation.DECEASED,
            ParentSituation.SERIOUS_ILLNESS,
        ]
    ),
)
cares = st.builds(
    CareArrangementRecorded,
    child_id=st.just("c-1"),
    relation=st.sampled_from(CarerRelation),
    is_living_alone=st.booleans(),
)
visits = st.builds(VisitCompleted, visit_id=st.uuids().map(str), child_id=st.just("c-1"))
commands = st.lists(
    st.tuples(st.one_of(parents, cares, visits), st.integers(1, 600)), min_size=1, max_size=8
)


def _run(log: Caselog, clock: ManualClock, payload: Any, day: date) -> None:
    clock.advance(60)
    if isinstance(payload, VisitCompleted):
        log.record_visit(payload, actor="li", effective=day)
    else:
        log.record_fact(payload, actor="li", effective=day)


def _view(file: ChildFile | None) -> Any:
    """What a file says, without the ids and versions that depend on how it was recorded."""
    assert file is not None
    labels = set()
    if file.categories is not None:
        labels = {(c.category, c.subtype) for c in file.categories.categories}
    return (file.father, file.mother, file.care, file.last_visit, file.status, labels)


@settings(max_examples=30)
@given(commands)
def test_fold_from_scratch_equals_what_commands_saw(steps: list[tuple[Any, int]]) -> None:
    """After any valid commands, the file the API reads equals a fold of the whole global log."""
    log, clock = _ready()
    for payload, offset in steps:
        _run(log, clock, payload, START + timedelta(days=offset))
        events = [e for e in log.iter_log() if e.stream in ("child:c-1", "household:h-1")]
        seen = log.child_file("c-1")
        scratch = fold(select(events))
        assert scratch is not None
        assert seen is not None
        assert attrs.evolve(seen, next_visit=None, status=scratch.status) == scratch
    facts = sorted(steps, key=lambda step: step[1])
    last_care = [p for p, _ in facts if isinstance(p, CareArrangementRecorded)]
    file = log.child_file("c-1")
    assert file is not None
    assert file.care == (last_care[-1] if last_care else None)


@settings(max_examples=30)
@given(st.lists(st.one_of(parents, cares, visits), min_size=1, max_size=6), st.randoms())
def test_recording_order_does_not_change_as_of_answers(payloads: list[Any], rng: Any) -> None:
    """Facts with distinct effective dates give the same as-of answers in any recording order."""
    days = [START + timedelta(days=30 * (n + 1)) for n in range(len(payloads))]
    shuffled = list(zip(payloads, days, strict=True))
    rng.shuffle(shuffled)
    ordered, clock_a = _ready()
    mixed, clock_b = _ready()
    for payload, day in zip(payloads, days, strict=True):
        _run(ordered, clock_a, payload, day)
    for payload, day in shuffled:
        _run(mixed, clock_b, payload, day)
    for day in [START, *days, days[-1] + timedelta(days=400)]:
        assert _view(ordered.child_file("c-1", as_of=day)) == _view(
            mixed.child_file("c-1", as_of=day)
        )


@settings(max_examples=30)
@given(commands)
def test_a_peek_reads_what_the_file_says(steps: list[tuple[Any, int]]) -> None:
    """After each event folded, every field of the fold's peek equals the file's."""
    log, clock = _ready()
    for payload, offset in steps:
        _run(log, clock, payload, START + timedelta(days=offset))
    events = [e for e in log.iter_log() if e.stream in ("child:c-1", "household:h-1")]
    folding = Folding()
    for event in select(events):
        folding.add(event)
        peek = folding.peek()
        fields = [field.name for field in attrs.fields(ChildFile)]
        values = None if peek is None else [getattr(peek, name) for name in fields]
        file = folding.file()
        assert values == (None if file is None else [getattr(file, name) for name in fields])
        if file is not None:
            assert folding.peek() is file  # once made, the file itself
            assert peek is not None
            assert peek.source("care") == file.source("care")
