"""The projection engine: exactly once whatever fails, rebuild equals incremental, and the
caseload tables agree with the child-file folds at every moment."""

import multiprocessing
import os
import signal
import sqlite3
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

import caselog
from benefit_programme import COUNTY, OTHER_VILLAGE, PROVINCE, TOWNSHIP, VILLAGE, build
from caselog import Caselog, SQLiteStore, StoreError, ValidationError
from caselog import sqlite as sqlite_module
from caselog.domain import (
    AreaLevel,
    ClosureReason,
    ConcernFollowedUp,
    ConcernKind,
    ConcernReported,
    EventVoided,
    FileStatus,
    HouseholdEconomicStatusRecorded,
    IncomeSource,
    Parent,
    ParentSituation,
    ParentStatusRecorded,
    Role,
    SchoolingRecorded,
    SchoolStage,
    Sex,
    VisitCompleted,
)
from caselog.domain.calendar import month_of, next_month
from caselog.domain.file import fold, select
from caselog.projections import (
    Batch,
    CaseloadProjection,
    Projection,
    catch_up,
    engine,
    rebuild,
    timeline,
)
from caselog.projections import files as engine_files
from caselog.tables import Column, ProjectionWrite, Query, Table, TableChanges
from caselog.testing import ManualClock

START = datetime(2025, 1, 2, 9, tzinfo=UTC)
TABLES = ("child_periods", "category_periods", "child_files", "applications", "entitlements",
          "payments", "benefit_standards")  # fmt: skip
KEYS = {"child_files": ("child_id",), "applications": ("application_id",),
        "entitlements": ("entitlement_id",), "payments": ("entitlement_id", "month"),
        "benefit_standards": ("benefit", "county", "from_month")}  # fmt: skip
SITUATIONS = [ParentSituation.AT_HOME, ParentSituation.MIGRANT_WORKER, ParentSituation.DECEASED,
              ParentSituation.SERIOUS_ILLNESS, ParentSituation.IMPRISONED]  # fmt: skip


def _rows(log: Caselog) -> dict[str, list[tuple[Any, ...]]]:
    store = log.store
    order = ("child_id", "recorded_from", "seq")
    return {
        name: store.query(Query(name, order_by=KEYS.get(name, order)))  # type: ignore[attr-defined]
        for name in TABLES
        if store.projection_state(_OWNER[name]) is not None  # type: ignore[attr-defined]
    }


_OWNER = {"child_periods": "caseload", "category_periods": "caseload", "child_files": "child_files"}
_OWNER.update(dict.fromkeys(("applications", "entitlements", "payments", "benefit_standards"),
                            "benefits"))  # fmt: skip


# -- random histories


_operation = st.one_of(
    st.tuples(st.just("register"), st.integers(0, 5), st.sampled_from([VILLAGE, OTHER_VILLAGE]),
              st.integers(0, 17 * 365)),
    st.tuples(st.just("parent"), st.integers(0, 5), st.sampled_from(list(Parent)),
              st.sampled_from(SITUATIONS), st.integers(0, 200)),
    st.tuples(st.just("correct"), st.integers(0, 5), st.sampled_from(SITUATIONS)),
    st.tuples(st.just("move"), st.integers(0, 5), st.integers(0, 200)),
    st.tuples(st.just("visit"), st.integers(0, 5), st.integers(0, 200)),
    st.tuples(st.just("concern"), st.integers(0, 5), st.integers(0, 200)),
    st.tuples(st.just("follow"), st.integers(0, 5), st.integers(0, 200)),
    st.tuples(st.just("school"), st.integers(0, 5), st.integers(0, 200)),
    st.tuples(st.just("close"), st.integers(0, 5), st.integers(0, 200)),
    st.tuples(st.just("reopen"), st.integers(0, 5), st.integers(0, 200)),
    st.tuples(st.just("die"), st.integers(0, 5), st.integers(0, 200)),
    st.tuples(st.just("wait"), st.integers(1, 90)),
    st.tuples(st.just("grant"), st.integers(0, 5)),
    st.tuples(st.just("pay"), st.integers(0, 5), st.integers(0, 3)),
    st.tuples(st.just("standard"), st.integers(900, 1600), st.integers(0, 3)),
)  # fmt: skip


def _worker(village: str) -> str:
    return "li" if village == VILLAGE else "wang"


