"""The raw rebuild pipelines: what a hand-written projection of the same log costs, none of
caselog's code involved, writing the same rows as caselog's projections.

Over one sqlite3 connection with caselog's pragmas, the log is read in caselog's engine's pages
(``pages``: ``SELECT <all columns> FROM caselog_events WHERE position > ? ORDER BY position
LIMIT 1000``; a full page is extended by the events that follow it while they share its last
event's ``recorded`` time, cut at the first that does not, which starts the next page, so
nothing is read twice and the events of one append are never split). ``run`` drives one or more
folds over the pages: each event of the types they read goes to them, its payload
``json.loads``-ed once (the standard library; orjson is not installed here) if one of them
reads it, and per page one transaction with every fold's ``executemany`` and the pipeline's
position, as caselog's engine does. Rows are written with caselog's statements:
``INSERT INTO t VALUES (...) ON CONFLICT (key) DO UPDATE SET`` every non-key column
``= excluded.`` itself, deletes by key. The garbage collector is paused, as in caselog's engine.

The child files (``ChildFiles``, ``raw_child_files``: caselog's ``child_files``, all 21 columns,
its STRICT typed table, NOT NULLs, key and five indexes) keep, for each child, the file folded so
far in plain attributes, from the events of the child's stream in ``(effective instant,
position)`` order, as caselog's ``select`` and ``fold`` have them: the first registration opens
the file (household, village, sex, birth date, the day registered; nothing folds before it) and a
later one restates sex and birth date; the latest categories recorded (the pairs, the rule set
and version, the categories); the latest risk assessment (high or not); the last visit (which
also closes the concerns it saw); open concerns in report order, the first report day of each,
those followed up (resolved ones closed); moves out, closures and deaths (death for good), moves
in (village, and household unless none is named) and reopenings; the child stream's version
(events folded once the file is open). An event that sorts after all those folded is folded on;
a back-dated one, a void or correction, or an event a fix named, instead has the child's stream
read again from the store (up to the page's end) and folded anew from its start: voided and
corrected events dropped (latest fix first, a void of a void restoring its target, an undone
correction taking its replacement along), a replacement sorted where its target stood. Only the
payloads of the events that change a column are decoded. Per page, the rows of the children
whose stream the page brought an event (once registered), with the areas above the village, the
18th birthday (29 February's falls on 1 March), and the next visit as caselog's visit rules work
it out (the national rule set's intervals, hard-coded): the routine visit every so many days
after the last visit (or the registration) by the most demanding category or high risk, due in
a window ending on its day, or sooner to follow up a concern nobody followed up; with the
earliest report day of such concerns. Household streams are not read: no column depends on them
(caselog folds a household's economic status into the file, and writes the rows of the children
of a household a page brings an event of, unchanged).

The other projections of caselog's full rebuild have raw pipelines of their own, folded over the
same pages: ``raw_caseload`` (``child_periods`` and ``category_periods``, bitemporal) and
``raw_benefits`` (``applications``, ``entitlements``, ``payments``, ``benefit_standards``).
``rebuild`` (child files), ``rebuild_caseload`` and ``rebuild_benefits`` run one of them alone;
``rebuild_all`` runs the three in one pass over the log, as ``Caselog.rebuild()`` does.
"""

from __future__ import annotations

import gc
import json
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any, Protocol

import raw_benefits
import raw_caseload
from caselog import StoredEvent
from raw_areas import Areas
from raw_caseload import adult_on, upsert
from raw_sqlite import caselog_pragmas

PAGE = 1000
SELECT = (
    f"SELECT {', '.join(StoredEvent._fields)} FROM caselog_events"
    " WHERE position > ? ORDER BY position LIMIT ?"
)
STREAM = (
    "SELECT position, event_id, type, effective, version, data FROM caselog_events"
    " WHERE stream = ? AND position <= ? ORDER BY version"
)
COLUMNS = ("child_id TEXT PRIMARY KEY NOT NULL", "household_id TEXT NOT NULL",
           "village TEXT NOT NULL", "township TEXT", "county TEXT", "province TEXT",
           "sex TEXT NOT NULL", "birth_date TEXT NOT NULL", "adult_on TEXT NOT NULL",
           "registered_on TEXT NOT NULL", "status TEXT NOT NULL", "status_since TEXT",
           "categories TEXT", "rule_set TEXT", "last_visit TEXT", "next_due_from TEXT",
           "next_due_by TEXT", "next_reason TEXT", "open_concerns INTEGER NOT NULL",
           "unfollowed_since TEXT", "version INTEGER NOT NULL")  # fmt: skip
