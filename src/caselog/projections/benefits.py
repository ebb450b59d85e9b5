"""The benefit tables (``applications``, ``entitlements``, ``payments``, ``benefit_standards``),
the applications waiting at each level, and the payments ledger.

Each child's rows are folded from the child's benefits stream with the same function as the
commands use; standards are kept as set, and the amount due for a month is worked out when the
ledger is read, as the entitlement itself does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from caselog.domain.benefits import BenefitsFolding, Entitlement
from caselog.domain.calendar import check_month, working_days_between
from caselog.domain.codes import EntitlementStatus, PaymentStatus
from caselog.errors import ValidationError
from caselog.events.registry import default_registry
from caselog.projections.columns import areas_above, integer, text
from caselog.projections.engine import Batch, Projection, catch_up, projection_store
from caselog.tables import Condition, Query, Table, TableChanges

if TYPE_CHECKING:
    from caselog.log import Caselog

__all__ = [
    "APPLICATIONS",
    "BENEFIT_STANDARDS",
    "ENTITLEMENTS",
    "PAYMENTS",
    "BenefitsProjection",
    "Ledger",
    "LedgerLine",
    "WaitingApplication",
    "applications_waiting",
    "payments_ledger",
]


_PLACE = (
    text("township", "the township it is lodged at (decided for)"),
    text("county", "that township's county"),
    text("province", "that county's province"),
)
APPLICATIONS = Table(
    "applications",
    (
        text("application_id", "the application", nullable=False),
        text("child_id", "the child", nullable=False),
        text("benefit", "the benefit applied for", nullable=False),
        text("status", "where it stands (see ApplicationStatus)", nullable=False),
        text("level", "the review level it waits at, or was last decided at", nullable=False),
        *_PLACE,
        text("drafted_on", "the day it was drafted", nullable=False),
        text("submitted_on", "the day it was lodged"),
        text("waiting_since", "the day it arrived at its level (or evidence was supplied)"),
        text("due_by", "the last day within the level's time limit, while it waits"),
        text("decided_on", "the day of its final state"),
        integer("has_exception", "1 when a supervisor excepted it from the rules", nullable=False),
    ),
    key=("application_id",),
    indexes=(("township", "status"), ("county", "status"), ("province", "status"), ("child_id",)),
    description="one row per application",
)
ENTITLEMENTS = Table(
    "entitlements",
    (
        text("entitlement_id", "the entitlement, named by its application", nullable=False),
        text("child_id", "the child", nullable=False),
        text("benefit", "the benefit", nullable=False),
        *_PLACE,
        text("first_month", "the first month it pays", nullable=False),
        text("last_month", "the last month it pays, once known"),
        text("status", "active, suspended or terminated", nullable=False),
        integer("initial_amount", "the amount it was granted at", nullable=False),
        integer(
            "is_monthly", "1 for a monthly allowance, 0 for a benefit paid once", nullable=False
        ),
        text("overrides", "manual amounts: month:amount, semicolon-separated"),
        text("suspensions", "from:until months (until exclusive, empty: open), ';'-separated"),
        text("termination", "the reason it was terminated"),
    ),
    key=("entitlement_id",),
    indexes=(("township",), ("county",), ("province",), ("child_id",)),
    description="one row per entitlement",
)
PAYMENTS = Table(
    "payments",
    (
        text("entitlement_id", "the entitlement", nullable=False),
        text("month", "the month paid", nullable=False),
        text("child_id", "the child", nullable=False),
        text("benefit", "the benefit", nullable=False),
        *_PLACE,
        integer("amount", "the amount issued", nullable=False),
        text("status", "issued, confirmed, failed or reversed", nullable=False),
        text("issued_on", "the day it was issued", nullable=False),
    ),
    key=("entitlement_id", "month"),
    indexes=(("township", "month"), ("county", "month"), ("province", "month")),
    description="one row per entitlement and month with a payment",
)
BENEFIT_STANDARDS = Table(
    "benefit_standards",
    (
        text("benefit", "the benefit", nullable=False),
        text("county", "the county that set it", nullable=False),
        text("from_month", "paid from this month", nullable=False),
        integer("monthly_amount", "the monthly amount", nullable=False),
        integer("position", "the log position of the event that set it", nullable=False),
    ),
    key=("benefit", "county", "from_month"),
    description="each county's standards: the latest set for a month wins",
)

_TYPES = ("application_", "evidence_", "verification_", "entitlement_", "payment_", "benefit_")


def _places(directory: Any, township: str | None) -> tuple[str | None, ...]:
    if township is None:
        return None, None, None
    found = areas_above(directory, township)
    return township, found.get("county"), found.get("province")


def _pairs(values: Sequence[tuple[str, Any]]) -> str | None:
    return ";".join(f"{a}:{'' if b is None else b}" for a, b in values) or None


class BenefitsProjection(Projection):
    """Keeps ``applications``, ``entitlements``, ``payments`` and ``benefit_standards``."""

    name = "benefits"
    version = "1"
    tables = (APPLICATIONS, ENTITLEMENTS, PAYMENTS, BENEFIT_STANDARDS)
    types: ClassVar[frozenset[str] | None] = frozenset(
        name for name in default_registry.names() if name.startswith(_TYPES)
    )

    def key(self, log: Caselog) -> str:
        return f"{self.version}:{log.rules.label}"  # levels and time limits come from the rules

    def apply(self, batch: Batch) -> list[TableChanges]:
        log = batch.log
        directory = batch.directory
        children: dict[str, None] = {}
        standards = []
        for event in batch.events:
            if event.stream.startswith("benefits:"):
                children[event.stream.removeprefix("benefits:")] = None
            elif event.type == "benefit_standard_set":
                data = event.data
                standards.append((data.benefit, data.area, data.from_month, data.monthly_amount,
                                  event.position))  # fmt: skip
        apps: list[tuple[Any, ...]] = []
        ents: list[tuple[Any, ...]] = []
        pays: list[tuple[Any, ...]] = []
        kept = batch.kept(self.name)  # each child's _Child
        for child_id in children:
            child = kept.get(child_id)
            if child is None:
                child = kept[child_id] = _Child()
            new = batch.read_stream_after(f"benefits:{child_id}", child.seen)
            for event in new:
                child.folding.add(event)
            if new:
                child.seen = new[-1].version
            changed, child.folding.changed = child.folding.changed, set()
            state = child.folding.benefits()
            for app in state.applications:
                if app.application_id not in changed:
                    continue
                waiting = app.due_by(log.rules)
                child.write(APPLICATIONS, apps, (
                    app.application_id, app.child_id, app.benefit, app.status.value,
                    app.level(log.rules), *_places(directory, app.township),
                    app.drafted_on.isoformat(), _iso(app.submitted_on), _iso(app.waiting_since),
                    _iso(waiting), _iso(app.decided_on), int(app.exception is not None),
                ))  # fmt: skip
            for ent in state.entitlements:
                if ent.entitlement_id not in changed:
                    continue
                places = _places(directory, ent.area)
                reason = ent.termination.reason.value if ent.termination else None
                child.write(ENTITLEMENTS, ents, (
                    ent.entitlement_id, ent.child_id, ent.benefit, *places, ent.first_month,
                    ent.last_month, ent.status.value, ent.initial_amount, int(ent.is_monthly),
                    _pairs(ent.overrides), _pairs(ent.suspensions), reason,
                ))  # fmt: skip
                before = child.paid.get(ent.entitlement_id)
                same = before[1] if before is not None and before[0] == places else ()
                child.paid[ent.entitlement_id] = (places, ent.payments)
                for index, payment in enumerate(ent.payments):
                    if index < len(same) and same[index] is payment:
                        continue  # the month's row as written before
                    child.write(PAYMENTS, pays, (
                        ent.entitlement_id, payment.month, ent.child_id, ent.benefit, *places,
                        payment.amount, payment.status.value, payment.issued_on.isoformat(),
                    ))  # fmt: skip
        written = ((APPLICATIONS, apps), (ENTITLEMENTS, ents), (PAYMENTS, pays),
                   (BENEFIT_STANDARDS, standards))  # fmt: skip
        return [TableChanges(table.name, tuple(rows)) for table, rows in written if rows]


class _Child:
    """What the projection keeps of a child between batches of a run: the benefits fold so far,
    the last version of the stream it has read, and the rows written, so that a batch writes
    only the rows its events changed (a month's payment, not every month's again)."""

    __slots__ = ("folding", "paid", "seen", "written")

    def __init__(self) -> None:
        self.folding = BenefitsFolding()
        self.seen = 0
        self.written: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        # each entitlement's places and payments as last written: a payment the fold kept as it
        # was (the same object, in the same place) has the same row
        self.paid: dict[str, tuple[Any, tuple[Any, ...]]] = {}

    def write(self, table: Table, rows: list[tuple[Any, ...]], row: tuple[Any, ...]) -> None:
        """Add ``row`` of ``table`` to ``rows`` unless the same row was written already."""
        key = (table.name, *row[: len(table.key)])
        if self.written.get(key) != row:
            self.written[key] = row
            rows.append(row)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


@attrs.frozen
class WaitingApplication:
    """An application waiting at its level: for how many working days, against what limit."""

    application_id: str
    child_id: str
    benefit: str
    status: str
    level: str
    township: str | None
    waiting_since: date
    working_days: int
    limit: int
    due_by: date

    @property
    def is_breached(self) -> bool:
        """True once it has waited longer than its level's limit."""
        return self.working_days > self.limit


