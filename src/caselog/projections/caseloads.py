"""Caseloads at any moment: bitemporal tables of where each child's file was open and with which
categories, and the counts read from them.

Every row holds in valid time ``[valid_from, valid_to)`` (days) and was the knowledge of the log
in transaction time ``[recorded_from, recorded_to)``; a null end is still open. "The caseload of
a county on 31 December 2021 as known on 15 January 2022" is a range query over these rows, not a
replay, and a report run at any moment can be run again later with the same answer.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from caselog.domain.calendar import check_month, month_start, months, next_month
from caselog.domain.file import age_on
from caselog.errors import ValidationError
from caselog.events.registry import default_registry
from caselog.projections.columns import areas_above, day_text, text
from caselog.projections.engine import Batch, Projection, catch_up, projection_store
from caselog.projections.timeline import RELEVANT, Piece, history
from caselog.tables import Column, Condition, Query, Table, TableChanges
from caselog.times import format_recorded

if TYPE_CHECKING:
    from caselog.log import Caselog

__all__ = ["AGE_BANDS", "BY", "Caseload", "CaseloadProjection", "age_band", "caseload"]

AGE_BANDS = ((0, 2), (3, 5), (6, 11), (12, 15), (16, 17))
"""Age bands of caseload reports, in whole years: under 3, 3-5, 6-11, 12-15 and 16-17."""

BY = ("category", "subtype", "sex", "age_band")
"""What a caseload can be counted by."""


def age_band(birth_date: date, on: date) -> str:
    """The age band of a child born on ``birth_date``, on ``on``."""
    age = age_on(birth_date, on)
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "18+"


_KEY = (
    text("child_id", "the child", nullable=False),
    text("recorded_from", "known from this moment (UTC, ISO 8601) ...", nullable=False),
    Column(
        "seq",
        "integer",
        is_nullable=False,
        description="numbers the rows first known at that moment",
    ),
    text("recorded_to", "... until this one (exclusive); null: still known"),
    text("valid_from", "holds from this day ...", nullable=False),
    text("valid_to", "... until this day (exclusive); null: still holds"),
    text("village", "the village that owned the file", nullable=False),
    text("township", "its township"),
    text("county", "its county"),
    text("province", "its province"),
    text("sex", "female or male", nullable=False),
    text("birth_date", "the child's birth date", nullable=False),
)
_AREAS = ("village", "township", "county", "province")

CHILD_PERIODS = Table(
    "child_periods",
    _KEY,
    key=("child_id", "recorded_from", "seq"),
    indexes=tuple((area, "recorded_to", "valid_from") for area in _AREAS),
    description="where each child's file was open (active), in valid and transaction time",
)
CATEGORY_PERIODS = Table(
    "category_periods",
    (
        *_KEY,
        text("category", "an observed category", nullable=False),
        text("subtypes", "its subtypes holding then, comma-separated; null: none"),
    ),
    key=("child_id", "recorded_from", "seq"),
    indexes=tuple((area, "recorded_to", "valid_from") for area in _AREAS),
    description="each child's categories while the file was open, in valid and transaction time",
)


class CaseloadProjection(Projection):
    """Keeps ``child_periods`` and ``category_periods``."""

    name = "caseload"
    version = "4"
    tables = (CHILD_PERIODS, CATEGORY_PERIODS)
    types: ClassVar[frozenset[str] | None] = frozenset(
        default_registry.of_class(kind).name for kind in RELEVANT
    )

    def key(self, log: Caselog) -> str:
        return f"{self.version}:{log.rules.label}"  # the rules decide when general holds

    def apply(self, batch: Batch) -> list[TableChanges]:
        changes = _Changes()
        kept = batch.kept(self.name)  # each child's _Known
        moments: dict[str, set[datetime]] = {}  # each child stream's recorded moments
        for event in batch.events:
            if event.stream.startswith("child:"):
                moments.setdefault(event.stream, set()).add(event.recorded)
        is_whole = batch.is_kept_whole(self.name)  # a child not kept has no rows yet
        for stream, times in moments.items():
            child_id = stream.removeprefix("child:")
            known: _Known | None = kept.get(child_id)
            if known is None:
                nothing: dict[str, list[tuple[Any, ...]]] = {
                    CHILD_PERIODS.name: [],
                    CATEGORY_PERIODS.name: [],
                }
                known = kept[child_id] = _Known(nothing if is_whole else None)
            new = batch.read_stream_after(stream, known.seen)
            if new:
                known.events += [e for e in new if type(e.data) in _RELEVANT]
                known.seen = new[-1].version
            child = _Child(batch, child_id, changes, known.open)
            child.know(known.events, sorted(times), known.memo)
            known.open = child.open
        return changes.tables()


_RELEVANT = frozenset(RELEVANT)


class _Known:
    """What the caseload keeps of a child between batches of a run: the child's events its
    history depends on, the last version of the stream read, and the open rows."""

    __slots__ = ("events", "memo", "open", "seen")

    def __init__(self, open_rows: dict[str, list[tuple[Any, ...]]] | None) -> None:
        self.open = open_rows  # None: not known yet, read from the tables
        self.events: list[Any] = []
        self.seen = 0
        self.memo: dict[Any, Any] = {}  # what working out its history and rows saves again


class _Changes:
    """The rows a batch writes and deletes, by table, the last write of a key winning."""

    def __init__(self) -> None:
        self.upserts: dict[str, dict[tuple[Any, ...], tuple[Any, ...]]] = {
            CHILD_PERIODS.name: {},
            CATEGORY_PERIODS.name: {},
        }
        self.deletes: dict[str, set[tuple[Any, ...]]] = {name: set() for name in self.upserts}

    def write(self, table: Table, row: tuple[Any, ...]) -> None:
        self.upserts[table.name][row[:3]] = row

    def delete(self, table: Table, key: tuple[Any, ...]) -> None:
        self.upserts[table.name].pop(key, None)
        self.deletes[table.name].add(key)

    def tables(self) -> list[TableChanges]:
        return [
            TableChanges(name, tuple(rows.values()), tuple(self.deletes[name] - set(rows)))
            for name, rows in self.upserts.items()
            if rows or self.deletes[name]
        ]


class _Child:
    """One child's rows as a batch changes them."""

    def __init__(
        self,
        batch: Batch,
        child_id: str,
        changes: _Changes,
        open_rows: dict[str, list[tuple[Any, ...]]] | None = None,
    ) -> None:
        self.batch = batch
        self.child_id = child_id
        self.changes = changes
        if open_rows is None:
            where = (Condition("child_id", "=", child_id), Condition("recorded_to", "is_null"))
            open_rows = {
                table.name: batch.rows(Query(table.name, where=where, order_by=("seq",)))
                for table in (CHILD_PERIODS, CATEGORY_PERIODS)
            }
        self.open = open_rows

    def know(
        self, events: Sequence[Any], times: Iterable[datetime], memo: dict[Any, Any] | None = None
    ) -> None:
        """Record what the log knew of the child at each of ``times``: rows no longer known
        are closed at that moment, rows newly known are written from it, rows known before
        and still stay as they are. ``memo`` is kept for the child between calls, with its open
        rows: the same pieces as at the last moment (and the same areas) change nothing."""
        rules = self.batch.log.rules
        directory = self.batch.directory
        memo = {} if memo is None else memo
        walked, groups = memo.setdefault("history", {}), memo.setdefault("rows", {})
        for moment in times:
            pieces = history(events, known_at=moment, rules=rules, memo=walked)
            known = (len(directory.areas), pieces)
            if memo.get("pieces") == known:
                continue  # the rows open are those of these pieces
            memo["pieces"] = known
            rows = _rows(pieces, directory, groups)
            since = format_recorded(moment)
            for table in (CHILD_PERIODS, CATEGORY_PERIODS):
                self._know(table, rows[table.name], since)

    def _know(self, table: Table, rows: list[tuple[Any, ...]], since: str) -> None:
        new = list(rows)  # what is known now and was not before
        still = []
        for row in self.open[table.name]:
            if row[4:] in new:
                new.remove(row[4:])
                still.append(row)
            elif row[1] == since:
                self.changes.delete(table, row[:3])  # known only for no time at all
            else:
                self.changes.write(table, (*row[:3], since, *row[4:]))
        if new:
            taken = {row[2] for row in still if row[1] == since}
            numbers = (seq for seq in itertools.count() if seq not in taken)
            for content in new:
                row = (self.child_id, since, next(numbers), None, *content)
                self.changes.write(table, row)
                still.append(row)
        self.open[table.name] = still