CHILD_FILES_DDL = (
    "DROP TABLE IF EXISTS raw_child_files",
    f"CREATE TABLE raw_child_files ({', '.join(COLUMNS)}) STRICT",
    *(
        f"CREATE INDEX raw_child_files_{c} ON raw_child_files ({c})"
        for c in ("village", "township", "county", "province", "household_id")
    ),
)
POSITION_DDL = (
    "DROP TABLE IF EXISTS raw_position",
    "CREATE TABLE raw_position (name TEXT PRIMARY KEY, position INTEGER NOT NULL)",
    "INSERT INTO raw_position VALUES ('raw', 0)",
)
INSERT = upsert("raw_child_files", COLUMNS, ("child_id",))
DELETE = "DELETE FROM raw_child_files WHERE child_id = ?"
POSITION = "UPDATE raw_position SET position = ? WHERE name = 'raw'"

REGISTERED, CATEGORIES, RISK = "child_registered", "categories_recorded", "risk_assessed"
VISITED, REPORTED, FOLLOWED = "visit_completed", "concern_reported", "concern_followed_up"
MOVED_IN, REOPENED, DIED = "child_moved_in", "case_reopened", "child_died"
VOIDED, CORRECTED = "event_voided", "event_corrected"
FIXES = frozenset({VOIDED, CORRECTED})
STATUS = {"child_moved_out": "moved_out", "case_closed": "closed", DIED: "deceased",
          REOPENED: "active"}  # fmt: skip
DECODED = frozenset({REGISTERED, CATEGORIES, RISK, VISITED, REPORTED, FOLLOWED, MOVED_IN})
"""The events of a child's stream whose payloads change a column."""
AREA = "area_registered"
CHILD_TYPES = frozenset({
    REGISTERED, CATEGORIES, RISK, VISITED, REPORTED, FOLLOWED, MOVED_IN, *STATUS, *FIXES,
    "parent_status_recorded", "care_arrangement_recorded", "schooling_recorded",
    "health_recorded", "disability_recorded", "needs_assessed", "visit_scheduled",
    "visit_cancelled", "visit_attempt_failed", "child_records_merged", "id_number_claimed",
})  # fmt: skip
"""The event types caselog's child files read, but for the households' (``household_``): every
event of a child's stream counts towards the file's version."""

MIDNIGHT = "T00:00:00.000000+00:00"  # a date's effective instant: the start of its day (UTC)
# National rules, ``visits``: days between visits by category, for high risk, the window a
# visit falls due in, and how soon a concern is followed up.
EVERY_DAYS = {"in_difficulty": 30, "orphan": 30, "de_facto_unsupported": 30, "left_behind": 90,
              "general": 365}  # fmt: skip
HIGH_RISK_DAYS, WINDOW_DAYS, FOLLOW_UP_DAYS = 30, 14, 7
GENERAL = frozenset({"general"})  # a file with no categories recorded

Row = tuple[Any, ...]
Key = tuple[str, int]  # (effective instant, position): the order events fold in


class File:
    """A child's file as far as ``child_files`` needs it, folded so far."""

    __slots__ = ("birth", "categories", "child_id", "concerns", "followed", "high_risk",
                 "household", "labels", "last_visit", "registered", "reported", "rule_set",
                 "sex", "since", "status", "version", "village")  # fmt: skip

    def __init__(self, data: Any, day: str) -> None:
        self.child_id: str = data["child_id"]
        self.household: str = data["household_id"]
        self.village: str = data["village"]
        self.sex: str = data["sex"]
        self.birth: str = data["birth_date"]
        self.registered = self.since = day
        self.status = "active"
        self.categories: str | None = None
        self.rule_set: str | None = None
        self.labels: set[str] | None = None  # the categories recorded, for the visit rules
        self.high_risk = False
        self.last_visit: str | None = None
        self.concerns: list[str] = []  # open concerns, in the order reported
        self.reported: dict[str, str] = {}  # each concern's first report day
        self.followed: set[str] = set()  # concerns followed up, resolved or not
        self.version = 0


