"""A child's applications, entitlements and payments, folded from the child's benefits stream.

:func:`fold_benefits` is pure: the commands check themselves against it, and the child file
shows what it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import attrs

from caselog.domain import applications as ap
from caselog.domain import entitlements as en
from caselog.domain.calendar import add_working_days, months, working_days_between
from caselog.domain.codes import ApplicationStatus, EntitlementStatus, PaymentStatus
from caselog.events.envelope import Event
from caselog.privacy import SENSITIVE

if TYPE_CHECKING:
    from caselog.domain.rules.ruleset import RuleSet  # the rules package reads child files

__all__ = [
    "BENEFIT_EVENTS",
    "Application",
    "Benefits",
    "BenefitsFolding",
    "Entitlement",
    "Payment",
    "benefits_stream",
    "fold_benefits",
    "standard_amounts",
    "standard_stream",
    "with_standards",
]


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value  # file.day_of; file imports us


def benefits_stream(child_id: str) -> str:
    """The stream of a child's applications, entitlements and payments."""
    return f"benefits:{child_id}"


@attrs.frozen
class Application:
    """An application as it stands: its status, the township it is at, and its review stage.

    ``stage`` indexes the benefit's review chain: the level the application waits at (or was
    last decided at). ``waiting_since`` is the day it arrived at that level.
    """

    application_id: str
    child_id: str
    benefit: str
    status: ApplicationStatus
    drafted_on: date
    amount_requested: int | None = None
    township: str | None = None
    stage: int = 0
    waiting_since: date | None = None
    submitted_on: date | None = None
    decided_on: date | None = None
    exception: str | None = None
    open_request: str | None = attrs.field(default=None, metadata=SENSITIVE)
    resume_status: ApplicationStatus | None = None  # the status an open request interrupted
    events: tuple[str, ...] = ()

    @property
    def is_final(self) -> bool:
        """True once approved, rejected, failed or withdrawn."""
        return self.status.is_final

    @property
    def is_waiting(self) -> bool:
        """True while it waits for its level to act (not a draft, not waiting for evidence)."""
        return self.status in _WAITING

    def level(self, rules: RuleSet) -> str:
        """The level of the review chain it waits at, or was last decided at."""
        return rules.benefit(self.benefit).review[self.stage].level

    def due_by(self, rules: RuleSet) -> date | None:
        """The last day its level may take within the time limit, while it waits."""
        if not self.is_waiting or self.waiting_since is None:
            return None
        step = rules.benefit(self.benefit).review[self.stage]
        return add_working_days(self.waiting_since, step.working_days, rules.holidays)

    def working_days_waiting(self, on: date, rules: RuleSet) -> int:
        """The working days it has waited at its level by ``on`` (0 unless waiting)."""
        if not self.is_waiting or self.waiting_since is None:
            return 0
        return working_days_between(self.waiting_since, on, rules.holidays)


@attrs.frozen
class Payment:
    """One month's payment as it stands."""

    month: str
    amount: int
    status: PaymentStatus
    issued_on: date
    reference: str | None = None


