"""The raw benefits pipeline: caselog's ``applications``, ``entitlements``, ``payments`` and
``benefit_standards`` by hand.

A fold of plain dicts, none of caselog's code involved (``raw_rebuild`` drives it page by page:
``rebuild_benefits`` alone, ``rebuild_all`` with the other raw pipelines).

For each event it is given (``json.loads``-ed once by the driver) it keeps:

* from ``area_registered``: each area's parent and level (the directory), and the township,
  county and province of each township met since;
* for each child, from the child's benefits stream (``benefits:<child>``), in log order, each
  application (drafted anew by ``application_drafted``; then submitted, forwarded, evidence
  requested and supplied, verified a level up, returned a level down, failed, approved,
  rejected, withdrawn: its status, the stage of its benefit's review chain it is at, the
  township it is lodged at, the days it was drafted, submitted, arrived at its level, decided,
  and whether a supervisor excepted it), and each entitlement (started anew by
  ``entitlement_started``; then manual amounts from a month, suspensions and resumptions,
  termination; and each month's payment: issued, reissued, confirmed, failed, reversed), events
  about unknown applications or entitlements passed over, as caselog's fold does;
* the standards the page set (``benefit_standard_set``), as rows with their log position.

The fold is kept open from page to page (each event applied once to the child's dicts), as
caselog's projection keeps each child's fold, and it notes what each event changed: the
application, the entitlement, or the one month's payment. Per page (``write``), in the caller's
transaction: the rows of what the page's events changed, as caselog writes them (the level the
application waits at and, while it waits, the last day within the level's time limit in
working days; the areas above the township), each written only if it differs from the row last
written for its key (as caselog now does: a row equal to the one it last wrote is not written
again), and the standards the page set; ``executemany`` of caselog's upsert,
``INSERT ... ON CONFLICT (key) DO UPDATE SET`` every other column. The tables are
``raw_applications``, ``raw_entitlements``, ``raw_payments`` and ``raw_benefit_standards``, with
caselog's columns (STRICT, typed, its NOT NULLs), primary keys and indexes.

Hard-coded, as a hand-written pipeline would have them: the default (national) rule set's
review chains (levels and working days of each benefit) and holidays (none: working days are
Monday to Friday); and caselog's text forms (days are ISO dates, an effective time's day its
first ten characters).
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import Any

from raw_areas import Areas
from raw_caseload import upsert

Row = tuple[Any, ...]

AREA, STANDARD = "area_registered", "benefit_standard_set"
APPLICATION_TYPES = frozenset({
    "application_drafted", "application_submitted", "application_forwarded",
    "evidence_requested", "evidence_supplied", "application_verified", "verification_failed",
    "application_approved", "application_rejected", "application_returned",
    "application_withdrawn",
})  # fmt: skip
ENTITLEMENT_TYPES = frozenset({
    "entitlement_started", "entitlement_amount_changed", "entitlement_suspended",
    "entitlement_resumed", "entitlement_terminated", "payment_issued", "payment_confirmed",
    "payment_failed", "payment_reissued", "payment_reversed",
})  # fmt: skip
BENEFIT_TYPES = APPLICATION_TYPES | ENTITLEMENT_TYPES | {"application_id_claimed", STANDARD}
"""caselog's benefits projection reads these: a page with one of them in a child's benefits
stream has the child's rows written."""
TYPES = BENEFIT_TYPES | {AREA}
"""The event types this pipeline reads (and decodes)."""

REVIEW: dict[str, tuple[tuple[str, int], ...]] = {
    "orphan_allowance": (("township", 15), ("county", 15)),
    "de_facto_allowance": (("township", 15), ("county", 15)),
    "medical_assistance": (("township", 10), ("county", 10)),
    "education_aid": (("township", 10), ("county", 10)),
    "temporary_assistance": (("township", 5),),
}
"""National rules: each benefit's review chain, (level, working days allowed), in order."""
HOLIDAYS: frozenset[date] = frozenset()  # national rules: none listed
WAITING = frozenset({"submitted", "verified", "returned"})  # waiting for its level to act
DECIDED = {  # steps with no further wait, to their final status
    "verification_failed": "failed",
    "application_approved": "approved",
    "application_rejected": "rejected",
    "application_withdrawn": "withdrawn",
}
PAID = {  # payment events after the issue, to the status they give the month's payment
    "payment_confirmed": "confirmed",
    "payment_failed": "failed",
    "payment_reissued": "issued",
    "payment_reversed": "reversed",
}
PAYMENT_TYPES = frozenset({"payment_issued", *PAID})