class Child:
    """What the pipeline keeps of a child: the file (None until registered), the sort key of
    the last event folded, and the ids of the events fixes target or bring in."""

    __slots__ = ("file", "fixed", "last")

    def __init__(self) -> None:
        self.file: File | None = None
        self.last: Key | None = None
        self.fixed: frozenset[str] = frozenset()

    def fold(self, kind: str, day: str, version: int, data: Any) -> None:
        """Fold one event (``data`` is its payload if its type is ``DECODED``)."""
        file = self.file
        if file is None:
            if kind != REGISTERED:
                return  # nothing folds before the registration
            file = self.file = File(data, day)
        elif kind == REGISTERED:  # a second registration (a replacement) restates identity
            file.sex, file.birth = data["sex"], data["birth_date"]
        elif kind == VISITED:
            file.last_visit = day
            seen = data["concern_ids"]
            if seen:
                file.concerns = [c for c in file.concerns if c not in seen]
                file.followed.update(seen)
        elif kind == CATEGORIES:
            recorded = data["categories"]
            file.categories = ",".join(sorted(
                f"{p['category']}/{p['subtype']}" if p["subtype"] else p["category"]
                for p in recorded))  # fmt: skip
            file.rule_set = f"{data['rule_set']}@{data['rule_version']}"
            file.labels = {p["category"] for p in recorded}
        elif kind == RISK:
            file.high_risk = data["level"] == "high"
        elif kind == REPORTED:
            concern = data["concern_id"]
            file.concerns.append(concern)
            file.reported.setdefault(concern, day)
        elif kind == FOLLOWED:
            concern = data["concern_id"]
            file.followed.add(concern)
            if data["is_resolved"]:
                file.concerns = [c for c in file.concerns if c != concern]
        elif kind in STATUS:
            if file.status != "deceased":
                file.status, file.since = STATUS[kind], day
        elif kind == MOVED_IN and file.status != "deceased":
            file.household = data["household_id"] or file.household
            file.village, file.status, file.since = data["village"], "active", day
        if version > file.version:
            file.version = version


def instant(effective: str) -> str:
    """An effective time as a UTC instant in text: a date counts from the start of its day."""
    return effective if len(effective) > 10 else effective + MIDNIGHT


def refold(events: list[tuple[int, str, str, str, int, str]]) -> Child:
    """A child folded anew from its stream's events ``(position, id, type, effective, version,
    payload text)`` in log order: the events in force, in ``(effective instant, position)``
    order, a replacement where the event it replaces stood."""
    child = Child()
    loads = json.loads
    fixes = [(event[1], event[2], loads(event[5])) for event in events if event[2] in FIXES]
    undone: set[str] = set()
    replaced: dict[str, int] = {}
    if fixes:
        for event_id, kind, data in reversed(fixes):  # latest first: a void of a void restores
            if event_id in undone:
                if kind == CORRECTED:
                    undone.add(data["replacement"])  # an undone correction takes it along
                continue
            undone.add(data["target"])
        positions = {event[1]: event[0] for event in events}
        for event_id, kind, data in fixes:
            if kind == CORRECTED and event_id not in undone:
                target = data["target"]
                replaced[data["replacement"]] = replaced.get(target, positions.get(target, 0))
        child.fixed = frozenset(
            name for _, kind, data in fixes for name in (data["target"], data.get("replacement"))
            if name is not None
        )  # fmt: skip
    keyed = sorted(
        ((instant(event[3]), replaced.get(event[1], event[0])), event)
        for event in events
        if event[1] not in undone
    )
    for _, (_, _, kind, effective, version, text) in keyed:
        child.fold(kind, effective[:10], version, loads(text) if kind in DECODED else None)
    child.last = max((instant(event[3]), event[0]) for event in events) if events else None
    return child


