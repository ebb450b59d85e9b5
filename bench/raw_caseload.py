"""The raw caseload pipeline: caselog's ``child_periods`` and ``category_periods`` by hand.

A fold of plain tuples, lists and dicts, none of caselog's code involved (``raw_rebuild`` drives
it page by page: ``rebuild_caseload`` alone, ``rebuild_all`` with the other raw pipelines).

For each event it is given (``json.loads``-ed once by the driver) it keeps:

* from ``area_registered``: each area's parent and level (the directory), and the village, township,
  county and province of each village met since;
* for each child, the events of the child's stream a caseload depends on, in log order, each as a
  tuple (position, id, type, its effective time as a UTC instant in text, its day, recorded, the
  days on which it may change the history, and what of its payload counts): registrations,
  categories recorded, moves out and in, closures, reopenings, deaths, voids and corrections;
  and the child's open rows (``recorded_to`` null) as last written, in both tables;
* the recorded moments at which the page brought each child such an event.

Per page (``write``), for each child the page touched, at each of those moments in order, the
child's whole valid-time history as known then is worked out again from the child's events
recorded by that moment: the events voided or corrected by fixes in force (latest first, a void
of a void restoring its target, an undone correction taking its replacement along) are dropped,
a replacement sorts where the event it replaces stood, the rest are sorted by (effective instant,
position) and folded forward over the days on which anything may change (each event's day, each
category period's since and until, each registration's 18th birthday): on each such day the file
counts when registered, active (moves out, closures and death end it, death for good; moves in
and reopenings make it active again) and under 18, with its village, sex, birth date and the
categories it holds that day. Equal neighbouring days make one piece ``[valid_from, valid_to)``.
The pieces give the rows: one ``child_periods`` row per run of pieces in one village (only the
categories changing), one ``category_periods`` row per piece and category (its subtypes sorted,
comma-separated). Table by table, as caselog's projection (version 4) does: the child's open
rows (``recorded_to`` null) whose content is no longer known are closed (``recorded_to`` = the
moment; deleted if written at that same moment), those still known stay as they are, and the
contents newly known are written with ``recorded_from`` = the moment and ``seq`` the lowest
numbers not taken by open rows of that moment. The page's writes go out as
``executemany`` of ``DELETE`` by key (keys deleted and not written again), then of caselog's
upsert, ``INSERT ... ON CONFLICT (child_id, recorded_from, seq) DO UPDATE SET`` every other
column (the last write of each key), into ``raw_child_periods`` and ``raw_category_periods``,
tables with caselog's columns (STRICT, typed, its NOT NULLs), primary key
``(child_id, recorded_from, seq)`` and indexes ``(area, recorded_to, valid_from)`` for the
village, township, county and province.

Hard-coded, as a hand-written pipeline would have them: the default (national) rule set's
constants, that is the 18th birthday ending a file (a 29 February birthday falling on 1 March in
a common year) and the categories that stop a child counting as ``general``
(``general.unless``); and caselog's text forms: recorded and effective instants are UTC text of
one fixed width (``times.format_recorded``), so they compare as text and a recorded moment is
written as stored; days are ISO dates.
"""

from __future__ import annotations

import calendar
import sqlite3
from typing import Any, NamedTuple

from raw_areas import Areas

Row = tuple[Any, ...]

REGISTERED, CATEGORIES = "child_registered", "categories_recorded"
MOVED_IN, REOPENED, DIED = "child_moved_in", "case_reopened", "child_died"
VOIDED, CORRECTED = "event_voided", "event_corrected"
ENDED = {"child_moved_out": "moved_out", "case_closed": "closed", DIED: "deceased"}
RELEVANT = frozenset({REGISTERED, CATEGORIES, MOVED_IN, REOPENED, VOIDED, CORRECTED, *ENDED})
"""The event types of a child's stream the caseload depends on."""
AREA = "area_registered"
TYPES = RELEVANT | {AREA}
"""The event types this pipeline reads (and decodes)."""

ADULT_AGE = 18  # national rules: a file ends on the 18th birthday
GENERAL = "general"
UNLESS = frozenset({"left_behind", "orphan", "de_facto_unsupported", "in_difficulty"})
"""National rules, ``general.unless``: while one of these holds, ``general`` does not."""
MIDNIGHT = "T00:00:00.000000+00:00"  # a date's effective instant: the start of its day (UTC)