_PLACE = ("township TEXT", "county TEXT", "province TEXT")
COLUMNS: dict[str, tuple[str, ...]] = {
    "raw_applications": (
        "application_id TEXT PRIMARY KEY NOT NULL", "child_id TEXT NOT NULL",
        "benefit TEXT NOT NULL", "status TEXT NOT NULL", "level TEXT NOT NULL", *_PLACE,
        "drafted_on TEXT NOT NULL", "submitted_on TEXT", "waiting_since TEXT", "due_by TEXT",
        "decided_on TEXT", "has_exception INTEGER NOT NULL",
    ),
    "raw_entitlements": (
        "entitlement_id TEXT PRIMARY KEY NOT NULL", "child_id TEXT NOT NULL",
        "benefit TEXT NOT NULL", *_PLACE, "first_month TEXT NOT NULL", "last_month TEXT",
        "status TEXT NOT NULL", "initial_amount INTEGER NOT NULL", "is_monthly INTEGER NOT NULL",
        "overrides TEXT", "suspensions TEXT", "termination TEXT",
    ),
    "raw_payments": (
        "entitlement_id TEXT NOT NULL", "month TEXT NOT NULL", "child_id TEXT NOT NULL",
        "benefit TEXT NOT NULL", *_PLACE, "amount INTEGER NOT NULL", "status TEXT NOT NULL",
        "issued_on TEXT NOT NULL", "PRIMARY KEY (entitlement_id, month)",
    ),
    "raw_benefit_standards": (
        "benefit TEXT NOT NULL", "county TEXT NOT NULL", "from_month TEXT NOT NULL",
        "monthly_amount INTEGER NOT NULL", "position INTEGER NOT NULL",
        "PRIMARY KEY (benefit, county, from_month)",
    ),
}  # fmt: skip
INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    "raw_applications": (("township", "status"), ("county", "status"), ("province", "status"),
                         ("child_id",)),
    "raw_entitlements": (("township",), ("county",), ("province",), ("child_id",)),
    "raw_payments": (("township", "month"), ("county", "month"), ("province", "month")),
    "raw_benefit_standards": (),
}  # fmt: skip
TABLES = tuple(COLUMNS)
DDL = tuple(
    statement
    for table, columns in COLUMNS.items()
    for statement in (
        f"DROP TABLE IF EXISTS {table}",
        f"CREATE TABLE {table} ({', '.join(columns)}) STRICT",
        *(
            f"CREATE INDEX {table}_{'_'.join(index)} ON {table} ({', '.join(index)})"
            for index in INDEXES[table]
        ),
    )
)
KEYS: dict[str, tuple[str, ...]] = {
    "raw_applications": ("application_id",),
    "raw_entitlements": ("entitlement_id",),
    "raw_payments": ("entitlement_id", "month"),
    "raw_benefit_standards": ("benefit", "county", "from_month"),
}
INSERT = {table: upsert(table, columns, KEYS[table]) for table, columns in COLUMNS.items()}

Application = dict[str, Any]
Entitlement = dict[str, Any]


def add_working_days(start: str, days: int) -> str:
    """The day ``days`` working days (Monday to Friday, less holidays) after ``start``."""
    day, left = date.fromisoformat(start), days
    while left > 0:
        day += timedelta(days=1)
        left -= day.weekday() < 5 and day not in HOLIDAYS
    return day.isoformat()


def pairs(values: Any) -> str | None:
    """``a:b;a:b`` (an empty ``b`` for None), or None for no pairs."""
    return ";".join(f"{a}:{'' if b is None else b}" for a, b in values) or None