def _rows(
    pieces: list[Piece], directory: Any, memo: dict[Any, Any] | None = None
) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of a child's pieces, without their key and knowledge columns. ``memo`` keeps
    what each state of the last call gave (its areas, sex and birth date, its categories
    grouped)."""
    known: dict[Any, Any] = {} if memo is None else memo
    used: dict[Any, Any] = {}
    children: list[tuple[Any, ...]] = []
    categories: list[tuple[Any, ...]] = []
    areas_known = len(directory.areas)  # a new area may sit above the village
    for piece in pieces:
        state = piece.state
        found = used.get(id(state)) or known.get(id(state))
        if found is None or found[0] is not state or found[1] != areas_known:
            held: dict[str, list[str]] = {}
            for category, subtype in state.categories:
                held.setdefault(category, [])
                if subtype is not None:
                    held[category].append(subtype)
            groups = tuple((c, ",".join(sorted(held[c])) or None) for c in sorted(held))
            tail = (*_areas(directory, state.village), state.sex, day_text(state.birth_date))
            found = (state, areas_known, tail, groups)
        used[id(state)] = found
        _, _, tail, groups = found
        common = (day_text(piece.valid_from), day_text(piece.valid_to), *tail)
        if children and children[-1][1] == common[0] and children[-1][2:] == tail:
            children[-1] = (children[-1][0], common[1], *tail)  # only categories changed
        else:
            children.append(common)
        for category, subtypes in groups:
            categories.append((*common, category, subtypes))
    if memo is not None:
        memo.clear()
        memo.update(used)
    return {CHILD_PERIODS.name: children, CATEGORY_PERIODS.name: categories}


def _areas(directory: Any, village: str) -> tuple[str | None, ...]:
    """The village and the township, county and province above it."""
    found = areas_above(directory, village)
    return (village, found.get("township"), found.get("county"), found.get("province"))


@attrs.frozen
class Caseload:
    """Counts of children in an area on a day, as known at a moment.

    ``children`` counts each child once; ``rows`` are the groups of ``by`` and their counts. A
    child in several categories counts in each; a child in several subtypes of one category
    counts once in the category and in each subtype.
    """

    area: str
    as_of: date
    known_at: datetime | None
    by: tuple[str, ...]
    children: int
    rows: tuple[tuple[tuple[str | None, ...], int], ...]

    def count(self, **where: str | None) -> int:
        """The number of children in the groups that match ``where`` (by names in ``by``)."""
        if unknown := set(where) - set(self.by):
            raise ValidationError("where", f"not counted by {sorted(unknown)}")
        at = {name: self.by.index(name) for name in where}
        return sum(
            count
            for values, count in self.rows
            if all(values[at[name]] == value for name, value in where.items())
        )

    def to_csv(self) -> str:
        """The report as CSV text: a header, the groups, and the total of children."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["area", "as_of", "known_at", *self.by, "children"])
        known = "" if self.known_at is None else format_recorded(self.known_at)
        for values, count in self.rows:
            writer.writerow([self.area, self.as_of.isoformat(), known, *values, count])
        writer.writerow([self.area, self.as_of.isoformat(), known, *["*"] * len(self.by),
                         self.children])  # fmt: skip
        return out.getvalue()


