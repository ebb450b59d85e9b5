"""Entitlement and payment commands, benefit standards, and the entitlements due for review.

A county officer of the entitlement's county changes, suspends, resumes and terminates it and
records its payments, one month at a time: a month is paid only while the entitlement pays it,
and never twice. Standards are set by a county officer (or an admin) for an area; setting one
changes the amount of every entitlement it governs, in the same append.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import attrs

from caselog.domain import entitlements as en
from caselog.domain.benefits import Entitlement, Payment, benefits_stream, standard_stream
from caselog.domain.calendar import month_of, month_start, next_month
from caselog.domain.casefiles import code
from caselog.domain.codes import (
    AreaLevel,
    EntitlementStatus,
    FileStatus,
    PaymentStatus,
    TerminationReason,
)
from caselog.domain.commands.benefitfiles import BenefitFiles, ChildBenefits, written
from caselog.domain.eligibility import eligibility
from caselog.domain.file import ADULT_AGE, birthday_at, day_of
from caselog.errors import ValidationError
from caselog.events.envelope import Event, Metadata

__all__ = ["EntitlementCommands", "ReviewDue"]

Effective = date | datetime

_LIVE = frozenset({PaymentStatus.ISSUED, PaymentStatus.CONFIRMED})


@attrs.frozen
class ReviewDue:
    """An entitlement whose basis has lapsed as of a day, and why, for the county to act on."""

    entitlement_id: str
    child_id: str
    benefit: str
    area: str
    reasons: tuple[str, ...]


class _Held:
    """An entitlement read for a step: the child's benefits and the entitlement."""

    def __init__(self, benefits: ChildBenefits, entitlement: Entitlement) -> None:
        self.benefits = benefits
        self.entitlement = entitlement