class Benefits:
    """The state the raw benefits pipeline keeps between pages, and the page's writes."""

    types = TYPES
    decoded = TYPES

    def __init__(self) -> None:
        self.directory = Areas()
        self.places: dict[str | None, tuple[str | None, str | None, str | None]] = {}
        self.due: dict[tuple[str, int], str] = {}
        self.children: dict[str, tuple[dict[str, Application], dict[str, Entitlement]]] = {}
        # what the page's events changed, by key: applications, entitlements, payments
        self.apps: dict[str, Application] = {}
        self.ents: dict[str, Entitlement] = {}
        self.pays: dict[tuple[str, str], Entitlement] = {}
        self.standards: list[Row] = []
        # the row last written for each key, by table (standards are written as set)
        self.written: tuple[dict[Any, Row], dict[Any, Row], dict[Any, Row]] = ({}, {}, {})

    def take(self, row: Row, data: Any) -> None:
        """Take in one event (a ``caselog_events`` row) of the types read, and its payload."""
        kind = row[4]
        stream = row[1]
        if kind == AREA:
            self.directory.take(data)
            self.places.clear()
        elif stream.startswith("benefits:"):
            key = stream[9:]
            found = self.children.get(key)
            if found is None:
                found = self.children[key] = ({}, {})
            if kind in APPLICATION_TYPES:
                app_id = data["application_id"]
                app = self.application(found[0], kind, row[6][:10], data)
                if app is not None:
                    self.apps[app_id] = app
            elif kind in ENTITLEMENT_TYPES:
                ent_id = data["entitlement_id"]
                ent = self.entitlement(found[1], kind, row[6][:10], data)
                if ent is None:
                    pass
                elif kind in PAYMENT_TYPES:
                    self.pays[ent_id, data["month"]] = ent
                else:
                    self.ents[ent_id] = ent
        elif kind == STANDARD:
            self.standards.append((data["benefit"], data["area"], data["from_month"],
                                   data["monthly_amount"], row[0]))  # fmt: skip

    @staticmethod
    def application(
        apps: dict[str, Application], kind: str, day: str, data: Any
    ) -> Application | None:
        """Fold one application event; ``day`` is its effective day. Return the application
        it changed (None for an event about an application never drafted)."""
        key = data["application_id"]
        if kind == "application_drafted":
            app = apps[key] = {"child_id": data["child_id"], "benefit": data["benefit"],
                               "status": "draft", "stage": 0, "township": None,
                               "drafted_on": day, "submitted_on": None, "waiting_since": None,
                               "decided_on": None, "exception": None, "resume": None}  # fmt: skip
            return app
        found = apps.get(key)
        if found is None:
            return None  # not drafted: passed over
        app = found
        if kind == "application_submitted":
            app.update(status="submitted", township=data["township"], waiting_since=day,
                       submitted_on=day, exception=data["exception"])  # fmt: skip
        elif kind == "application_forwarded":
            app.update(township=data["township"], waiting_since=day)
        elif kind == "evidence_requested":
            app.update(status="evidence_requested", resume=app["status"])
        elif kind == "evidence_supplied":  # the time limit runs again from the evidence
            app.update(status=app["resume"] or "submitted", resume=None, waiting_since=day)
        elif kind == "application_verified":
            app.update(status="verified", stage=app["stage"] + 1, waiting_since=day)
        elif kind == "application_returned":
            app.update(status="returned", stage=app["stage"] - 1, waiting_since=day)
        else:
            app.update(status=DECIDED[kind], decided_on=day)
        return app

    @staticmethod
    def entitlement(
        ents: dict[str, Entitlement], kind: str, day: str, data: Any
    ) -> Entitlement | None:
        """Fold one entitlement or payment event; ``day`` is its effective day. Return the
        entitlement it concerns (None for an event about one never started)."""
        key = data["entitlement_id"]
        if kind == "entitlement_started":
            ent = ents[key] = {"child_id": data["child_id"], "benefit": data["benefit"],
                               "area": data["area"], "first_month": data["first_month"],
                               "last_month": data["last_month"], "status": "active",
                               "amount": data["amount"], "is_monthly": data["last_month"] is None,
                               "overrides": [], "suspensions": [], "termination": None,
                               "payments": {}}  # fmt: skip
            return ent
        found = ents.get(key)
        if found is None:
            return None  # not started: passed over
        ent = found
        if kind == "payment_issued":
            ent["payments"][data["month"]] = (data["amount"], "issued", day)
        elif kind in PAID:
            before = ent["payments"].get(data["month"])
            if before is not None:
                ent["payments"][data["month"]] = (before[0], PAID[kind], before[2])
        elif kind == "entitlement_amount_changed":  # of two from one month, the later
            month = data["from_month"]
            kept = [pair for pair in ent["overrides"] if pair[0] != month]
            ent["overrides"] = sorted([*kept, (month, data["amount"])])
        elif kind == "entitlement_suspended":
            ent["status"] = "suspended"
            ent["suspensions"].append((data["from_month"], None))
        elif kind == "entitlement_resumed":
            ent["status"] = "active"
            ent["suspensions"][-1] = (ent["suspensions"][-1][0], data["from_month"])
        elif kind == "entitlement_terminated":
            ent.update(status="terminated", last_month=data["last_month"],
                       termination=data["reason"])  # fmt: skip
        return ent

    def write(self, conn: sqlite3.Connection, end: int) -> None:
        """Write the rows the page's events changed that differ from those last written, and
        the standards it set (in the caller's transaction)."""
        apps: list[Row] = []
        ents: list[Row] = []
        pays: list[Row] = []
        written_apps, written_ents, written_pays = self.written
        for app_id, app in self.apps.items():
            row = self.application_row(app_id, app)
            if written_apps.get(app_id) != row:
                written_apps[app_id] = row
                apps.append(row)
        for ent_id, ent in self.ents.items():
            row = (ent_id, ent["child_id"], ent["benefit"], *self.areas(ent["area"]),
                   ent["first_month"], ent["last_month"], ent["status"], ent["amount"],
                   int(ent["is_monthly"]), pairs(ent["overrides"]), pairs(ent["suspensions"]),
                   ent["termination"])  # fmt: skip
            if written_ents.get(ent_id) != row:
                written_ents[ent_id] = row
                ents.append(row)
        for key, ent in self.pays.items():
            payment = ent["payments"].get(key[1])
            if payment is None:
                continue  # confirmed (say) but never issued: no row
            amount, status, issued_on = payment
            row = (*key, ent["child_id"], ent["benefit"], *self.areas(ent["area"]), amount,
                   status, issued_on)  # fmt: skip
            if written_pays.get(key) != row:
                written_pays[key] = row
                pays.append(row)
        self.apps, self.ents, self.pays = {}, {}, {}
        for table, rows in zip(TABLES, (apps, ents, pays, self.standards), strict=True):
            if rows:
                conn.executemany(INSERT[table], rows)
        self.standards = []

    def application_row(self, app_id: str, app: Application) -> Row:
        """An application's row: where it stands, and by when its level should act."""
        level, days = REVIEW[app["benefit"]][app["stage"]]
        since = app["waiting_since"]
        due = None
        if since is not None and app["status"] in WAITING:
            due = self.due.get((since, days))
            if due is None:
                due = self.due[since, days] = add_working_days(since, days)
        return (app_id, app["child_id"], app["benefit"], app["status"], level,
                *self.areas(app["township"]), app["drafted_on"], app["submitted_on"], since, due,
                app["decided_on"], int(app["exception"] is not None))  # fmt: skip

    def areas(self, township: str | None) -> tuple[str | None, str | None, str | None]:
        """A township and the county and province above it (all None for no township)."""
        found = self.places.get(township)
        if found is None:
            if township is None:
                return None, None, None
            above = self.directory.above(township)
            found = self.places[township] = (township, above.get("county"), above.get("province"))
        return found
