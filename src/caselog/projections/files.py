"""The ``child_files`` table, one row per child, and the visit lists read from it.

A row is the child's file as the log knows it now, folded with the same function as
:meth:`caselog.Caselog.child_file`, before the calendar is applied: the status is the recorded
one, and ``adult_on`` (the 18th birthday) lets a query apply the calendar itself, so the table is
the same whatever day it is rebuilt on. It holds no name or identifying number, and nothing of
the household's own stream (its means), so the projection folds the child's stream alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from caselog.domain.codes import FileStatus
from caselog.domain.corrections import EventCorrected, EventVoided
from caselog.domain.file import ADULT_AGE, ChildFile, Folding, birthday_at, moment, select
from caselog.domain.rules.visits import next_visit, visit_interval
from caselog.errors import ValidationError
from caselog.events.registry import default_registry
from caselog.projections.columns import areas_above, day_text, text
from caselog.projections.engine import Batch, Projection, catch_up, projection_store
from caselog.tables import Column, Condition, Query, Table, TableChanges

if TYPE_CHECKING:
    from caselog.log import Caselog

__all__ = ["CHILD_FILES", "ChildFilesProjection", "VisitLine", "VisitReport", "visits"]


_ELSEWHERE = ("application_", "entitlement_", "payment_", "benefit_", "evidence_",
              "verification_", "area_", "worker_", "home_", "household_")  # fmt: skip
"""Event types of other streams than a child's."""

FIXES = frozenset((EventCorrected, EventVoided))

_STATUSES = {status: status.value for status in FileStatus}


CHILD_FILES = Table(
    "child_files",
    (
        text("child_id", "the child", nullable=False),
        text("household_id", "the household the child lives in", nullable=False),
        text("village", "the village that owns the file", nullable=False),
        text("township", "its township"),
        text("county", "its county"),
        text("province", "its province"),
        text("sex", "female or male", nullable=False),
        text("birth_date", "the birth date", nullable=False),
        text(
            "adult_on", "the 18th birthday: the file counts as aged out from then", nullable=False
        ),
        text("registered_on", "the day the file opened", nullable=False),
        text("status", "the recorded status: active, moved_out, closed, deceased", nullable=False),
        text("status_since", "since when"),
        text(
            "categories",
            "category/subtype pairs recorded, comma-separated, e.g. "
            "left_behind/both_parents_away,disabled/physical",
        ),
        text("rule_set", "the rule set and version that recorded them"),
        text("last_visit", "the day of the last completed visit"),
        text("next_due_from", "the next visit's window opens ..."),
        text("next_due_by", "... and closes: overdue after this day"),
        text("next_reason", "why it falls due then"),
        Column("open_concerns", "integer", is_nullable=False, description="concerns still open"),
        text("unfollowed_since", "the report day of the oldest open concern nobody followed up"),
        Column("version", "integer", is_nullable=False, description="the child stream's version"),
    ),
    key=("child_id",),
    indexes=(("village",), ("township",), ("county",), ("province",), ("household_id",)),
    description="one row per child: the current file, without the calendar applied",
)


def _areas(directory: Any, village: str) -> tuple[str | None, str | None, str | None]:
    found = areas_above(directory, village)
    return found.get("township"), found.get("county"), found.get("province")