def _area_column(log: Caselog, area: str) -> str:
    level = log.directory().area(area, field="area").level.value
    if level == "village":
        raise ValidationError("area", f"{area!r} is a village: ask about its township or above")
    return level


def applications_waiting(
    log: Caselog, area: str, *, on: date, level: str | None = None, catch_up_first: bool = True
) -> list[WaitingApplication]:
    """The applications of ``area`` (a township or above) waiting for a level to act on ``on``,
    with the working days they have waited and whether that breaches the level's limit."""
    if not isinstance(on, date) or isinstance(on, datetime):
        raise ValidationError("on", f"expected a date, not {on!r}")
    column = _area_column(log, area)
    if catch_up_first:
        catch_up(log, BenefitsProjection())
    where = [
        Condition(column, "=", area),
        Condition("status", "in", ("submitted", "verified", "returned")),
        Condition("waiting_since", "<=", on.isoformat()),
    ]
    if level is not None:
        where.append(Condition("level", "=", level))
    columns = ("application_id", "child_id", "benefit", "status", "level", "township",
               "waiting_since", "due_by")  # fmt: skip
    rows = projection_store(log).query(
        Query(
            APPLICATIONS.name, tuple(where), columns, order_by=("waiting_since", "application_id")
        )
    )
    waiting = []
    for app_id, child_id, benefit, status, at, township, since, due in rows:
        start = date.fromisoformat(since)
        step = next(s for s in log.rules.benefit(benefit).review if s.level == at)
        days = working_days_between(start, on, log.rules.holidays)
        due_by = date.fromisoformat(due)
        waiting.append(WaitingApplication(
            app_id, child_id, benefit, status, at, township, start, days, step.working_days, due_by
        ))  # fmt: skip
    return waiting


