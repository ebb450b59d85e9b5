"""A Hypothesis state machine over applications, entitlements and payments.

Random commands by random workers on random days; after every step the invariants hold, checked
from the raw events and from a model of the months each entitlement pays that the machine keeps
from the commands it saw succeed: no payment outside a payable month, never two live payments
for one month, confirmed totals equal the sum of confirmed payments, one child never holds both
allowances for the same month, no approval without a verification since the last return, and a
refused command writes nothing.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
)

import caselog
from benefit_programme import COUNTY, build, de_facto, orphan
from caselog import ValidationError
from caselog.domain import (
    Parent,
    ParentSituation,
    ParentStatusRecorded,
    PaymentStatus,
    TerminationReason,
)
from caselog.domain.benefits import fold_benefits
from caselog.domain.calendar import month_of, month_start, months, next_month
from caselog.testing import ManualClock

CHILDREN = ("c-1", "c-2")
BENEFITS = ("orphan_allowance", "de_facto_allowance", "orphan_allowance", "medical_assistance")
APPLICATIONS = ("a-1", "a-2", "a-3")
ACTORS = ("li", "zhao", "chen", "sun", "audit")
ALLOWANCES = ("orphan_allowance", "de_facto_allowance")

_OWNER = {
    "verify": "zhao", "request": "zhao", "fail": "zhao", "approve": "chen", "reject": "chen",
    "return": "chen", "supply": "li", "withdraw": "li",
}  # fmt: skip
_PAYMENT_STORIES = [
    ("issue",), ("issue", "confirm"), ("issue", "fail"), ("issue", "fail", "reissue", "confirm"),
    ("issue", "confirm", "reverse"), ("issue", "confirm", "reverse", "issue", "confirm"),
    ("issue", "issue"), ("issue", "confirm", "issue"), ("confirm",), ("fail",), ("reissue",),
    ("reverse",),
]  # fmt: skip
_LIVE = {"payment_issued": 1, "payment_reissued": 1, "payment_failed": -1, "payment_reversed": -1}


class BenefitMachine(RuleBasedStateMachine):
    """Drives the benefit commands and checks the invariants after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.today = date(2025, 2, 3)
        self.clock = ManualClock(datetime(2025, 2, 3, 9, tzinfo=UTC))
        self.log = caselog.open("memory:", clock=self.clock)
        build(self.log)
        orphan(self.log, "c-1")
        de_facto(self.log, "c-2")
        # what the machine saw succeed: the months each entitlement pays
        self.first: dict[str, str] = {}
        self.last: dict[str, str | None] = {}
        self.paused: dict[str, list[tuple[str, str | None]]] = defaultdict(list)

    def teardown(self) -> None:
        self.log.close()

    # -- the machinery

    def _try(self, step: Callable[[], Any]) -> Any:
        """Run a command; a refused one must write nothing."""
        before = self.log.store.last_event()
        try:
            return step()
        except ValidationError:
            assert self.log.store.last_event() == before
            return None

    def _month(self, offset: int) -> str:
        return next_month(month_of(self.today), offset)

    def _payable(self, entitlement_id: str, month: str) -> bool:
        if entitlement_id not in self.first or month < self.first[entitlement_id]:
            return False
        last = self.last.get(entitlement_id)
        if last is not None and month > last:
            return False
        return not any(
            start <= month and (until is None or month < until)
            for start, until in self.paused[entitlement_id]
        )

    # -- the rules

    def _move_to(self, day: date) -> None:
        self.today = day
        self.clock.now = datetime.combine(day, time(9), tzinfo=UTC)

    @rule(days=st.integers(min_value=1, max_value=60))
    def advance(self, days: int) -> None:
        self._move_to(self.today + timedelta(days=days))

    @rule()
    def father_dies(self) -> None:
        fact = ParentStatusRecorded("c-2", Parent.FATHER, ParentSituation.DECEASED)
        self._try(lambda: self.log.record_fact(fact, actor="li", effective=self.today))

    applications = Bundle("applications")

    @rule(target=applications, app=st.sampled_from(APPLICATIONS),
          child=st.sampled_from(CHILDREN), benefit=st.sampled_from(BENEFITS))  # fmt: skip
    def draft(self, app: str, child: str, benefit: str) -> Any:
        day = self.today
        drafted = self._try(lambda: self.log.draft_application(
            app, child, benefit, amount_requested=300, actor="li", effective=day))  # fmt: skip
        return multiple() if drafted is None else app

    entitlements = Bundle("entitlements")

    @rule(target=entitlements, app=st.sampled_from(APPLICATIONS),
          child=st.sampled_from(CHILDREN), benefit=st.sampled_from(BENEFITS))  # fmt: skip
    def approve_at_once(self, app: str, child: str, benefit: str) -> Any:
        """Draft, submit, verify and approve an application on one day."""
        log, day = self.log, self.today
        for step in (
            lambda: log.draft_application(app, child, benefit, amount_requested=300, actor="li",
                                          effective=day),
            lambda: log.submit_application(app, actor="li", effective=day),
            lambda: log.verify_application(app, actor="zhao", effective=day),
            lambda: log.approve_application(app, actor="chen", effective=day),
        ):  # fmt: skip
            result = self._try(step)
            if result is None:
                return multiple()
        self._approved(app, result)
        return app

    @rule(app=applications, other=st.sampled_from([None, None, None, *ACTORS]),
          step=st.sampled_from(["verify", "verify", "approve", "approve", "reject", "return",
                                "withdraw", "request", "supply", "fail"]))  # fmt: skip
    def review(self, app: str, other: str | None, step: str) -> None:
        """A step of the review, mostly by the worker it belongs to, sometimes by another."""
        log, day = self.log, self.today
        actor = other or _OWNER[step]
        steps: dict[str, Callable[[], Any]] = {
            "verify": lambda: log.verify_application(app, actor=actor, effective=day),
            "approve": lambda: log.approve_application(app, actor=actor, effective=day),
            "reject": lambda: log.reject_application(app, reason="no", actor=actor, effective=day),
            "return": lambda: log.return_application(app, reason="again", actor=actor,
                                                     effective=day),
            "withdraw": lambda: log.withdraw_application(app, actor=actor, effective=day),
            "request": lambda: log.request_evidence(app, "more", actor=actor, effective=day),
            "supply": lambda: log.supply_evidence(app, "here", actor=actor, effective=day),
            "fail": lambda: log.fail_verification(app, reason="no", actor=actor, effective=day),
        }  # fmt: skip
        self._approved(app, self._try(steps[step]))

    @rule(app=applications)
    def progress(self, app: str) -> None:
        """Take an application one step along its way to approval."""
        log, day = self.log, self.today
        status = log.application(app).status
        steps: dict[str, Callable[[], Any]] = {
            "draft": lambda: log.submit_application(app, actor="li", effective=day),
            "submitted": lambda: log.verify_application(app, actor="zhao", effective=day),
            "returned": lambda: log.verify_application(app, actor="zhao", effective=day),
            "evidence_requested": lambda: log.supply_evidence(app, "here", actor="li",
                                                              effective=day),
            "verified": lambda: log.approve_application(app, actor="chen", effective=day),
        }  # fmt: skip
        if status.value in steps:
            self._approved(app, self._try(steps[status.value]))

    def _approved(self, app: str, result: Any) -> None:
        if isinstance(result, list):  # an approval: the approval and the entitlement started
            started = result[1].data
            self.first[app] = started.first_month
            self.last[app] = started.last_month

    @rule(app=entitlements, offset=st.integers(min_value=-1, max_value=4),
          actor=st.sampled_from(["chen", "chen", "chen", "zhao"]),
          steps=st.sampled_from(_PAYMENT_STORIES))  # fmt: skip
    def pay(self, app: str, offset: int, actor: str, steps: tuple[str, ...]) -> None:
        """Payment steps for one month, counted from the entitlement's first month, until one
        is refused."""
        month = next_month(self.first[app], offset)
        if steps[0] == "issue" and month > month_of(self.today):
            self._move_to(month_start(month))  # the office pays when the month comes
        log, day = self.log, self.today
        commands: dict[str, Callable[[], Any]] = {
            "issue": lambda: log.issue_payment(app, month, actor=actor, effective=day),
            "confirm": lambda: log.confirm_payment(app, month, actor=actor, effective=day),
            "fail": lambda: log.fail_payment(app, month, reason="bank", actor=actor,
                                             effective=day),
            "reissue": lambda: log.reissue_payment(app, month, actor=actor, effective=day),
            "reverse": lambda: log.reverse_payment(app, month, reason="error", actor=actor,
                                                   effective=day),
        }  # fmt: skip
        for step in steps:
            if self._try(commands[step]) is None:
                return
            if step == "issue":
                assert self._payable(app, month), f"{app} paid {month}, which it does not pay"

    @rule(app=entitlements, offset=st.integers(min_value=-2, max_value=2),
          step=st.sampled_from(["suspend", "resume", "resume", "terminate"]))  # fmt: skip
    def manage(self, app: str, offset: int, step: str) -> None:
        log, day, month = self.log, self.today, self._month(offset)
        steps: dict[str, Callable[[], Any]] = {
            "suspend": lambda: log.suspend_entitlement(app, from_month=month, reason="check",
                                                       actor="chen", effective=day),
            "resume": lambda: log.resume_entitlement(app, from_month=month, actor="chen",
                                                     effective=day),
            "terminate": lambda: log.terminate_entitlement(
                app, TerminationReason.RECLASSIFIED, last_month=month, actor="chen",
                effective=day),
        }  # fmt: skip
        if self._try(steps[step]) is None:
            return
        if step == "suspend":
            self.paused[app].append((month, None))
        elif step == "resume":
            start, _ = self.paused[app].pop()
            self.paused[app].append((start, month))
        else:
            self.last[app] = month

    @rule(amount=st.integers(min_value=900, max_value=1600), offset=st.integers(0, 2))
    def new_standard(self, amount: int, offset: int) -> None:
        self._try(lambda: self.log.set_benefit_standard(
            "orphan_allowance", COUNTY, amount, from_month=self._month(offset), actor="chen",
            effective=self.today))  # fmt: skip

    # -- the invariants

    def _streams(self) -> dict[str, list[Any]]:
        return {child: self.log.read_stream(f"benefits:{child}") for child in CHILDREN}

    @invariant()
    def payments_are_in_payable_months_and_never_twice(self) -> None:
        for child, events in self._streams().items():
            live: dict[tuple[str, str], int] = defaultdict(int)
            for event in events:
                if event.type in _LIVE:
                    key = (event.data.entitlement_id, event.data.month)
                    live[key] += _LIVE[event.type]
                    assert 0 <= live[key] <= 1, f"{child}: {key} has {live[key]} live payments"
            for (entitlement_id, month), count in live.items():
                if count:
                    assert self._payable(entitlement_id, month), (entitlement_id, month)

    @invariant()
    def totals_are_the_sum_of_confirmed_payments(self) -> None:
        for events in self._streams().values():
            amount: dict[tuple[str, str], int] = {}
            latest: dict[tuple[str, str], str] = {}
            for event in events:
                if event.type.startswith("payment_"):
                    key = (event.data.entitlement_id, event.data.month)
                    latest[key] = event.type
                    if event.type == "payment_issued":
                        amount[key] = event.data.amount
            for entitlement in fold_benefits(events).entitlements:
                expected = sum(
                    amount[key] for key, kind in latest.items()
                    if kind == "payment_confirmed" and key[0] == entitlement.entitlement_id
                )  # fmt: skip
                assert entitlement.confirmed_total == expected
                confirmed = [p for p in entitlement.payments if p.status is PaymentStatus.CONFIRMED]
                assert entitlement.last_paid_month == max((p.month for p in confirmed),
                                                          default=None)  # fmt: skip

    @invariant()
    def no_child_holds_both_allowances_in_a_month(self) -> None:
        for events in self._streams().values():
            held: dict[str, set[str]] = defaultdict(set)
            for entitlement in fold_benefits(events).entitlements:
                if entitlement.benefit in ALLOWANCES:
                    last = entitlement.last_month or "2099-12"
                    for month in months(entitlement.first_month, min(last, "2027-12")):
                        held[month].add(entitlement.benefit)
            assert all(len(benefits) <= 1 for benefits in held.values()), held

    @invariant()
    def approvals_follow_a_verification(self) -> None:
        for events in self._streams().values():
            verified: dict[str, bool] = defaultdict(bool)
            for event in events:
                app = str(getattr(event.data, "application_id", ""))
                if event.type == "application_verified":
                    verified[app] = True
                elif event.type == "application_returned":
                    verified[app] = False
                elif event.type == "application_approved" and event.data.level == "county":
                    assert verified[app], f"{app} approved without a verification"


TestBenefitMachine = BenefitMachine.TestCase