KEY = ("child_id TEXT NOT NULL", "recorded_from TEXT NOT NULL", "seq INTEGER NOT NULL",
       "recorded_to TEXT", "valid_from TEXT NOT NULL", "valid_to TEXT", "village TEXT NOT NULL",
       "township TEXT", "county TEXT", "province TEXT", "sex TEXT NOT NULL",
       "birth_date TEXT NOT NULL")  # fmt: skip
COLUMNS = {
    "raw_child_periods": KEY,
    "raw_category_periods": (*KEY, "category TEXT NOT NULL", "subtypes TEXT"),
}
TABLES = tuple(COLUMNS)
DDL = tuple(
    statement
    for table, columns in COLUMNS.items()
    for statement in (
        f"DROP TABLE IF EXISTS {table}",
        f"CREATE TABLE {table} ({', '.join(columns)},"
        " PRIMARY KEY (child_id, recorded_from, seq)) STRICT",
        *(
            f"CREATE INDEX {table}_{area} ON {table} ({area}, recorded_to, valid_from)"
            for area in ("village", "township", "county", "province")
        ),
    )
)


def upsert(table: str, columns: tuple[str, ...], key: tuple[str, ...]) -> str:
    """caselog's write of a projection row: ``INSERT INTO t VALUES (...) ON CONFLICT (key) DO
    UPDATE SET`` every non-key column ``= excluded.`` itself (an update in place), ``DO NOTHING``
    when every column is in the key. ``columns`` are declarations (``name TYPE ...``); a
    ``PRIMARY KEY (...)`` clause among them is passed over."""
    names = [f'"{c.split()[0]}"' for c in columns if not c.startswith("PRIMARY KEY")]
    keys = [f'"{name}"' for name in key]
    others = [name for name in names if name not in keys]
    action = (
        f"DO UPDATE SET {', '.join(f'{name} = excluded.{name}' for name in others)}"
        if others
        else "DO NOTHING"
    )
    return (
        f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(names))})'
        f" ON CONFLICT ({', '.join(keys)}) {action}"
    )


KEY_COLUMNS = ("child_id", "recorded_from", "seq")
INSERT = {table: upsert(table, columns, KEY_COLUMNS) for table, columns in COLUMNS.items()}
DELETE = {
    table: f"DELETE FROM {table} WHERE child_id = ? AND recorded_from = ? AND seq = ?"
    for table in COLUMNS
}


class Fact(NamedTuple):
    """One event of a child's stream, as the caseload needs it."""

    position: int
    event_id: str
    kind: str
    at: str  # the effective instant, UTC text: the fold's order
    day: str  # the day it takes effect
    recorded: str
    days: tuple[str, ...]  # the days on which it may change the history
    payload: Any  # registration: (village, sex, birth, 18th birthday); categories: periods
    # (category, since, subtype, until); move in: village; void: (target, None); correction:
    # (target, replacement); else None


class Child:
    """A child's facts, and the open rows last written (full rows, and without their key and
    knowledge columns), child periods first."""

    __slots__ = ("facts", "open", "values")

    def __init__(self) -> None:
        self.facts: list[Fact] = []
        self.open: tuple[list[Row], list[Row]] = ([], [])
        self.values: tuple[list[Row], list[Row]] = ([], [])


Piece = tuple[str, str | None, tuple[str, str, str, tuple[tuple[str, str | None], ...]]]


def adult_on(birth: str) -> str:
    """The 18th birthday of a child born on ``birth``; 29 February's falls on 1 March."""
    year = int(birth[:4]) + ADULT_AGE
    if birth[4:] == "-02-29" and not calendar.isleap(year):
        return f"{year:04d}-03-01"
    return f"{year:04d}{birth[4:]}"


def select(known: list[Fact]) -> list[Fact]:
    """The facts in force, in the order they fold: voided and corrected ones dropped, by
    (effective instant, position), a replacement where the event it replaces stood."""
    undone: set[str] = set()
    for fact in reversed(known):  # latest first: a void of a void restores the first one's target
        if fact.kind == VOIDED or fact.kind == CORRECTED:
            if fact.event_id in undone:
                if fact.kind == CORRECTED:
                    undone.add(fact.payload[1])  # an undone correction takes its replacement
                continue
            undone.add(fact.payload[0])
    replaced: dict[str, int] = {}
    positions: dict[str, int] | None = None
    for fact in known:
        if fact.kind == CORRECTED and fact.event_id not in undone:
            if positions is None:
                positions = {f.event_id: f.position for f in known}
            target, replacement = fact.payload
            replaced[replacement] = replaced.get(target, positions.get(target, 0))
    chosen = [fact for fact in known if fact.event_id not in undone] if undone else known
    if replaced:
        return sorted(chosen, key=lambda f: (f.at, replaced.get(f.event_id, f.position)))
    return sorted(chosen, key=lambda f: (f.at, f.position))


