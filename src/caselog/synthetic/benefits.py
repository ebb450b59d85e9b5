"""Benefits in the story: counties' standards, applications through every outcome, entitlements
and their monthly payments (one failing and reissued), and allowances ending at 18."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import attrs

from caselog.domain import TerminationReason
from caselog.domain.calendar import next_month
from caselog.log import Caselog
from caselog.synthetic.clock import working_time
from caselog.synthetic.plan import Plan
from caselog.synthetic.story import eighteenth

__all__ = ["OUTCOMES", "Office", "plan_application", "plan_standards"]

OUTCOMES = ("approved", "returned", "rejected", "withdrawn", "failed")
"""How an application in the story ends (``returned`` is sent back once, then approved)."""
_STANDARD = 1174
_RAISE = 58


@attrs.frozen
class Office:
    """Who acts for a child's village: its worker, the township supervisor, the county officer."""

    worker: str
    supervisor: str
    officer: str


def plan_standards(plan: Plan, county: str, officer: str, first: date, last: date) -> None:
    """The county sets both allowances' standards at the start and raises them each January."""
    for year in range(first.year, last.year + 1):
        day = first if year == first.year else date(year - 1, 12, 20)
        amount = _STANDARD + _RAISE * (year - first.year)

        def run(log: Caselog, day: date = day, amount: int = amount, year: int = year) -> None:
            for benefit in ("orphan_allowance", "de_facto_allowance"):
                log.set_benefit_standard(benefit, county, amount, from_month=f"{year}-01",
                                         actor=officer, effective=day)  # fmt: skip

        plan.add(working_time(day, 15), run)


def _step(plan: Plan, day: date, minutes: int, command: str, *args: Any, **options: Any) -> None:
    def run(log: Caselog) -> Any:
        return getattr(log, command)(*args, effective=day, **options)

    plan.add(working_time(day, minutes), run)


def plan_application(
    plan: Plan,
    office: Office,
    application_id: str,
    child_id: str,
    benefit: str,
    *,
    outcome: str,
    day: date,
    is_monthly: bool,
    evidence: bool = False,
) -> date | None:
    """Plan an application from draft to ``outcome``; return the day of approval, if any."""
    worker, township, county = office.worker, office.supervisor, office.officer
    amount = None if is_monthly else 800
    _step(plan, day, 100, "draft_application", application_id, child_id, benefit,
          amount_requested=amount, actor=worker)  # fmt: skip
    _step(plan, day, 101, "submit_application", application_id, actor=worker)
    at = day
    if evidence:
        _step(plan, day + timedelta(3), 90, "request_evidence", application_id,
              "the death certificates of both parents", actor=township)  # fmt: skip
        _step(plan, day + timedelta(6), 90, "supply_evidence", application_id,
              "certificates from the county hospital", actor=worker)  # fmt: skip
        at = day + timedelta(6)
    if outcome == "withdrawn":
        _step(plan, at + timedelta(5), 120, "withdraw_application", application_id,
              reason="the family found help from the school", actor=worker)  # fmt: skip
        return None
    if outcome == "failed":
        _step(plan, at + timedelta(10), 120, "fail_verification", application_id,
              reason="the child was not enrolled at the school named", actor=township)  # fmt: skip
        return None
    _step(plan, at + timedelta(12), 120, "verify_application", application_id, actor=township)
    decided = at + timedelta(20)
    if outcome == "rejected":
        _step(plan, decided, 140, "reject_application", application_id,
              reason="the household income is above the county's threshold",
              actor=county)  # fmt: skip
        return None
    if outcome == "returned":
        _step(plan, decided - timedelta(2), 140, "return_application", application_id,
              reason="the household register page is missing", actor=county)  # fmt: skip
        _step(plan, decided + timedelta(5), 120, "verify_application", application_id,
              actor=township)  # fmt: skip
        decided += timedelta(12)
    _step(plan, decided, 150, "approve_application", application_id, actor=county)
    return decided


def _month_day(month: str, day: int) -> date:
    year, number = month.split("-")
    return date(int(year), int(number), day)


def plan_payments(
    plan: Plan,
    officer: str,
    entitlement: str,
    *,
    approved: date,
    birth: date,
    last_day: date,
    failing: int | None = None,
) -> None:
    """Pay an allowance month by month from the month after approval; the ``failing``-th
    payment fails and is reissued. At 18 the county ends the allowance with the birthday's
    month."""
    adult = eighteenth(birth)
    last_month = f"{adult:%Y-%m}"
    month, number = next_month(f"{approved:%Y-%m}"), 0
    while month <= last_month and _month_day(month, 20) <= last_day:
        if number == failing:
            _failing_payment(plan, officer, entitlement, month)
        else:
            _step(plan, _month_day(month, 5), 60, "issue_payment", entitlement, month,
                  actor=officer)  # fmt: skip
            _step(plan, _month_day(month, 8), 60, "confirm_payment", entitlement, month,
                  actor=officer)  # fmt: skip
        month, number = next_month(month), number + 1
    ended = _month_day(next_month(last_month), 2)
    if month > last_month and ended <= last_day:
        _step(plan, ended, 30, "terminate_entitlement", entitlement, TerminationReason.AGED_OUT,
              last_month=last_month, note="turned 18, not in full-time education",
              actor=officer)  # fmt: skip


def _failing_payment(plan: Plan, officer: str, entitlement: str, month: str) -> None:
    _step(plan, _month_day(month, 5), 60, "issue_payment", entitlement, month,
          reference=f"tx-{month}-1", actor=officer)  # fmt: skip
    _step(plan, _month_day(month, 12), 60, "fail_payment", entitlement, month,
          reason="the bank account was closed", actor=officer)  # fmt: skip
    _step(plan, _month_day(month, 16), 60, "reissue_payment", entitlement, month,
          reference=f"tx-{month}-2", actor=officer)  # fmt: skip
    _step(plan, _month_day(month, 20), 60, "confirm_payment", entitlement, month, actor=officer)