@attrs.frozen
class LedgerLine:
    """One payable month of an entitlement: what was due, issued, confirmed, and still owed."""

    entitlement_id: str
    child_id: str
    benefit: str
    township: str | None
    month: str
    expected: int
    issued: int
    confirmed: int
    status: str | None

    @property
    def arrears(self) -> int:
        return max(self.expected - self.confirmed, 0)


@attrs.frozen
class Ledger:
    """The payments ledger of an area through a month, and its totals per benefit."""

    area: str
    through: str
    lines: tuple[LedgerLine, ...]

    def totals(self) -> dict[str, dict[str, int]]:
        """Expected, issued, confirmed and arrears per benefit."""
        totals: dict[str, dict[str, int]] = {}
        for line in self.lines:
            sums = totals.setdefault(line.benefit, dict.fromkeys(
                ("expected", "issued", "confirmed", "arrears"), 0))  # fmt: skip
            sums["expected"] += line.expected
            sums["issued"] += line.issued
            sums["confirmed"] += line.confirmed
            sums["arrears"] += line.arrears
        return totals


def _unpairs(text: str | None, *, optional: bool = False) -> tuple[tuple[str, Any], ...]:
    if not text:
        return ()
    pairs = [item.split(":") for item in text.split(";")]
    if optional:
        return tuple((a, b or None) for a, b in pairs)
    return tuple((a, int(b)) for a, b in pairs)


def payments_ledger(
    log: Caselog, area: str, *, through: str, catch_up_first: bool = True
) -> Ledger:
    """Every payable month of the entitlements of ``area`` (a township or above) up to
    ``through``: expected at the standard in force (or a manual amount), issued, confirmed, and
    the arrears."""
    check_month("through", through)
    column = _area_column(log, area)
    if catch_up_first:
        catch_up(log, BenefitsProjection())
    store = projection_store(log)
    standards: dict[tuple[str, str], list[tuple[str, int, int]]] = {}
    for benefit, county, since, amount, position in store.query(Query(BENEFIT_STANDARDS.name)):
        standards.setdefault((benefit, county), []).append((since, position, amount))
    where = (Condition(column, "=", area), Condition("first_month", "<=", through))
    entitlements = store.query(Query(ENTITLEMENTS.name, where, order_by=("entitlement_id",)))
    paid: dict[tuple[str, str], tuple[int, str]] = {
        (ent, month): (amount, status)
        for ent, month, amount, status in store.query(
            Query(
                PAYMENTS.name,
                (Condition(column, "=", area),),
                ("entitlement_id", "month", "amount", "status"),
            )
        )
    }
    lines = []
    for row in entitlements:
        (ent_id, child_id, benefit, township, county, _, first, last, status, initial, monthly,
         overrides, suspensions, _) = row  # fmt: skip
        known = sorted(standards.get((benefit, county or ""), []))
        entitlement = Entitlement(
            ent_id, child_id, benefit, township or "", first, EntitlementStatus(status), initial,
            "", county=county or "", is_monthly=bool(monthly), last_month=last,
            overrides=_unpairs(overrides), suspensions=_unpairs(suspensions, optional=True),
            standards=tuple((since, amount) for since, _, amount in known) if monthly else (),
        )  # fmt: skip
        for month in entitlement.payable_months(through):
            amount, paid_status = paid.get((ent_id, month), (0, None))
            issued = amount if paid_status in ("issued", "confirmed") else 0
            confirmed = amount if paid_status == PaymentStatus.CONFIRMED.value else 0
            lines.append(LedgerLine(ent_id, child_id, benefit, township, month,
                                    entitlement.amount_for(month), issued, confirmed,
                                    paid_status))  # fmt: skip
    return Ledger(area, through, tuple(lines))