def labels_on(periods: tuple[tuple[str, str, str | None, str | None], ...], day: str) -> tuple[
    tuple[str, str | None], ...
]:  # fmt: skip
    """The (category, subtype) pairs recorded periods hold on ``day``, sorted: ``general`` goes
    while a category of ``UNLESS`` holds, and comes when nothing else does."""
    holding = {
        (category, subtype)
        for category, since, subtype, until in periods
        if since <= day and (until is None or day < until)
    }
    held = {category for category, _ in holding}
    if not held.isdisjoint(UNLESS):
        if GENERAL in held:
            holding = {label for label in holding if label[0] != GENERAL}
    elif GENERAL not in held:
        holding.add((GENERAL, None))
    return tuple(sorted(holding, key=lambda label: (label[0], label[1] or "")))


def history(facts: list[Fact], known_at: str) -> list[Piece]:
    """The child's open-file pieces ``(valid_from, valid_to, (village, sex, birth, labels))``
    as known at the moment ``known_at``."""
    known = [fact for fact in facts if fact.recorded <= known_at]
    days: set[str] = set()
    for fact in known:
        days.update(fact.days)
    chosen = select(known)
    ordered = sorted(days)
    last = len(ordered) - 1
    pieces: list[Piece] = []
    village: str | None = None
    sex = birth = adult = status = ""
    periods = None
    folded, count = 0, len(chosen)
    for n, day in enumerate(ordered):
        while folded < count and chosen[folded].day <= day:  # in effect by the end of the day
            _, _, kind, _, _, _, _, payload = chosen[folded]
            folded += 1
            if kind == REGISTERED:
                if village is None:
                    village, sex, birth, adult = payload
                    status = "active"
                else:  # a second registration (a correction's replacement) restates identity
                    _, sex, birth, adult = payload
            elif village is None:
                continue  # nothing folds before the registration
            elif kind == CATEGORIES:
                periods = payload
            elif kind == MOVED_IN:
                if status != "deceased":
                    village, status = payload, "active"
            elif kind in ENDED:
                if status != "deceased":
                    status = ENDED[kind]
            elif kind == REOPENED and status != "deceased":
                status = "active"
        if village is None or status != "active" or day >= adult:
            continue  # no file, or not active, or aged out
        state = (village, sex, birth, () if periods is None else labels_on(periods, day))
        until = ordered[n + 1] if n < last else None
        if pieces and pieces[-1][1] == day and pieces[-1][2] == state:
            pieces[-1] = (pieces[-1][0], until, state)
        else:
            pieces.append((day, until, state))
    return pieces