def _apply(log: Caselog, clock: ManualClock, operation: tuple[Any, ...]) -> None:
    """Run one operation of a history; refused ones change nothing, which is all we need."""
    kind, *args = operation
    today = clock().date()
    try:
        if kind == "wait":
            clock.advance(args[0] * 86400)
        elif kind == "grant":
            app, child_id = f"a-{args[0]}", f"c-{args[0]}"
            log.draft_application(app, child_id, "orphan_allowance", actor="li", effective=today)
            log.submit_application(app, actor="li", effective=today)
            log.verify_application(app, actor="zhao", effective=today)
            log.approve_application(app, actor="chen", effective=today)
        elif kind == "pay":
            app = f"a-{args[0]}"
            month = next_month(log.entitlement(app).first_month, args[1])
            log.issue_payment(app, month, actor="chen", effective=today)
            log.confirm_payment(app, month, actor="chen", effective=today)
        elif kind == "standard":
            month = next_month(month_of(today), args[1])
            log.set_benefit_standard("orphan_allowance", COUNTY, args[0], from_month=month,
                                     actor="chen", effective=today)  # fmt: skip
        elif kind == "register":
            child, village, age = args
            household = "h-1" if village == VILLAGE else "h-2"
            log.register_child(f"c-{child}", household_id=household, name="x", sex=Sex.FEMALE,
                               birth_date=today - timedelta(days=age), actor=_worker(village),
                               effective=today)  # fmt: skip
        elif kind in ("parent", "correct"):
            child_id = f"c-{args[0]}"
            file = log.child_file(child_id)
            if file is None:
                return
            if kind == "parent":
                parent, situation, back = args[1:]
                fact = ParentStatusRecorded(child_id, parent, situation, until=None)
                day = max(today - timedelta(days=back), _opened(file))
                log.record_fact(fact, actor=_worker(file.village), effective=day)
            else:
                target = file.fact_event("father")
                if target is None:
                    return
                fixed = ParentStatusRecorded(child_id, Parent.FATHER, args[1])
                log.correct(child_id, target, fixed, reason="wrong", actor=_worker(file.village),
                            effective=file.registered_on)  # fmt: skip
        else:
            child_id = f"c-{args[0]}"
            file = log.child_file(child_id)
            if file is None:
                return
            day = max(today - timedelta(days=args[1]), _opened(file))
            actor = _worker(file.village)
            if kind == "visit":  # often recorded late: back-dated
                visit = VisitCompleted(f"v-{len(log.read_stream(f'child:{child_id}'))}", child_id)
                log.record_visit(visit, actor=actor, effective=day)
            elif kind == "concern":
                concern = ConcernReported(f"k-{day}", child_id, ConcernKind.NEGLECT, "alone")
                log.report_concern(concern, actor=actor, effective=day)
            elif kind == "follow":
                for open_concern in file.open_concerns:
                    done = ConcernFollowedUp(open_concern.concern_id, child_id, "visited")
                    log.follow_up_concern(done, actor=actor, effective=today)
            elif kind == "school":
                log.record_fact(SchoolingRecorded(child_id, SchoolStage.PRIMARY), actor=actor,
                                effective=day)  # fmt: skip
            elif kind == "move" and file.status is FileStatus.ACTIVE:
                log.move_child_out(child_id, actor=actor, effective=day)
            elif kind == "move":
                village = OTHER_VILLAGE if file.village == VILLAGE else VILLAGE
                log.move_child_in(child_id, village, actor=_worker(village), effective=today)
            elif kind == "close":
                log.close_case(child_id, ClosureReason.OTHER, actor=actor, effective=day)
            elif kind == "reopen":
                log.reopen_case(child_id, "back", actor=actor, effective=today)
            else:
                log.record_death(child_id, actor=actor, effective=day)
    except ValidationError:
        pass


def _opened(file: Any) -> date:
    opened = file.registered_on
    return opened.date() if isinstance(opened, datetime) else opened


def _history_log(clock: ManualClock) -> Caselog:
    log = caselog.open("memory:", clock=clock)
    build(log)
    log.register_household("h-2", OTHER_VILLAGE, "Group 2", actor="wang", effective=START.date())
    return log


def _live(
    log: Caselog, area: str, as_of: date, known_at: datetime | None
) -> tuple[int, Counter[str]]:
    """Count the caseload the slow way: fold every child's file."""
    directory = log.directory()
    children, counts = 0, Counter[str]()
    for child_id in log.child_ids():
        file = log.child_file(child_id, as_of=as_of, known_at=known_at)
        if file is None or file.status is not FileStatus.ACTIVE:
            continue
        if not directory.is_within(file.village, area):
            continue
        children += 1
        categories = file.categories.categories if file.categories else ()
        counts.update({c.category for c in categories})
    return children, counts