class EntitlementCommands(BenefitFiles):
    """Entitlements, payments and benefit standards."""

    def set_benefit_standard(
        self, benefit: str, area: str, monthly_amount: int, *, from_month: str, actor: str,
        effective: Effective,
    ) -> Event[Any]:  # fmt: skip
        """Set the monthly amount of ``benefit`` in the county ``area`` from ``from_month`` on:
        every monthly allowance the county manages pays it from then, until a standard from a
        later month (or a manual change from a later month)."""
        rules = self.rules.benefit(benefit)
        if not rules.is_monthly:
            raise ValidationError("benefit", f"{benefit} is paid once; it has no standard")
        self._check_effective(effective)
        directory = self.directory()
        if directory.area(area, field="area").level is not AreaLevel.COUNTY:
            raise ValidationError("area", f"{area!r} is not a county: counties set standards")
        meta = directory.authorize(actor, "set_benefit_standard", area=area)
        payload = en.BenefitStandardSet(benefit, area, monthly_amount,
                                        self._month("from_month", from_month))  # fmt: skip
        stream = standard_stream(benefit, area)
        version = self.store.stream_version(stream)
        return self._append([(stream, [payload], version)], effective=effective, meta=meta)[0]

    def change_entitlement_amount(
        self, entitlement_id: str, amount: int, *, from_month: str, reason: str, actor: str,
        effective: Effective,
    ) -> Event[Any]:  # fmt: skip
        """Change the monthly amount from ``from_month`` on."""
        held, meta = self._entitlement(entitlement_id, actor, effective)
        ent = held.entitlement
        month = self._month("from_month", from_month)
        self._not_terminated(ent)
        if month < ent.first_month:
            raise ValidationError("from_month", f"the entitlement starts in {ent.first_month}")
        payload = en.EntitlementAmountChanged(entitlement_id, month, amount,
                                              written("reason", reason))  # fmt: skip
        return self._write_held(held, payload, effective, meta)

    def suspend_entitlement(
        self, entitlement_id: str, *, from_month: str, reason: str, actor: str,
        effective: Effective,
    ) -> Event[Any]:  # fmt: skip
        """Stop paying from ``from_month`` until the entitlement resumes."""
        held, meta = self._entitlement(entitlement_id, actor, effective)
        ent = held.entitlement
        month = self._month("from_month", from_month)
        if ent.status is not EntitlementStatus.ACTIVE:
            raise ValidationError("entitlement_id", f"the entitlement is {ent.status}")
        if not ent.is_payable(month):
            raise ValidationError("from_month", f"the entitlement does not pay {month}")
        self._nothing_paid_from(ent, month, "from_month")
        payload = en.EntitlementSuspended(entitlement_id, month, written("reason", reason))
        return self._write_held(held, payload, effective, meta)

    def resume_entitlement(
        self, entitlement_id: str, *, from_month: str, note: str | None = None, actor: str,
        effective: Effective,
    ) -> Event[Any]:  # fmt: skip
        """Pay again from ``from_month``."""
        held, meta = self._entitlement(entitlement_id, actor, effective)
        ent = held.entitlement
        month = self._month("from_month", from_month)
        if ent.status is not EntitlementStatus.SUSPENDED:
            raise ValidationError("entitlement_id", f"the entitlement is {ent.status}")
        if month <= ent.suspensions[-1][0]:
            raise ValidationError(
                "from_month", f"the suspension runs from {ent.suspensions[-1][0]}"
            )
        return self._write_held(held, en.EntitlementResumed(entitlement_id, month, note), effective,
                           meta)  # fmt: skip

    def terminate_entitlement(
        self, entitlement_id: str, reason: TerminationReason, *, last_month: str | None = None,
        note: str | None = None, actor: str, effective: Effective,
    ) -> Event[Any]:  # fmt: skip
        """End the entitlement: ``last_month`` (by default the month of ``effective``) is the
        last it pays. Final."""
        held, meta = self._entitlement(entitlement_id, actor, effective)
        ent = held.entitlement
        self._not_terminated(ent)
        why = code(TerminationReason, reason, "reason")
        last = self._month("last_month", month_of(day_of(effective)) if last_month is None
                           else last_month)  # fmt: skip
        if last < next_month(ent.first_month, -1):
            raise ValidationError("last_month", f"the entitlement starts in {ent.first_month}")
        if ent.last_month is not None and last > ent.last_month:
            raise ValidationError("last_month", f"the entitlement ends in {ent.last_month}")
        self._nothing_paid_from(ent, next_month(last), "last_month")
        payload = en.EntitlementTerminated(entitlement_id, why, last, note)
        return self._write_held(held, payload, effective, meta)

    def issue_payment(
        self, entitlement_id: str, month: str, *, reference: str | None = None, actor: str,
        effective: Effective,
    ) -> Event[Any]:  # fmt: skip
        """Record that a month's payment was sent, at the amount due for that month."""
        held, meta = self._entitlement(entitlement_id, actor, effective)
        ent = held.entitlement
        month = self._month("month", month)
        self._payable(held, month, effective)
        payment = ent.payment(month)
        if payment is not None and payment.status is not PaymentStatus.REVERSED:
            raise ValidationError(
                "month", f"{month} was {payment.status} already; "
                f"{'reissue' if payment.status is PaymentStatus.FAILED else 'it is paid'}",
            )  # fmt: skip
        payload = en.PaymentIssued(entitlement_id, month, ent.amount_for(month), reference)
        return self._write_held(held, payload, effective, meta)

    def confirm_payment(
        self, entitlement_id: str, month: str, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Record that an issued payment reached the family."""
        held, meta, _ = self._payment(entitlement_id, month, actor, effective,
                                      {PaymentStatus.ISSUED}, "confirmed")  # fmt: skip
        return self._write_held(held, en.PaymentConfirmed(entitlement_id, month), effective, meta)

    def fail_payment(
        self, entitlement_id: str, month: str, *, reason: str, actor: str, effective: Effective
    ) -> Event[Any]:
        """Record that an issued payment did not arrive."""
        held, meta, _ = self._payment(entitlement_id, month, actor, effective,
                                      {PaymentStatus.ISSUED}, "failed")  # fmt: skip
        payload = en.PaymentFailed(entitlement_id, month, written("reason", reason))
        return self._write_held(held, payload, effective, meta)

    def reissue_payment(
        self, entitlement_id: str, month: str, *, reference: str | None = None, actor: str,
        effective: Effective,
    ) -> Event[Any]:  # fmt: skip
        """Send a failed payment again."""
        held, meta, _ = self._payment(entitlement_id, month, actor, effective,
                                      {PaymentStatus.FAILED}, "reissued")  # fmt: skip
        self._payable(held, month, effective)
        payload = en.PaymentReissued(entitlement_id, month, reference)
        return self._write_held(held, payload, effective, meta)

    def reverse_payment(
        self, entitlement_id: str, month: str, *, reason: str, actor: str, effective: Effective
    ) -> Event[Any]:
        """Take back an issued or confirmed payment; the month counts as unpaid again."""
        held, meta, _ = self._payment(entitlement_id, month, actor, effective, set(_LIVE),
                                      "reversed")  # fmt: skip
        payload = en.PaymentReversed(entitlement_id, month, written("reason", reason))
        return self._write_held(held, payload, effective, meta)

    def entitlement(self, entitlement_id: str) -> Entitlement:
        """Return the entitlement as it stands."""
        child = self._owner(entitlement_id, field="entitlement_id")
        found = self._benefits(child).state.entitlement(entitlement_id)
        if found is None:
            raise ValidationError("entitlement_id", f"application {entitlement_id!r} started none")
        return found

    def entitlements_due_for_review(self, *, on: date, area: str | None = None) -> list[ReviewDue]:
        """Return the entitlements, in ``area`` if given, whose basis has lapsed on ``on``: the
        child turned the benefit's review age, a parent's restriction of liberty ended, the
        qualifying category no longer holds, or the file is no longer open."""
        if not isinstance(on, date) or isinstance(on, datetime):
            raise ValidationError("on", f"expected a date, not {on!r}")
        directory = self.directory()
        if area is not None:
            directory.area(area, field="area")
        holders = self._holders()
        due: list[ReviewDue] = []
        for child_id in holders:
            benefits = self._benefits(child_id)
            for ent in benefits.state.entitlements:
                if ent.status is EntitlementStatus.TERMINATED or not self._is_in(ent, area):
                    continue
                if ent.last_month is not None and ent.last_month < month_of(on):
                    continue  # paid once, or ending before this month
                reasons = self._lapsed(ent, on)
                if reasons:
                    due.append(ReviewDue(ent.entitlement_id, child_id, ent.benefit, ent.area,
                                         tuple(reasons)))  # fmt: skip
        return due

    # -- shared checks

    def _holders(self) -> list[str]:
        """The children with an entitlement, in the order they were granted one."""
        children: dict[str, None] = {}
        after = 0
        while page := self.store.read_log(after=after, limit=1000):
            for record in page:
                if record.type == "entitlement_started":
                    children[record.stream.removeprefix("benefits:")] = None
            after = page[-1].position
        return list(children)

    def _is_in(self, ent: Entitlement, area: str | None) -> bool:
        """Whether an entitlement concerns ``area``: the township it was decided for lies in it,
        or the child lives in it now."""
        if area is None:
            return True
        directory = self.directory()
        if directory.is_within(ent.area, area):
            return True
        file = self.child_file(ent.child_id)
        return file is not None and directory.is_within(file.village, area)

    def _lapsed(self, ent: Entitlement, on: date) -> list[str]:
        rules = self.rules.benefit(ent.benefit)
        file = self.child_file(ent.child_id, as_of=on)
        if file is None:
            return []
        reasons: list[str] = []
        age = rules.review_at_age
        if age is not None and file.age_on(on) >= age:
            reasons.append(f"turned {age} on {birthday_at(file.birth_date, age)}")
        for parent in (file.father, file.mother):
            if parent is not None and parent.until is not None and parent.until <= on:
                reasons.append(f"the {parent.parent}'s {parent.situation} ended on {parent.until}")
        if file.status not in (FileStatus.ACTIVE, FileStatus.AGED_OUT):
            reasons.append(f"the file is {file.status} since {file.status_since}")
        elif file.age_on(on) < ADULT_AGE:
            found = eligibility(file, on, ent.benefit, self.rules)
            if not found.qualifies:
                held = ", ".join(sorted(rules.qualifying))
                reasons.append(f"{held} no longer holds: {found.reason}")
        return reasons

    def _entitlement(
        self, entitlement_id: str, actor: str, effective: Effective
    ) -> tuple[_Held, Metadata]:
        benefits = self._benefits(self._owner(entitlement_id, field="entitlement_id"))
        ent = benefits.state.entitlement(entitlement_id)
        if ent is None:
            raise ValidationError("entitlement_id", f"application {entitlement_id!r} started none")
        meta = self.directory().authorize(actor, "manage_entitlement", area=ent.area)
        self._check_order(benefits, effective)
        return _Held(benefits, ent), meta

    def _payment(
        self, entitlement_id: str, month: str, actor: str, effective: Effective,
        allowed: set[PaymentStatus], doing: str,
    ) -> tuple[_Held, Metadata, Payment]:  # fmt: skip
        held, meta = self._entitlement(entitlement_id, actor, effective)
        payment = held.entitlement.payment(self._month("month", month))
        if payment is None:
            raise ValidationError("month", f"no payment for {month} was issued")
        if payment.status not in allowed:
            raise ValidationError("month", f"a {payment.status} payment is not {doing}")
        return held, meta, payment

    def _payable(self, held: _Held, month: str, effective: Effective) -> None:
        """Refuse paying a month the entitlement does not pay, that has not begun, or that
        begins after the child's file was closed, moved out or the child died (arrears of
        earlier months stay due; turning 18 stops nothing until the county terminates)."""
        ent = held.entitlement
        if not ent.is_payable(month):
            raise ValidationError("month", f"{ent.entitlement_id!r} does not pay {month}")
        if month > month_of(day_of(effective)):
            raise ValidationError("month", f"{month} has not begun on {day_of(effective)}")
        file = self.child_file(ent.child_id, as_of=month_start(month))
        if file is None or file.status not in (FileStatus.ACTIVE, FileStatus.AGED_OUT):
            status = "not open" if file is None else file.status
            raise ValidationError("month", f"the child's file was {status} on {month}-01")

    @staticmethod
    def _not_terminated(ent: Entitlement) -> None:
        if ent.status is EntitlementStatus.TERMINATED:
            raise ValidationError(
                "entitlement_id", f"it was terminated on {ent.terminated_on}: nothing follows"
            )

    @staticmethod
    def _nothing_paid_from(ent: Entitlement, month: str, field: str) -> None:
        paid = [p.month for p in ent.payments if p.status in _LIVE and p.month >= month]
        if paid:
            raise ValidationError(
                field,
                f"{', '.join(paid)} {'is' if len(paid) == 1 else 'are'} paid: reverse first",
            )

    def _write_held(
        self, held: _Held, payload: Any, effective: Effective, meta: Metadata
    ) -> Event[Any]:
        stream = benefits_stream(held.entitlement.child_id)
        return self._append([(stream, [payload], held.benefits.version)], effective=effective,
                            meta=meta)[0]  # fmt: skip