def caseload(
    log: Caselog,
    area: str,
    *,
    as_of: date,
    known_at: datetime | None = None,
    by: Sequence[str] = ("category",),
    catch_up_first: bool = True,
) -> Caseload:
    """Count the children of ``area`` (any level) whose file was open on ``as_of``, as the log
    knew it at ``known_at`` (now when None), grouped ``by`` category, subtype, sex, age band."""
    if not isinstance(as_of, date) or isinstance(as_of, datetime):
        raise ValidationError("as_of", f"expected a date, not {as_of!r}")
    if known_at is not None and (
        not isinstance(known_at, datetime) or known_at.utcoffset() is None
    ):
        raise ValidationError("known_at", f"expected an aware datetime, not {known_at!r}")
    by = tuple(by)
    if unknown := set(by) - set(BY):
        raise ValidationError("by", f"{sorted(unknown)} are not among {', '.join(BY)}")
    level = log.directory().area(area, field="area").level
    if catch_up_first:
        catch_up(log, CaseloadProjection())
    where = _when(level.value, area, as_of, known_at)
    store = projection_store(log)
    people = ("sex", "birth_date")
    totals = store.query(Query(CHILD_PERIODS.name, where=where, group_by=people))
    counts: Counter[tuple[str | None, ...]] = Counter()
    if "category" in by or "subtype" in by:
        groups = ("category", "subtypes", *people)
        for category, subtypes, sex, birth, count in store.query(
            Query(CATEGORY_PERIODS.name, where=where, group_by=groups)
        ):
            split = subtypes.split(",") if subtypes and "subtype" in by else [None]
            for subtype in split:
                counts[_values(by, category, subtype, sex, birth, as_of)] += count
    else:
        for sex, birth, count in totals:
            counts[_values(by, None, None, sex, birth, as_of)] += count
    rows = tuple(sorted(counts.items(), key=lambda item: _order(item[0])))
    return Caseload(area, as_of, known_at, by, sum(row[-1] for row in totals), rows)