_villages = st.sampled_from([VILLAGE, OTHER_VILLAGE])
_register = st.tuples(st.just("register"), st.integers(0, 5), _villages, st.integers(0, 6205))


@given(
    history=st.tuples(st.lists(_register, min_size=1, max_size=4),
                      st.lists(_operation, max_size=25)).map(lambda t: [*t[0], *t[1]]),
    catch_up_every=st.integers(1, 6),
    page_size=st.integers(1, 9),
    questions=st.lists(st.tuples(st.integers(-30, 900), st.integers(-1, 30)), min_size=1,
                       max_size=4),
)  # fmt: skip
def test_tables_agree_with_the_folds_and_rebuild_equals_incremental(
    history: list[tuple[Any, ...]],
    catch_up_every: int,
    page_size: int,
    questions: list[tuple[int, int]],
) -> None:
    """Kept up to date in random steps, the tables equal a rebuild, in one page or in many
    small ones (where projections carry their folds from page to page); and at random moments
    the caseload read from them equals the count of folded child files."""
    clock = ManualClock(START)
    log = _history_log(clock)
    moments = [clock()]
    for n, operation in enumerate(history):
        _apply(log, clock, operation)
        clock.advance(3600)
        moments.append(clock())
        if n % catch_up_every == 0:
            log.catch_up()
    log.catch_up()
    incremental = _rows(log)
    directory = log.directory()
    for row in incremental["child_files"]:  # each row as worked out anew, without a memo
        file = fold(select(log.read_stream(f"child:{row[0]}")))
        assert file is not None
        assert row == engine_files.file_row(file, directory, log.rules)
    log.rebuild()
    assert _rows(log) == incremental
    engine.rebuild_all(log, list(log.projections.values()), page_size=page_size)
    assert _rows(log) == incremental
    for days, moment in questions:
        as_of = START.date() + timedelta(days=days)
        known_at = None if moment < 0 else moments[min(moment, len(moments) - 1)]
        for area in (VILLAGE, OTHER_VILLAGE, TOWNSHIP, COUNTY, PROVINCE):
            report = log.caseload(area, as_of=as_of, known_at=known_at, catch_up=False)
            children, counts = _live(log, area, as_of, known_at)
            assert report.children == children, (area, as_of, known_at)
            assert {values[0]: count for values, count in report.rows} == dict(counts)


_changes = st.one_of(  # what a caseload history depends on, often back-dated, for two children
    st.tuples(
        st.just("parent"),
        st.integers(0, 1),
        st.sampled_from(list(Parent)),
        st.sampled_from(SITUATIONS),
        st.integers(0, 200),
    ),
    st.tuples(st.just("correct"), st.integers(0, 1), st.sampled_from(SITUATIONS)),
    *(
        st.tuples(st.just(kind), st.integers(0, 1), st.integers(0, 60))
        for kind in ("move", "close", "reopen", "die")
    ),
    st.tuples(st.just("wait"), st.integers(1, 400)),
)
_histories = st.tuples(
    st.lists(st.tuples(st.just("register"), st.integers(0, 1), _villages,
                       st.integers(0, 6205)), min_size=1, max_size=2),
    st.lists(_changes, max_size=25),
).map(lambda t: [*t[0], *t[1]])  # fmt: skip


@given(history=_histories)
def test_a_history_gone_on_from_the_last_equals_one_worked_out_anew(
    history: list[tuple[Any, ...]],
) -> None:
    """A child's history at each later moment, gone on from the one before (``memo``), equals
    the history worked out from the events alone: back-dated events, fixes and moves included."""
    clock = ManualClock(START)
    log = _history_log(clock)
    for operation in history:
        _apply(log, clock, operation)
        clock.advance(3600)
    for child_id in log.child_ids():
        events = log.read_stream(f"child:{child_id}")
        memo: dict[str, Any] = {}
        for moment in sorted({e.recorded for e in events}):
            gone_on = timeline.history(events, known_at=moment, rules=log.rules, memo=memo)
            assert gone_on == timeline.history(events, known_at=moment, rules=log.rules)


def test_day_columns_give_each_timestamp_its_own_date() -> None:
    """Two timestamps of one instant in two zones fall on two dates; the text of one is not
    taken for the other's."""
    from caselog.projections.columns import day_text

    utc = datetime(2024, 1, 1, 17, tzinfo=UTC)
    beijing = utc.astimezone(timezone(timedelta(hours=8)))
    assert (day_text(utc), day_text(beijing)) == ("2024-01-01", "2024-01-02")
    assert (day_text(date(2024, 1, 1)), day_text(None)) == ("2024-01-01", None)