class ChildFiles:
    """The raw ``child_files``: each child's file folded on as the log brings its events, and
    the rows of the children each page touched."""

    types = CHILD_TYPES | {AREA}
    decoded = DECODED | {AREA}

    def __init__(self) -> None:
        self.directory = Areas()
        self.places: dict[str, tuple[str | None, str | None, str | None]] = {}
        self.children: dict[str, Child] = {}
        self.touched: dict[str, None] = {}
        self.again: set[str] = set()  # children to fold anew from the store at the page's end
        self.windows: dict[tuple[str, int], tuple[str, str]] = {}
        self.follow_ups: dict[str, str] = {}

    def take(self, row: Row, data: Any) -> None:
        """Take in one event (a ``caselog_events`` row) of the types read, and its payload."""
        stream = row[1]
        if stream[:6] != "child:":
            if row[4] == AREA:
                self.directory.take(data)
                self.places.clear()
            return
        key = stream[6:]
        self.touched[key] = None
        child = self.children.get(key)
        if child is None:
            child = self.children[key] = Child()
        elif key in self.again:
            return  # read again from the store at the page's end
        kind = row[4]
        effective = row[6]
        at = (effective if len(effective) > 10 else effective + MIDNIGHT, row[0])
        last = child.last
        if (last is not None and at < last) or kind in FIXES or row[3] in child.fixed:
            self.again.add(key)  # back-dated, or a fix: fold the child anew
            return
        child.last = at
        child.fold(kind, effective[:10], row[2], data)

    def write(self, conn: sqlite3.Connection, end: int) -> None:
        """Write the rows of the children the page touched (in the caller's transaction),
        after folding anew from the store (up to ``end``) those that need it."""
        for key in self.again:
            events = [
                event
                for event in conn.execute(STREAM, (f"child:{key}", end))
                if event[2] in CHILD_TYPES
            ]
            self.children[key] = refold(events)
        self.again = set()
        rows = []
        gone = []
        children = self.children
        for key in self.touched:
            file = children[key].file
            if file is not None:
                rows.append(self.row(file))
            else:
                gone.append((key,))  # no registration holds (it was voided): no row
        self.touched = {}
        if gone:
            conn.executemany(DELETE, gone)
        if rows:
            conn.executemany(INSERT, rows)

    def row(self, file: File) -> Row:
        """The file's ``child_files`` row."""
        due_from = due_by = reason = None
        if file.status == "active":
            due_from, due_by, reason = self.next_visit(file)
        followed = file.followed
        unfollowed = [file.reported[c] for c in file.concerns if c not in followed]
        return (file.child_id, file.household, file.village, *self.areas(file.village),
                file.sex, file.birth, adult_on(file.birth), file.registered, file.status,
                file.since, file.categories, file.rule_set, file.last_visit, due_from, due_by,
                reason, len(file.concerns), min(unfollowed) if unfollowed else None,
                file.version)  # fmt: skip

    def next_visit(self, file: File) -> tuple[str, str, str]:
        """When the next visit falls due (from, by) and why: every so many days after the last
        visit (or the registration), by the most demanding category or high risk; or sooner,
        to follow up a concern nobody followed up."""
        labels = GENERAL if file.labels is None else file.labels
        intervals: dict[int, str] = {}
        for label in sorted(labels):  # of categories as often, the first by name is named
            if label in EVERY_DAYS:
                intervals.setdefault(EVERY_DAYS[label], label)
        if file.high_risk:
            intervals.setdefault(HIGH_RISK_DAYS, "high risk")
        days = min(intervals, default=EVERY_DAYS["general"])
        last = file.last_visit or file.registered
        window = self.windows.get((last, days))
        if window is None:
            by = date.fromisoformat(last) + timedelta(days=days)
            since = max(date.fromisoformat(last), by - timedelta(days=WINDOW_DAYS))
            window = self.windows[last, days] = (since.isoformat(), by.isoformat())
        due_from, due_by = window
        reason = f"every {days} days ({intervals.get(days, 'general')})"
        for concern in file.concerns:
            if concern in file.followed:
                continue  # seen to: the routine schedule applies again
            reported = file.reported.get(concern, due_from)
            follow_up = self.follow_ups.get(reported)
            if follow_up is None:
                then = date.fromisoformat(reported) + timedelta(days=FOLLOW_UP_DAYS)
                follow_up = self.follow_ups[reported] = then.isoformat()
            if follow_up < due_by:  # ISO days compare as text
                due_from, due_by, reason = reported, follow_up, f"follow up concern {concern}"
        return due_from, due_by, reason

    def areas(self, village: str) -> tuple[str | None, str | None, str | None]:
        """The township, county and province above a village."""
        found = self.places.get(village)
        if found is None:
            above = self.directory.above(village)
            found = (above.get("township"), above.get("county"), above.get("province"))
            self.places[village] = found
        return found