@attrs.frozen
class Entitlement:
    """An entitlement as it stands: the months it pays, at what amount, and what was paid.

    A monthly allowance pays, each month, the county's standard in force that month
    (``standards``: (from month, amount) as known to the read that made this object), unless a
    manual change (``overrides``) from that month or later than the standard's says otherwise;
    before any standard it pays ``initial_amount``, the amount it was granted at. A benefit paid
    once pays ``initial_amount``. ``suspensions`` are (from month, until month exclusive or None
    while suspended); ``last_month`` is set once it is terminated (or, for a benefit paid once,
    from the start).
    """

    entitlement_id: str
    child_id: str
    benefit: str
    area: str
    first_month: str
    status: EntitlementStatus
    initial_amount: int
    approval: str
    county: str = ""
    is_monthly: bool = True
    last_month: str | None = None
    overrides: tuple[tuple[str, int], ...] = ()
    standards: tuple[tuple[str, int], ...] = ()
    suspensions: tuple[tuple[str, str | None], ...] = ()
    termination: en.EntitlementTerminated | None = None
    terminated_on: date | None = None
    payments: tuple[Payment, ...] = ()

    @property
    def amount(self) -> int:
        """The monthly amount from the latest month any amount is set from."""
        return self.amount_for("9999-12")

    def amount_for(self, month: str) -> int:
        """The amount due for ``month``."""
        since, due = "", self.initial_amount
        for start, amount in self.standards:
            if start <= month and start >= since:
                since, due = start, amount
        for start, amount in self.overrides:
            if start <= month and start >= since:
                since, due = start, amount
        return due

    def is_payable(self, month: str) -> bool:
        """True if ``month`` is one the entitlement pays: from its first to its last month,
        outside suspensions."""
        if month < self.first_month or (self.last_month is not None and month > self.last_month):
            return False
        return not any(
            start <= month and (until is None or month < until) for start, until in self.suspensions
        )

    def payable_months(self, through: str) -> list[str]:
        """The months it pays up to ``through``, in order."""
        last = through if self.last_month is None else min(through, self.last_month)
        return [month for month in months(self.first_month, last) if self.is_payable(month)]

    def payment(self, month: str) -> Payment | None:
        """The month's payment, if one was ever issued."""
        return next((p for p in self.payments if p.month == month), None)

    @property
    def last_paid_month(self) -> str | None:
        """The latest month whose payment is confirmed."""
        paid = [p.month for p in self.payments if p.status is PaymentStatus.CONFIRMED]
        return max(paid, default=None)

    @property
    def confirmed_total(self) -> int:
        """What reached the family: the sum of confirmed payments."""
        return sum(p.amount for p in self.payments if p.status is PaymentStatus.CONFIRMED)

    def arrears(self, through: str) -> int:
        """What is owed for payable months up to ``through`` beyond what was confirmed."""
        owed = 0
        for month in self.payable_months(through):
            payment = self.payment(month)
            paid = payment.amount if payment and payment.status is PaymentStatus.CONFIRMED else 0
            owed += max(self.amount_for(month) - paid, 0)
        return owed


@attrs.frozen
class Benefits:
    """A child's applications and entitlements, in the order they began."""

    applications: tuple[Application, ...] = ()
    entitlements: tuple[Entitlement, ...] = ()

    def application(self, application_id: str) -> Application | None:
        """The application with this id, if the child has it."""
        return next((a for a in self.applications if a.application_id == application_id), None)

    def entitlement(self, entitlement_id: str) -> Entitlement | None:
        """The entitlement with this id, if the child has it."""
        return next((e for e in self.entitlements if e.entitlement_id == entitlement_id), None)


_WAITING = frozenset(
    {ApplicationStatus.SUBMITTED, ApplicationStatus.VERIFIED, ApplicationStatus.RETURNED}
)
_Applications = dict[str, Application]
_Entitlements = dict[str, Entitlement]


def _drafted(apps: _Applications, data: ap.ApplicationDrafted, event: Event[Any]) -> None:
    apps[data.application_id] = Application(
        data.application_id,
        data.child_id,
        data.benefit,
        ApplicationStatus.DRAFT,
        _day(event.effective),
        amount_requested=data.amount_requested,
    )


def _step(status: ApplicationStatus, *, stage: int = 0, wait: bool = True) -> Callable[..., Any]:
    """A step that sets the status and moves the stage by ``stage``; with ``wait``, the
    application starts waiting at its level anew."""

    def handle(apps: _Applications, data: Any, event: Event[Any]) -> None:
        app = apps[data.application_id]
        day = _day(event.effective)
        changes: dict[str, Any] = {"status": status, "stage": app.stage + stage}
        if wait:
            changes["waiting_since"] = day
        if status.is_final:
            changes["decided_on"] = day
        apps[data.application_id] = attrs.evolve(app, **changes)

    return handle


def _submitted(apps: _Applications, data: ap.ApplicationSubmitted, event: Event[Any]) -> None:
    day = _day(event.effective)
    apps[data.application_id] = attrs.evolve(
        apps[data.application_id],
        status=ApplicationStatus.SUBMITTED,
        township=data.township,
        waiting_since=day,
        submitted_on=day,
        exception=data.exception,
    )


def _forwarded(apps: _Applications, data: ap.ApplicationForwarded, event: Event[Any]) -> None:
    apps[data.application_id] = attrs.evolve(
        apps[data.application_id], township=data.township, waiting_since=_day(event.effective)
    )