def test_a_history_that_fails_going_on_starts_anew_next_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a history keeps is let go when going on from it fails, so that the next call works
    the history out from the events, not from half a walk."""
    clock = ManualClock(START)
    log = _history_log(clock)
    _apply(log, clock, ("register", 0, VILLAGE, 3000))
    clock.advance(86400)
    _apply(log, clock, ("close", 0, 0))
    events = log.read_stream("child:c-0")
    first, last = events[0].recorded, events[-1].recorded
    memo: dict[str, Any] = {}
    timeline.history(events, known_at=first, rules=log.rules, memo=memo)
    with monkeypatch.context() as patched:
        patched.setattr(timeline, "_walk", lambda *_: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            timeline.history(events, known_at=last, rules=log.rules, memo=memo)
    assert "walked" not in memo
    again = timeline.history(events, known_at=last, rules=log.rules, memo=memo)
    assert again == timeline.history(events, known_at=last, rules=log.rules)
    assert again[-1].valid_to is not None  # closed: the walk went on past the first moment


# -- exactly once


def _village_log(clock: ManualClock, target: str = "memory:", children: int = 12) -> Caselog:
    log = caselog.open(target, clock=clock)
    build(log)
    for n in range(children):
        log.register_child(
            f"c-{n}",
            household_id="h-1",
            name="x",
            sex=Sex.MALE,
            birth_date=date(2015, 1, 1),
            actor="li",
            effective=START.date(),
        )
        situation = ParentSituation.MIGRANT_WORKER if n % 2 else ParentSituation.AT_HOME
        for parent in Parent:
            log.record_fact(ParentStatusRecorded(f"c-{n}", parent, situation), actor="li",
                            effective=START.date())  # fmt: skip
        clock.advance(60)
    return log


class _Failing(CaseloadProjection):
    """The caseload projection, failing on its third batch."""

    def __init__(self) -> None:
        self.ends: list[int] = []

    def apply(self, batch: Batch) -> list[TableChanges]:
        self.ends.append(batch.end)
        if len(self.ends) == 3:
            raise RuntimeError("power cut")
        return super().apply(batch)


def test_a_failed_batch_is_not_applied_and_catching_up_resumes_after_the_last_one() -> None:
    clock = ManualClock(START)
    log = _village_log(clock)
    failing = _Failing()
    with pytest.raises(RuntimeError, match="power cut"):
        catch_up(log, failing, page_size=7)
    state = log.store.projection_state("caseload")  # type: ignore[attr-defined]
    assert state.position == failing.ends[1]  # the batch before the failing one
    catch_up(log, CaseloadProjection(), page_size=7)
    resumed = _rows(log)
    rebuild(log, CaseloadProjection())
    assert _rows(log) == resumed


def test_two_catching_up_at_once_apply_each_batch_once(tmp_path: Path) -> None:
    clock = ManualClock(START)
    path = str(tmp_path / "twice.db")
    log = _village_log(clock, path)
    other = caselog.open(path, clock=clock)
    first = CaseloadProjection()
    original = first.apply

    def interleaved(batch: Batch) -> list[TableChanges]:
        catch_up(other, CaseloadProjection(), page_size=5)  # the other finishes first
        return original(batch)

    first.apply = interleaved  # type: ignore[method-assign]
    catch_up(log, first, page_size=5)
    both = _rows(log)
    rebuild(log, CaseloadProjection())
    assert _rows(log) == both
    other.close()
    log.close()


def _catch_up_slowly(path: str) -> None:
    log = caselog.open(path)
    catch_up(log, CaseloadProjection(), page_size=3, progress=lambda _: time.sleep(0.05))


def test_a_process_killed_while_catching_up_leaves_only_whole_batches(tmp_path: Path) -> None:
    clock = ManualClock(START)
    path = str(tmp_path / "killed.db")
    log = _village_log(clock, path, children=20)
    process = multiprocessing.get_context("spawn").Process(target=_catch_up_slowly, args=(path,))
    process.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = log.store.projection_state("caseload")  # type: ignore[attr-defined]
        if state is not None and state.position >= 9:
            break
        time.sleep(0.01)
    assert process.pid is not None
    os.kill(process.pid, signal.SIGKILL)
    process.join()
    state = log.store.projection_state("caseload")  # type: ignore[attr-defined]
    last = log.store.last_event()
    assert state is not None
    assert last is not None
    assert 0 < state.position < last.position  # killed half way
    here, after = log.store.read_log(after=state.position - 1, limit=2)
    assert here.recorded != after.recorded  # whole batches only, which end with an append
    log.catch_up("caseload")
    resumed = _rows(log)
    log.rebuild("caseload")
    assert _rows(log) == resumed
    log.close()


class _FailingCommits:
    """A SQLite connection whose commits in the store's thread (of pages caught up) fail from
    the ``after``-th on, as a full disk would make them."""

    def __init__(self, conn: sqlite3.Connection, after: int) -> None:
        self._conn = conn
        self.commits = 0
        self.after = after

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if sql == "COMMIT" and threading.current_thread().name.startswith("caselog-commit"):
            self.commits += 1
            if self.commits >= self.after:
                raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def _sqlite_store(log: Caselog) -> SQLiteStore:
    store = log.store
    assert isinstance(store, SQLiteStore)
    return store


def test_a_page_is_folded_while_the_last_one_commits(tmp_path: Path) -> None:
    """On SQLite, a page is committed in the store's thread while the next one is folded;
    nothing else reaches the store until the commit is done, and progress is reported only
    for pages committed (another connection sees them)."""
    clock = ManualClock(START)
    path = str(tmp_path / "overlap.db")
    log = _village_log(clock, path, children=6)
    store = _sqlite_store(log)
    commit = store._commit
    folded = threading.Event()  # the second page is being folded
    waited: list[bool] = []

    def slow_commit() -> None:
        if not waited:
            waited.append(folded.wait(timeout=60))  # never set if folding waited for this
        commit()

    store._commit = slow_commit  # type: ignore[method-assign]
    projection = CaseloadProjection()
    apply = projection.apply
    ends: list[int] = []

    def folding(batch: Batch) -> list[TableChanges]:
        ends.append(batch.end)
        if len(ends) == 2:
            folded.set()
        return apply(batch)

    projection.apply = folding  # type: ignore[method-assign]
    other = caselog.open(path, clock=clock)
    reported: list[tuple[int, int]] = []

    def progress(end: int) -> None:
        state = other.store.projection_state("caseload")  # type: ignore[attr-defined]
        reported.append((end, state.position))

    catch_up(log, projection, page_size=5, progress=progress)
    assert waited == [True]
    assert len(ends) > 2
    assert reported == [(end, end) for end in ends]
    caught = _rows(log)
    rebuild(log, CaseloadProjection())
    assert _rows(log) == caught
    other.close()
    log.close()


@pytest.mark.parametrize("failing", [1, 3])
def test_a_failed_commit_stops_the_catch_up_which_resumes_after_the_last_commit(
    tmp_path: Path, failing: int
) -> None:
    """A commit that fails in the store's thread fails the catch-up; nothing of its page is
    written, the connection is usable again, and catching up goes on from the page before."""
    clock = ManualClock(START)
    path = str(tmp_path / "full.db")
    log = _village_log(clock, path, children=6)
    store = _sqlite_store(log)
    ends: list[int] = []
    store._conn = _FailingCommits(store._conn, after=failing)  # type: ignore[assignment]
    with pytest.raises(StoreError, match="disk is full"):
        catch_up(log, CaseloadProjection(), page_size=5, progress=ends.append)
    assert len(ends) == failing - 1  # the pages committed before
    state = store.projection_state("caseload")
    assert state is not None
    assert state.position == (ends[-1] if ends else 0)
    store._conn = store._conn._conn  # type: ignore[attr-defined]
    catch_up(log, CaseloadProjection(), page_size=5)
    resumed = _rows(log)
    rebuild(log, CaseloadProjection())
    assert _rows(log) == resumed
    assert resumed["child_periods"]
    log.close()


def _slow_commits(store: SQLiteStore) -> list[int]:
    """Make the store's commits take a while; return the list each commit, once done, adds
    the number of commits done to."""
    commit = store._commit
    done: list[int] = []

    def slowly() -> None:
        time.sleep(0.3)
        commit()
        done.append(len(done) + 1)

    store._commit = slowly  # type: ignore[method-assign]
    return done


def test_a_batch_failing_while_the_last_page_commits_leaves_that_page_committed(
    tmp_path: Path,
) -> None:
    """The error of a batch goes on only once the page before is committed."""
    clock = ManualClock(START)
    log = _village_log(clock, str(tmp_path / "failing.db"))
    done = _slow_commits(_sqlite_store(log))
    failing = _Failing()
    with pytest.raises(RuntimeError, match="power cut"):
        catch_up(log, failing, page_size=7)
    assert done == [1, 2]  # both pages before the failing one, the second committed already
    state = _sqlite_store(log).projection_state("caseload")
    assert state is not None
    assert state.position == failing.ends[1]  # the batch before the failing one
    log.close()


def test_a_call_made_while_a_page_commits_waits_for_the_commit(tmp_path: Path) -> None:
    """Nothing reaches the connection while the store's thread commits on it."""
    clock = ManualClock(START)
    log = _village_log(clock, str(tmp_path / "turns.db"), children=1)
    store = _sqlite_store(log)
    log.catch_up("caseload")
    done = _slow_commits(store)
    position = store.projection_state("caseload").position  # type: ignore[union-attr]
    _, finish = store.start_projection_writes([ProjectionWrite("caseload", position, position)])
    assert store.read_log(after=0, limit=1)
    assert done == [1]  # the read waited for the commit
    finish()