class Pipeline(Protocol):
    """A raw fold that ``run`` drives: the event types it takes, those of them whose payloads
    it reads, ``take`` of each such event (a ``caselog_events`` row) with its payload (None if
    not decoded), ``write`` of the page's rows given the page's last position."""

    @property
    def types(self) -> frozenset[str]: ...

    @property
    def decoded(self) -> frozenset[str]: ...

    def take(self, row: Row, data: Any) -> None: ...

    def write(self, conn: sqlite3.Connection, end: int) -> None: ...


def pages(conn: sqlite3.Connection, after: int = 0, size: int = PAGE) -> Iterator[list[Row]]:
    """The log after ``after`` in caselog's engine's pages: ``size`` events; a full page is
    extended by the events that follow it while they share its last event's recorded time,
    cut at the first that does not, which starts the next page (nothing is read twice)."""
    ahead: list[Row] = []  # read, but past the end of the last page
    while True:
        page = ahead
        if len(page) < size:
            start = page[-1][0] if page else after
            page = page + conn.execute(SELECT, (start, size - len(page))).fetchall()
        ahead = []
        while len(page) >= size:  # more of the last moment may follow
            last = page[-1]
            more = conn.execute(SELECT, (last[0], size)).fetchall()
            recorded = last[7]
            cut = 0
            while cut < len(more) and more[cut][7] == recorded:
                cut += 1
            page += more[:cut]
            if cut < len(more) or not more:
                ahead = more[cut:]
                break
        if not page:
            return
        yield page
        after = page[-1][0]


def run(conn: sqlite3.Connection, ddl: tuple[str, ...], pipelines: list[Pipeline]) -> int:
    """Create the tables (``ddl``), then fold the whole log into them, in caselog's pages; each
    event of the types the pipelines take goes to those that take it, its payload decoded once
    if one of them reads it, and each page is written in one transaction with the position.
    Return the number of events read."""
    for statement in (*ddl, *POSITION_DDL):
        conn.execute(statement)
    readers = [(pipeline.types, pipeline.take) for pipeline in pipelines]
    wanted = frozenset().union(*(pipeline.types for pipeline in pipelines))
    decoded = frozenset().union(*(pipeline.decoded for pipeline in pipelines))
    loads = json.loads
    count = 0
    collecting = gc.isenabled()
    gc.disable()
    try:
        for page in pages(conn):
            for row in page:
                kind = row[4]
                if kind not in wanted:
                    continue
                data = loads(row[14]) if kind in decoded else None
                for types, take in readers:
                    if kind in types:
                        take(row, data)
            end = page[-1][0]
            conn.execute("BEGIN")
            for pipeline in pipelines:
                pipeline.write(conn, end)
            conn.execute(POSITION, (end,))
            conn.execute("COMMIT")
            count += len(page)
    finally:
        if collecting:
            gc.enable()
    return count


def rebuild(conn: sqlite3.Connection) -> int:
    """Fold the whole log into ``raw_child_files``; return the number of events read."""
    return run(conn, CHILD_FILES_DDL, [ChildFiles()])


def rebuild_caseload(conn: sqlite3.Connection) -> int:
    """Fold the whole log into ``raw_child_periods`` and ``raw_category_periods``; return the
    number of events read."""
    return run(conn, raw_caseload.DDL, [raw_caseload.Caseload()])


def rebuild_benefits(conn: sqlite3.Connection) -> int:
    """Fold the whole log into ``raw_applications``, ``raw_entitlements``, ``raw_payments`` and
    ``raw_benefit_standards``; return the number of events read."""
    return run(conn, raw_benefits.DDL, [raw_benefits.Benefits()])


def rebuild_all(conn: sqlite3.Connection) -> int:
    """Fold the whole log into the tables of the three raw pipelines in one pass, as
    ``Caselog.rebuild()`` rebuilds its three projections; return the number of events read."""
    ddl = (*CHILD_FILES_DDL, *raw_caseload.DDL, *raw_benefits.DDL)
    return run(conn, ddl, [ChildFiles(), raw_caseload.Caseload(), raw_benefits.Benefits()])


def connect(path: str, durability: str) -> sqlite3.Connection:
    """A connection in autocommit mode with caselog's pragmas (WAL, synchronous, cache)."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ["PRAGMA journal_mode = WAL", *caselog_pragmas(durability)]:
        conn.execute(pragma)
    return conn