def file_row(
    file: ChildFile, directory: Any, rules: Any, memo: dict[str, Any] | None = None
) -> tuple[Any, ...]:
    """The ``child_files`` row of a file folded without the calendar. ``memo``, kept from one
    row of a child to the next, saves working out again what did not change (the categories'
    text, the birthdays, the areas above the village, the days between visits)."""
    memo = {} if memo is None else memo
    recorded, risk, visits = file.categories, file.risk, rules.visits
    # what does not change from one event to the next, worked out again when its sources do
    sources = (
        recorded,
        risk,
        visits,
        file.birth_date,
        file.sex,
        file.village,
        len(directory.areas),
    )
    fixed = memo.get("fixed")
    if fixed is None or fixed[0] != sources:
        categories = rule_set = None
        if recorded is not None:
            pairs = sorted(f"{c.category}/{c.subtype}" if c.subtype else c.category
                           for c in recorded.categories)  # fmt: skip
            categories = ",".join(pairs)
            rule_set = f"{recorded.rule_set}@{recorded.rule_version}"
        birth = file.birth_date
        fixed = memo["fixed"] = (
            sources,
            (
                *_areas(directory, file.village),
                file.sex.value,
                birth.isoformat(),
                birthday_at(birth, ADULT_AGE).isoformat(),
            ),
            (categories, rule_set),
            visit_interval(recorded, risk, visits),
        )
    _, identity, recorded_as, interval = fixed
    status = file.status
    due_from = due_by = reason = None
    if status is FileStatus.ACTIVE:
        due = next_visit(file, visits, interval=interval)
        due_from, due_by, reason = day_text(due.due_from), day_text(due.due_by), due.reason
    unfollowed = None
    if file.open_concerns:
        days = [
            day_text(source.effective) or ""
            for concern in file.open_concerns
            if concern.concern_id not in file.followed_up
            and (source := file.source(f"concern:{concern.concern_id}")) is not None
        ]
        unfollowed = min(days, default=None)
    return (
        file.child_id,
        file.household_id,
        file.village,
        *identity,
        day_text(file.registered_on),
        _STATUSES[status],
        day_text(file.status_since),
        *recorded_as,
        day_text(file.last_visit),
        due_from,
        due_by,
        reason,
        len(file.open_concerns),
        unfollowed,
        file.version,
    )


class ChildFilesProjection(Projection):
    """Keeps ``child_files``."""

    name = "child_files"
    version = "2"
    tables = (CHILD_FILES,)
    types: ClassVar[frozenset[str] | None] = frozenset(
        name for name in default_registry.names() if not name.startswith(_ELSEWHERE)
    )

    def key(self, log: Caselog) -> str:
        return f"{self.version}:{log.rules.label}"  # visit intervals come from the rules

    def apply(self, batch: Batch) -> list[TableChanges]:
        children = dict.fromkeys(
            e.stream[6:] for e in batch.events if e.stream.startswith("child:")
        )
        log = batch.log
        directory = batch.directory
        kept = batch.kept(self.name)
        rows = []
        gone = []
        for child_id in children:
            fold = kept.get(child_id)
            if fold is None:
                fold = kept[child_id] = _Fold(child_id)
            file = fold.update(batch)
            if file is None:
                gone.append((child_id,))  # no registration holds (it was voided): no row
                fold.row = None
                continue
            row = file_row(file, directory, log.rules, fold.memo)
            if row != fold.row:  # a change may leave the row as it was
                rows.append(row)
                fold.row = row
        if not rows and not gone:
            return []
        return [TableChanges(CHILD_FILES.name, tuple(rows), tuple(gone))]


class _Fold:
    """A child's file folded so far in one catch-up, and the last version of its stream read.

    Events that sort after all those folded are added to the fold; anything else (a back-dated
    event, a fix, an event a fix names) folds the child's events again from the start, so the
    file always equals ``fold(select(events))`` of the child's stream.
    """

    __slots__ = ("fixed", "folding", "last", "memo", "row", "seen", "stream")

    def __init__(self, child_id: str) -> None:
        self.stream = f"child:{child_id}"
        self.folding = Folding()
        self.seen = 0  # the last version of the stream read
        self.fixed: set[str] = set()  # events that fixes target or bring in
        self.last: tuple[datetime, int] | None = None  # the sort key of the last event folded
        self.row: tuple[Any, ...] | None = None  # the row last written
        self.memo: dict[str, Any] = {}  # see file_row

    def update(self, batch: Batch) -> ChildFile | None:
        """Fold in the events the batch brings, and return the file (a peek: read it at once)."""
        fresh = batch.read_stream_after(self.stream, self.seen)
        if not fresh:
            return self.folding.peek()
        self.seen = fresh[-1].version
        fixed = self.fixed
        if len(fresh) == 1 and self.last is not None:  # the usual case: one event more
            event = fresh[0]
            key = (moment(event.effective), event.position)
            if type(event.data) in FIXES or event.event_id in fixed or key < self.last:
                self._refold(batch)
            else:
                self.folding.add(event)
                self.last = key
            return self.folding.peek()
        if self.last is None or any(
            type(e.data) in FIXES or (fixed and e.event_id in fixed) for e in fresh
        ):
            self._refold(batch)
            return self.folding.peek()
        keyed = sorted(((moment(e.effective), e.position), e) for e in fresh)
        if keyed[0][0] < self.last:
            self._refold(batch)  # something back-dated
            return self.folding.peek()
        for _, event in keyed:
            self.folding.add(event)
        self.last = keyed[-1][0]
        return self.folding.peek()

    def _refold(self, batch: Batch) -> None:
        """Fold the child's stream again from its start."""
        events = batch.read_stream(self.stream)
        self.seen = events[-1].version if events else 0
        self.fixed = set()
        for event in events:
            if isinstance(event.data, EventCorrected):
                self.fixed |= {event.data.target, event.data.replacement}
            elif isinstance(event.data, EventVoided):
                self.fixed.add(event.data.target)
        self.folding = Folding()
        for event in select(events):
            self.folding.add(event)
        self.last = max(((moment(e.effective), e.position) for e in events), default=None)