def test_a_wait_for_a_commit_that_is_interrupted_lets_the_store_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A call interrupted while it waits for a commit (Ctrl-C) does not keep the store's lock:
    other threads still get their turn."""
    clock = ManualClock(START)
    log = _village_log(clock, str(tmp_path / "interrupted.db"), children=1)
    store = _sqlite_store(log)
    log.catch_up("caseload")
    _slow_commits(store)
    position = store.projection_state("caseload").position  # type: ignore[union-attr]
    _, finish = store.start_projection_writes([ProjectionWrite("caseload", position, position)])

    def interrupted(_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sqlite_module, "wait_for", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.read_log(after=0, limit=1)
    monkeypatch.undo()
    finish()
    read: list[object] = []
    other = threading.Thread(target=lambda: read.append(store.read_log(after=0, limit=1)))
    other.start()
    other.join(timeout=60)
    assert read  # the other thread got the store
    log.close()


def test_a_store_that_cannot_start_its_thread_commits_in_line(tmp_path: Path) -> None:
    """When no thread can be had to commit in (the interpreter is exiting, say), the page is
    committed before the call returns, not left open holding the write lock."""
    clock = ManualClock(START)
    log = _village_log(clock, str(tmp_path / "exiting.db"), children=3)
    store = _sqlite_store(log)
    gone = ThreadPoolExecutor(1)
    gone.shutdown()
    store._committer = lambda: gone  # type: ignore[method-assign]
    catch_up(log, CaseloadProjection(), page_size=5)
    assert not store._conn.in_transaction
    other = caselog.open(str(tmp_path / "exiting.db"), clock=clock)
    last = other.store.last_event()
    assert other.store.projection_state("caseload").position == last.position  # type: ignore[attr-defined,union-attr]
    other.close()
    log.close()


def test_the_first_page_of_a_catch_up_reads_the_areas_after_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A village and a child in it appended by another process as a catch-up begins: the
    child's row names the areas above the village, as a rebuild does."""
    clock = ManualClock(START)
    path = str(tmp_path / "race.db")
    log = caselog.open(path, clock=clock)
    build(log)
    log.catch_up()
    other = caselog.open(path, clock=clock)
    pages = engine._pages
    day = START.date()

    def appended_first(*args: Any) -> Any:
        village = f"{TOWNSHIP}99"
        other.register_area(village, "New", AreaLevel.VILLAGE, parent=TOWNSHIP, actor="admin",
                            effective=day)  # fmt: skip
        other.register_worker("w-new", "W", Role.VILLAGE_WORKER, village, actor="admin",
                              effective=day)  # fmt: skip
        other.register_household("h-new", village, "Group 9", actor="w-new", effective=day)
        other.register_child("c-new", household_id="h-new", name="x", sex=Sex.MALE,
                             birth_date=date(2015, 1, 1), actor="w-new", effective=day)  # fmt: skip
        yield from pages(*args)

    monkeypatch.setattr(engine, "_pages", appended_first)
    log.catch_up("child_files")
    monkeypatch.undo()
    caught = _rows(log)["child_files"]
    assert [row[3:6] for row in caught if row[0] == "c-new"] == [(TOWNSHIP, COUNTY, PROVINCE)]
    log.rebuild("child_files")
    assert _rows(log)["child_files"] == caught
    other.close()
    log.close()