def _when(level: str, area: str, as_of: date, known_at: datetime | None) -> tuple[Condition, ...]:
    """The conditions of rows about ``area`` that held on ``as_of``, as known at ``known_at``."""
    day = as_of.isoformat()
    where = [
        Condition(level, "=", area),
        Condition("valid_from", "<=", day),
        Condition("valid_to", "null_or_gt", day),
    ]
    if known_at is None:
        return (*where, Condition("recorded_to", "is_null"))
    moment = format_recorded(known_at)
    return (
        *where,
        Condition("recorded_from", "<=", moment),
        Condition("recorded_to", "null_or_gt", moment),
    )


def _order(values: tuple[str | None, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((value is not None, value or "") for value in values)


@attrs.frozen
class MonthChange:
    """How an area's caseload changed over a month: the children counted at its end, those
    added since the end of the month before, and those removed."""

    month: str
    children: int
    added: tuple[str, ...]
    removed: tuple[str, ...]


def caseload_changes(
    log: Caselog,
    area: str,
    *,
    first_month: str,
    last_month: str,
    known_at: datetime | None = None,
    category: str | None = None,
    catch_up_first: bool = True,
) -> list[MonthChange]:
    """Month by month from ``first_month`` to ``last_month``: the children of ``area`` (in
    ``category``, if given) at each month's end, and who was added and removed since the end of
    the month before, as known at ``known_at``."""
    first, last = check_month("first_month", first_month), check_month("last_month", last_month)
    level = log.directory().area(area, field="area").level
    if catch_up_first:
        catch_up(log, CaseloadProjection())
    store = projection_store(log)
    table = CHILD_PERIODS if category is None else CATEGORY_PERIODS
    extra = () if category is None else (Condition("category", "=", category),)

    def children_on(day: date) -> set[str]:
        where = (*_when(level.value, area, day, known_at), *extra)
        return {row[0] for row in store.query(Query(table.name, where, ("child_id",)))}

    changes = []
    before = children_on(month_start(first) - timedelta(days=1))
    for month in months(first, last):
        now = children_on(month_start(next_month(month)) - timedelta(days=1))
        changes.append(MonthChange(month, len(now), tuple(sorted(now - before)),
                                   tuple(sorted(before - now))))  # fmt: skip
        before = now
    return changes


def _values(
    by: tuple[str, ...], category: str | None, subtype: str | None, sex: str, birth: str,
    as_of: date,
) -> tuple[str | None, ...]:  # fmt: skip
    fields = {
        "category": category,
        "subtype": subtype,
        "sex": sex,
        "age_band": age_band(date.fromisoformat(birth), as_of),
    }
    return tuple(fields[name] for name in by)