@attrs.frozen
class VisitLine:
    """A child in a visit list: where, when the visit falls due, and why."""

    child_id: str
    village: str
    workers: tuple[str, ...]
    due_from: date | None
    due_by: date | None
    reason: str | None
    last_visit: date | None
    days_overdue: int
    unfollowed_since: date | None


@attrs.frozen
class VisitReport:
    """The visit lists of an area on a day."""

    area: str
    on: date
    due_soon: tuple[VisitLine, ...]
    overdue: tuple[VisitLine, ...]
    never_visited: tuple[VisitLine, ...]
    concerns_without_follow_up: tuple[VisitLine, ...]

    def by_village(self) -> dict[str, dict[str, int]]:
        """How many children of each list each village has."""
        counts: dict[str, dict[str, int]] = {}
        for name in ("due_soon", "overdue", "never_visited", "concerns_without_follow_up"):
            for line in getattr(self, name):
                village = counts.setdefault(line.village, {})
                village[name] = village.get(name, 0) + 1
        return counts


def _date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def visits(
    log: Caselog, area: str, *, on: date, within: int = 7, catch_up_first: bool = True
) -> VisitReport:
    """The children of ``area`` whose visit falls due within ``within`` days of ``on``, those
    overdue, those never visited since registration, and those with a concern not followed up
    within the rules' time (files active on ``on``, 18th birthday included)."""
    if not isinstance(on, date) or isinstance(on, datetime):
        raise ValidationError("on", f"expected a date, not {on!r}")
    if type(within) is not int or within < 0:
        raise ValidationError("within", f"{within!r} is not a number of days")
    directory = log.directory()
    level = directory.area(area, field="area").level
    if catch_up_first:
        catch_up(log, ChildFilesProjection())
    day = on.isoformat()
    where = (
        Condition(level.value, "=", area),
        Condition("status", "=", FileStatus.ACTIVE.value),
        Condition("adult_on", ">", day),
        Condition("registered_on", "<=", day),
    )
    columns = ("child_id", "village", "next_due_from", "next_due_by", "next_reason",
               "last_visit", "unfollowed_since")  # fmt: skip
    rows = projection_store(log).query(
        Query(CHILD_FILES.name, where, columns, order_by=("next_due_by", "child_id"))
    )
    workers: dict[str, tuple[str, ...]] = {}
    for worker in directory.workers.values():
        if worker.is_active and worker.role.value == "village_worker":
            workers[worker.area] = (*workers.get(worker.area, ()), worker.worker_id)
    soon, late, never, concerns = [], [], [], []
    follow_up = timedelta(days=log.rules.visits.concern_follow_up_days)
    for child_id, village, due_from, due_by, reason, last, unfollowed in rows:
        by = _date(due_by)
        line = VisitLine(
            child_id, village, tuple(sorted(workers.get(village, ()))), _date(due_from), by,
            reason, _date(last), max((on - by).days, 0) if by else 0, _date(unfollowed),
        )  # fmt: skip
        if by is not None and by < on:
            late.append(line)
        elif by is not None and by <= on + timedelta(days=within):
            soon.append(line)
        if last is None:
            never.append(line)
        if line.unfollowed_since is not None and line.unfollowed_since + follow_up < on:
            concerns.append(line)
    return VisitReport(area, on, tuple(soon), tuple(late), tuple(never), tuple(concerns))


def file_rows(log: Caselog, area: str, *, columns: Sequence[str] = ()) -> list[tuple[Any, ...]]:
    """The ``child_files`` rows of an area, caught up."""
    level = log.directory().area(area, field="area").level
    catch_up(log, ChildFilesProjection())
    query = Query(CHILD_FILES.name, (Condition(level.value, "=", area),), tuple(columns),
                  order_by=("child_id",))  # fmt: skip
    return projection_store(log).query(query)