def test_a_new_version_rebuilds_the_tables() -> None:
    clock = ManualClock(START)
    log = _village_log(clock, children=2)
    log.catch_up("caseload")
    store = log.store
    store.write_projection("caseload", expected=store.projection_state("caseload").position,  # type: ignore[attr-defined]
                           position=store.projection_state("caseload").position,  # type: ignore[attr-defined]
                           changes=[TableChanges("child_periods", deletes=(("c-0",
                                    _rows(log)["child_periods"][0][1], 0),))])  # fmt: skip
    damaged = _rows(log)

    class Newer(CaseloadProjection):
        version = "newer"

    catch_up(log, Newer())
    assert _rows(log) != damaged
    assert len(_rows(log)["child_periods"]) == 2


def test_unknown_projections_are_refused() -> None:
    with caselog.open("memory:") as log:
        with pytest.raises(ValidationError, match="'nope' is not one of"):
            log.catch_up("nope")
        with pytest.raises(ValidationError, match="registered already"):
            log.register_projection(CaseloadProjection())


@pytest.mark.parametrize(("cached", "page_size"), [(10, 1000), (10, 7), (60, 7), (300, 13)])
def test_a_catch_up_past_its_cache_reads_streams_again(
    monkeypatch: pytest.MonkeyPatch, cached: int, page_size: int
) -> None:
    """With room for only a few decoded events, streams and kept folds are let go and read or
    worked out anew as needed: the tables come out the same."""
    clock = ManualClock(START)
    log = _village_log(clock, children=6)
    log.catch_up()
    expected = _rows(log)
    monkeypatch.setattr(engine, "CACHED_EVENTS", cached)
    engine.rebuild_all(log, list(log.projections.values()), page_size=page_size)
    assert _rows(log) == expected