def _requested(apps: _Applications, data: ap.EvidenceRequested, event: Event[Any]) -> None:
    app = apps[data.application_id]
    apps[data.application_id] = attrs.evolve(
        app,
        status=ApplicationStatus.EVIDENCE_REQUESTED,
        open_request=data.request,
        resume_status=app.status,
    )


def _supplied(apps: _Applications, data: ap.EvidenceSupplied, event: Event[Any]) -> None:
    app = apps[data.application_id]
    apps[data.application_id] = attrs.evolve(
        app,
        status=app.resume_status or ApplicationStatus.SUBMITTED,
        open_request=None,
        resume_status=None,
        waiting_since=_day(event.effective),  # the time limit runs again from the evidence
    )


_APPLICATION: dict[type, Callable[[_Applications, Any, Event[Any]], None]] = {
    ap.ApplicationDrafted: _drafted,
    ap.ApplicationSubmitted: _submitted,
    ap.ApplicationForwarded: _forwarded,
    ap.EvidenceRequested: _requested,
    ap.EvidenceSupplied: _supplied,
    ap.ApplicationVerified: _step(ApplicationStatus.VERIFIED, stage=1),
    ap.VerificationFailed: _step(ApplicationStatus.FAILED, wait=False),
    ap.ApplicationApproved: _step(ApplicationStatus.APPROVED, wait=False),
    ap.ApplicationRejected: _step(ApplicationStatus.REJECTED, wait=False),
    ap.ApplicationReturned: _step(ApplicationStatus.RETURNED, stage=-1),
    ap.ApplicationWithdrawn: _step(ApplicationStatus.WITHDRAWN, wait=False),
}


def _started(ents: _Entitlements, data: en.EntitlementStarted, event: Event[Any]) -> None:
    ents[data.entitlement_id] = Entitlement(
        data.entitlement_id,
        data.child_id,
        data.benefit,
        data.area,
        data.first_month,
        EntitlementStatus.ACTIVE,
        data.amount,
        data.approval,
        county=data.county,
        is_monthly=data.last_month is None,
        last_month=data.last_month,
    )


def _amount(ents: _Entitlements, data: en.EntitlementAmountChanged, event: Event[Any]) -> None:
    """A manual change holds from its month until a later change or standard; of two from the
    same month, the later recorded."""
    ent = ents[data.entitlement_id]
    kept = [(since, amount) for since, amount in ent.overrides if since != data.from_month]
    overrides = tuple(sorted([*kept, (data.from_month, data.amount)]))
    ents[data.entitlement_id] = attrs.evolve(ent, overrides=overrides)


def _suspended(ents: _Entitlements, data: en.EntitlementSuspended, event: Event[Any]) -> None:
    ent = ents[data.entitlement_id]
    ents[data.entitlement_id] = attrs.evolve(
        ent,
        status=EntitlementStatus.SUSPENDED,
        suspensions=(*ent.suspensions, (data.from_month, None)),
    )


def _resumed(ents: _Entitlements, data: en.EntitlementResumed, event: Event[Any]) -> None:
    ent = ents[data.entitlement_id]
    start = ent.suspensions[-1][0]
    ents[data.entitlement_id] = attrs.evolve(
        ent,
        status=EntitlementStatus.ACTIVE,
        suspensions=(*ent.suspensions[:-1], (start, data.from_month)),
    )


def _terminated(ents: _Entitlements, data: en.EntitlementTerminated, event: Event[Any]) -> None:
    ents[data.entitlement_id] = attrs.evolve(
        ents[data.entitlement_id],
        status=EntitlementStatus.TERMINATED,
        last_month=data.last_month,
        termination=data,
        terminated_on=_day(event.effective),
    )