class Caseload:
    """The state the raw caseload pipeline keeps between pages, and the page's writes."""

    types = TYPES
    decoded = TYPES

    def __init__(self) -> None:
        self.directory = Areas()
        self.places: dict[str, tuple[str, str | None, str | None, str | None]] = {}
        self.groups: dict[tuple[tuple[str, str | None], ...], tuple[tuple[str, str | None], ...]]
        self.groups = {}
        self.children: dict[str, Child] = {}
        self.touched: dict[str, set[str]] = {}

    def take(self, row: Row, data: Any) -> None:
        """Take in one event (a ``caselog_events`` row) of the types read, and its payload."""
        kind = row[4]
        stream = row[1]
        if kind == AREA:
            self.directory.take(data)
            self.places.clear()
            return
        if not stream.startswith("child:"):
            return
        key = stream[6:]
        effective = row[6]
        day = effective[:10]
        payload: Any = None
        days: tuple[str, ...] = (day,)
        if kind == REGISTERED:
            birth = data["birth_date"]
            adult = adult_on(birth)
            payload = (data["village"], data["sex"], birth, adult)
            days = (day, adult)
        elif kind == CATEGORIES:
            payload = tuple(
                (p["category"], p["since"], p["subtype"], p["until"]) for p in data["categories"]
            )
            days = (day, *(p[1] for p in payload), *(p[3] for p in payload if p[3] is not None))
        elif kind == MOVED_IN:
            payload = data["village"]
        elif kind == VOIDED:
            payload = (data["target"], None)
        elif kind == CORRECTED:
            payload = (data["target"], data["replacement"])
        at = effective if len(effective) > 10 else effective + MIDNIGHT
        child = self.children.get(key)
        if child is None:
            child = self.children[key] = Child()
        child.facts.append(Fact(row[0], row[3], kind, at, day, row[7], days, payload))
        moments = self.touched.get(key)
        if moments is None:
            self.touched[key] = {row[7]}
        else:
            moments.add(row[7])

    def write(self, conn: sqlite3.Connection, end: int) -> None:
        """Work out the rows of the children the page (ending at position ``end``) touched, at
        each of their moments, and write them (in the caller's transaction)."""
        upserts: tuple[dict[Row, Row], dict[Row, Row]] = ({}, {})
        deletes: tuple[set[Row], set[Row]] = (set(), set())
        for key, moments in self.touched.items():
            child = self.children[key]
            for moment in sorted(moments):
                self.know(key, child, moment, upserts, deletes)
        self.touched = {}
        for table, written, deleted in zip(TABLES, upserts, deletes, strict=True):
            deleted.difference_update(written)
            if deleted:
                conn.executemany(DELETE[table], deleted)
            if written:
                conn.executemany(INSERT[table], written.values())

    def know(
        self,
        key: str,
        child: Child,
        moment: str,
        upserts: tuple[dict[Row, Row], dict[Row, Row]],
        deletes: tuple[set[Row], set[Row]],
    ) -> None:
        """Record what the log knew of the child at ``moment``, table by table: open rows no
        longer known are closed at that moment (deleted if written at that same moment), rows
        newly known are written from it (``seq`` the lowest numbers not taken by rows of that
        moment still open), rows known before and still stay as they are."""
        values = self.rows(history(child.facts, moment))
        if values == child.values:
            return
        for table in (0, 1):
            now = values[table]
            if now == child.values[table]:
                continue  # the same rows known: all stay
            written, deleted = upserts[table], deletes[table]
            new = list(now)  # known now and not before
            still = []
            for row in child.open[table]:
                if row[4:] in new:
                    new.remove(row[4:])
                    still.append(row)
                elif row[1] == moment:  # written at this same moment: it never held
                    written.pop(row[:3], None)
                    deleted.add(row[:3])
                else:
                    written[row[:3]] = (*row[:3], moment, *row[4:])
            if new:
                taken = {row[2] for row in still if row[1] == moment}
                seq = 0
                for value in new:
                    while seq in taken:
                        seq += 1
                    row = (key, moment, seq, None, *value)
                    seq += 1
                    written[row[:3]] = row
                    still.append(row)
            child.open[table][:] = still
        child.values = values

    def rows(self, pieces: list[Piece]) -> tuple[list[Row], list[Row]]:
        """The rows of a child's pieces without their key and knowledge columns: child periods
        (pieces that differ only in categories joined) and category periods."""
        periods: list[Row] = []
        categories: list[Row] = []
        for valid_from, valid_to, (village, sex, birth, labels) in pieces:
            common = (valid_from, valid_to, *self.areas(village), sex, birth)
            if periods and periods[-1][1] == valid_from and periods[-1][2:] == common[2:]:
                periods[-1] = (periods[-1][0], *common[1:])
            else:
                periods.append(common)
            for category, subtypes in self.grouped(labels):
                categories.append((*common, category, subtypes))
        return periods, categories

    def grouped(
        self, labels: tuple[tuple[str, str | None], ...]
    ) -> tuple[tuple[str, str | None], ...]:
        """(category, its subtypes comma-separated or None) of sorted labels, by category."""
        found = self.groups.get(labels)
        if found is None:
            held: dict[str, list[str]] = {}
            for category, subtype in labels:
                subtypes = held.setdefault(category, [])
                if subtype is not None:
                    subtypes.append(subtype)
            found = tuple((c, ",".join(sorted(held[c])) or None) for c in sorted(held))
            self.groups[labels] = found
        return found

    def areas(self, village: str) -> tuple[str, str | None, str | None, str | None]:
        """The village and the township, county and province above it."""
        found = self.places.get(village)
        if found is None:
            above = self.directory.above(village)
            found = (village, above.get("township"), above.get("county"), above.get("province"))
            self.places[village] = found
        return found