@pytest.mark.parametrize("page_size", [1, 2, 1000])
def test_events_recorded_late_fold_in_effective_order_across_pages(page_size: int) -> None:
    """A visit recorded late, on a later page than a more recent one, does not become the last
    visit: the projection folds again rather than adding it at the end."""
    clock = ManualClock(START)
    log = _history_log(clock)
    for operation in [("register", 0, VILLAGE, 3000), ("wait", 200), ("visit", 0, 0),
                      ("visit", 0, 100)]:  # fmt: skip
        _apply(log, clock, operation)
        clock.advance(3600)
    engine.rebuild_all(log, list(log.projections.values()), page_size=page_size)
    file = log.child_file("c-0")
    assert file is not None
    assert file.last_visit is not None
    (row,) = log.store.query(  # type: ignore[attr-defined]
        Query("child_files", columns=("last_visit",))
    )
    assert row == (file.last_visit.isoformat(),)
    assert file.last_visit == (START + timedelta(days=200, hours=3)).date()


@pytest.mark.parametrize("page_size", [1, 2, 3])
def test_an_append_split_by_a_page_is_one_moment_of_knowledge(page_size: int) -> None:
    """A void and the categories it calls for are one append, one recorded moment: however the
    pages fall, the tables come out as with pages that hold the whole append."""
    clock = ManualClock(START)
    log = _history_log(clock)
    _apply(log, clock, ("register", 0, VILLAGE, 3000))
    clock.advance(3600)
    (categories,) = [e for e in log.read_stream("child:c-0") if e.type == "categories_recorded"]
    log.void("c-0", categories.event_id, reason="wrong", actor="li", effective=START.date())
    engine.rebuild_all(log, list(log.projections.values()), page_size=1000)
    whole = _rows(log)
    engine.rebuild_all(log, list(log.projections.values()), page_size=page_size)
    assert _rows(log) == whole


@pytest.mark.parametrize("page_size", [1, 1000])
def test_a_voided_registration_leaves_no_row(page_size: int) -> None:
    """A log written by another tool may void a registration (the commands refuse to): the
    child's row goes, as a rebuild would never write it, however the pages fall."""
    clock = ManualClock(START)
    log = _history_log(clock)
    _apply(log, clock, ("register", 0, VILLAGE, 3000))
    engine.catch_up_all(log, list(log.projections.values()), page_size=page_size)
    assert log.store.query(Query("child_files", columns=("child_id",))) == [("c-0",)]  # type: ignore[attr-defined]
    clock.advance(3600)
    (registered,) = [e for e in log.read_stream("child:c-0") if e.type == "child_registered"]
    log.append("child:c-0", [EventVoided(registered.event_id, "never lived here")],
               effective=START.date())  # fmt: skip
    engine.catch_up_all(log, list(log.projections.values()), page_size=page_size)
    assert log.store.query(Query("child_files", columns=("child_id",))) == []  # type: ignore[attr-defined]
    whole = _rows(log)
    engine.rebuild_all(log, list(log.projections.values()), page_size=page_size)
    assert _rows(log) == whole


FACTS_SEEN = Table(
    "facts_seen",
    (Column("child_id", "text", is_nullable=False), Column("facts", "integer", is_nullable=False)),
    key=("child_id",),
)