def _paid(status: PaymentStatus) -> Callable[[_Entitlements, Any, Event[Any]], None]:
    def handle(ents: _Entitlements, data: Any, event: Event[Any]) -> None:
        ent = ents[data.entitlement_id]
        month, paid = data.month, ent.payments
        if isinstance(data, en.PaymentIssued):
            payment = Payment(month, data.amount, status, _day(event.effective), data.reference)
            if not paid or paid[-1].month < month:  # the next month's: the usual case
                ents[data.entitlement_id] = attrs.evolve(ent, payments=(*paid, payment))
                return
        else:
            # the payment changed is almost always the latest issued: look from the end
            before = next((p for p in reversed(paid) if p.month == month), None)
            if before is None:
                return  # not reached by the commands, which refuse it
            reference = getattr(data, "reference", None) or before.reference
            payment = attrs.evolve(before, status=status, reference=reference)
            if paid[-1] is before:
                ents[data.entitlement_id] = attrs.evolve(ent, payments=(*paid[:-1], payment))
                return
        others = tuple(p for p in paid if p.month != month)
        payments = tuple(sorted((*others, payment), key=lambda p: p.month))
        ents[data.entitlement_id] = attrs.evolve(ent, payments=payments)

    return handle


_ENTITLEMENT: dict[type, Callable[[_Entitlements, Any, Event[Any]], None]] = {
    en.EntitlementStarted: _started,
    en.EntitlementAmountChanged: _amount,
    en.EntitlementSuspended: _suspended,
    en.EntitlementResumed: _resumed,
    en.EntitlementTerminated: _terminated,
    en.PaymentIssued: _paid(PaymentStatus.ISSUED),
    en.PaymentConfirmed: _paid(PaymentStatus.CONFIRMED),
    en.PaymentFailed: _paid(PaymentStatus.FAILED),
    en.PaymentReissued: _paid(PaymentStatus.ISSUED),
    en.PaymentReversed: _paid(PaymentStatus.REVERSED),
}

BENEFIT_EVENTS = frozenset({*_APPLICATION, *_ENTITLEMENT})


def standard_stream(benefit: str, county: str) -> str:
    """The stream of a county's standards of a benefit."""
    return f"standard:{benefit}:{county}"


def standard_amounts(events: Iterable[Event[Any]]) -> tuple[tuple[str, int], ...]:
    """(from month, amount) of a county's standards, by month; of two from the same month, the
    later recorded."""
    ordered = sorted(events, key=lambda e: e.position)
    amounts = {event.data.from_month: event.data.monthly_amount for event in ordered}
    return tuple(sorted(amounts.items()))


def with_standards(
    benefits: Benefits, standards: Callable[[str, str], tuple[tuple[str, int], ...]]
) -> Benefits:
    """Give each monthly entitlement its county's standards, ``standards(benefit, county)``."""
    if not benefits.entitlements:
        return benefits
    entitlements = tuple(
        attrs.evolve(e, standards=standards(e.benefit, e.county)) if e.is_monthly else e
        for e in benefits.entitlements
    )
    return attrs.evolve(benefits, entitlements=entitlements)


class BenefitsFolding:
    """A benefits fold kept open: events are added one at a time, in stream order, and
    :meth:`benefits` reads what is folded so far. ``changed`` collects the ids of the
    applications and entitlements events changed, for a reader that writes only those.

    :func:`fold_benefits` is one ``BenefitsFolding`` run to the end.
    """

    __slots__ = ("_apps", "_ents", "changed")

    def __init__(self) -> None:
        self._apps: _Applications = {}
        self._ents: _Entitlements = {}
        self.changed: set[str] = set()

    def add(self, event: Event[Any]) -> None:
        """Fold in one more event; other events than benefit events are passed over."""
        data = event.data
        kind = type(data)
        apps, ents = self._apps, self._ents
        if (handle := _APPLICATION.get(kind)) is not None:
            if kind is ap.ApplicationDrafted or data.application_id in apps:
                handle(apps, data, event)
                app = apps[data.application_id]
                apps[app.application_id] = attrs.evolve(app, events=(*app.events, event.event_id))
                self.changed.add(app.application_id)
        elif (change := _ENTITLEMENT.get(kind)) is not None and (
            kind is en.EntitlementStarted or data.entitlement_id in ents
        ):
            change(ents, data, event)
            self.changed.add(data.entitlement_id)

    def benefits(self) -> Benefits:
        """The applications and entitlements folded so far."""
        return Benefits(tuple(self._apps.values()), tuple(self._ents.values()))


def fold_benefits(events: Iterable[Event[Any]]) -> Benefits:
    """Fold a child's benefit events, in the order given, into its applications and
    entitlements; other events are passed over."""
    folding = BenefitsFolding()
    for event in events:
        folding.add(event)
    return folding.benefits()