class _FactsSeen(Projection):
    """How many parent facts c-0's stream held when its household's means were last recorded:
    a projection that reads another stream than its events', after what it read before."""

    name = "facts_seen"
    version = "1"
    tables = (FACTS_SEEN,)
    types: ClassVar[frozenset[str] | None] = frozenset(
        {"parent_status_recorded", "household_economic_status_recorded", "child_registered"}
    )

    def apply(self, batch: Batch) -> list[TableChanges]:
        kept = batch.kept(self.name)
        rows = []
        for event in batch.events:
            if event.type == "household_economic_status_recorded":
                seen, facts = kept.get("c-0", (0, 0))
                new = batch.read_stream_after("child:c-0", seen)
                facts += sum(e.type == "parent_status_recorded" for e in new)
                kept["c-0"] = (new[-1].version if new else seen, facts)
                rows.append(("c-0", facts))
        return [TableChanges(FACTS_SEEN.name, tuple(rows))] if rows else []


@pytest.mark.parametrize(("cached", "page_size"), [(500_000, 1000), (500_000, 1), (4, 1)])
def test_a_stream_let_go_gives_what_came_after_the_version_asked_for(
    monkeypatch: pytest.MonkeyPatch, cached: int, page_size: int
) -> None:
    """A stream let go from a small cache still gives a projection every event after the
    version it read, not only those after the stream was let go."""
    clock = ManualClock(START)
    log = _history_log(clock)
    _apply(log, clock, ("register", 0, VILLAGE, 3000))
    file = log.child_file("c-0")
    assert file is not None
    means = HouseholdEconomicStatusRecorded(file.household_id, IncomeSource.FARMING)
    log.append(f"household:{file.household_id}", [means], effective=START.date())
    for parent in Parent:
        clock.advance(60)
        fact = ParentStatusRecorded("c-0", parent, ParentSituation.MIGRANT_WORKER)
        log.append("child:c-0", [fact], effective=START.date())
    for n in range(1, 4):
        clock.advance(60)
        _apply(log, clock, ("register", n, VILLAGE, 3000))
    clock.advance(60)
    log.append(f"household:{file.household_id}", [means], effective=START.date())
    monkeypatch.setattr(engine, "CACHED_EVENTS", cached)
    projection = _FactsSeen()
    log.register_projection(projection)
    engine.rebuild(log, projection, page_size=page_size)
    assert log.store.query(Query(FACTS_SEEN.name)) == [("c-0", 2)]  # type: ignore[attr-defined]


class _OneByOne:
    """A store of another library that writes one projection at a time: a memory store
    without ``write_projections``."""

    def __init__(self) -> None:
        self._inner = caselog.MemoryStore()

    def __getattr__(self, name: str) -> Any:
        if name == "write_projections":
            raise AttributeError(name)
        return getattr(self._inner, name)


def test_a_store_without_write_projections_keeps_projections_one_by_one() -> None:
    """``write_projections`` is optional: a store that writes one projection at a time keeps
    the same tables."""
    clock = ManualClock(START)
    log = caselog.open(_OneByOne(), clock=clock)
    build(log)
    for n in range(3):
        _apply(log, clock, ("register", n, VILLAGE, 3000))
        clock.advance(60)
    log.catch_up()
    rows = _rows(log)
    assert len(rows["child_files"]) == 3
    log.rebuild()
    assert _rows(log) == rows


def test_a_catch_up_reads_again_where_another_process_stopped_inside_its_page(
    tmp_path: Path,
) -> None:
    """Another process commits a batch that ends inside this process's page and stops: this
    process goes back to where it stopped, and no row is missing."""
    clock = ManualClock(START)
    path = tmp_path / "log.db"
    log = caselog.open(str(path), clock=clock)
    build(log)
    engine.catch_up(log, engine_files.ChildFilesProjection())
    for n in range(30):
        _apply(log, clock, ("register", n, VILLAGE, 3000))
        clock.advance(60)
    other = caselog.open(str(path), clock=clock)

    class Stop(Exception):
        pass

    def stop(_end: int) -> None:
        raise Stop  # the other process is killed after its first batch

    mine = engine_files.ChildFilesProjection()
    apply = mine.apply
    batches: list[int] = []

    def interleaved(batch: Batch) -> list[TableChanges]:
        batches.append(batch.end)
        if len(batches) == 1:
            with pytest.raises(Stop):
                engine.catch_up(other, engine_files.ChildFilesProjection(), page_size=3,
                                progress=stop)  # fmt: skip
        return apply(batch)

    mine.apply = interleaved  # type: ignore[method-assign]
    engine.catch_up(log, mine, page_size=10)
    assert batches[1] < batches[0] + 10  # it went back to where the other process stopped
    caught = _rows(log)["child_files"]
    engine.rebuild(log, engine_files.ChildFilesProjection())
    assert caught == _rows(log)["child_files"]
    assert len(caught) == 30
