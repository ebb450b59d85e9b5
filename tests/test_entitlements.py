"""Entitlements and payments: the months paid, amounts and standards, reviews, and refusals."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any, cast

import pytest

import caselog
from benefit_programme import (
    COUNTY,
    OTHER_TOWNSHIP,
    PROVINCE,
    STANDARD,
    TOWNSHIP,
    approved,
    build,
    child,
    de_facto,
    orphan,
    refused,
)
from caselog import Caselog
from caselog.domain import (
    EntitlementStatus,
    Parent,
    ParentSituation,
    ParentStatusRecorded,
    PaymentStatus,
    TerminationReason,
)
from caselog.domain.entitlements import PaymentIssued
from caselog.testing import ManualClock

FULL_WIDTH = "\uff12\uff10\uff12\uff15-03"  # 2025-03 in full-width digits
APPROVED = date(2025, 2, 3)  # the entitlement pays from March
DAY = date(2025, 6, 2)


@pytest.fixture
def log() -> Iterator[Caselog]:
    with caselog.open("memory:", clock=ManualClock(datetime(2026, 1, 5, 9, tzinfo=UTC))) as log:
        build(log)
        orphan(log)
        approved(log, "a-1", "c-1", "orphan_allowance", APPROVED)
        yield log


def pay(log: Caselog, month: str, *, confirm: bool = True, day: date = DAY) -> None:
    log.issue_payment("a-1", month, actor="chen", effective=day)
    if confirm:
        log.confirm_payment("a-1", month, actor="chen", effective=day)


def test_months_are_paid_confirmed_and_counted(log: Caselog) -> None:
    for month in ("2025-03", "2025-04", "2025-05"):
        pay(log, month)
    entitlement = log.entitlement("a-1")
    assert entitlement.confirmed_total == 3 * STANDARD
    assert entitlement.last_paid_month == "2025-05"
    assert entitlement.arrears("2025-06") == STANDARD  # June is payable and not paid
    assert entitlement.arrears("2025-05") == 0


def test_a_failed_payment_is_reissued_and_a_reversed_one_issued_again(log: Caselog) -> None:
    pay(log, "2025-03", confirm=False)
    log.fail_payment("a-1", "2025-03", reason="account closed", actor="chen", effective=DAY)
    assert log.entitlement("a-1").payment("2025-03").status is PaymentStatus.FAILED  # type: ignore[union-attr]
    assert log.entitlement("a-1").arrears("2025-03") == STANDARD
    refused(
        log,
        "month",
        "failed already; reissue",
        lambda: log.issue_payment("a-1", "2025-03", actor="chen", effective=DAY),
    )
    log.reissue_payment("a-1", "2025-03", reference="tx-2", actor="chen", effective=DAY)
    log.confirm_payment("a-1", "2025-03", actor="chen", effective=DAY)
    payment = log.entitlement("a-1").payment("2025-03")
    assert payment is not None
    assert (payment.status, payment.reference) == (PaymentStatus.CONFIRMED, "tx-2")
    log.reverse_payment("a-1", "2025-03", reason="paid to the wrong account", actor="chen",
                        effective=DAY)  # fmt: skip
    assert log.entitlement("a-1").confirmed_total == 0
    pay(log, "2025-03")
    assert log.entitlement("a-1").confirmed_total == STANDARD


def test_payments_are_refused_outside_payable_months_or_twice(log: Caselog) -> None:
    refused(
        log,
        "month",
        "does not pay 2025-02",
        lambda: log.issue_payment("a-1", "2025-02", actor="chen", effective=DAY),
    )
    refused(
        log,
        "month",
        "2025-07 has not begun on 2025-06-02",
        lambda: log.issue_payment("a-1", "2025-07", actor="chen", effective=DAY),
    )
    refused(
        log,
        "month",
        "not a month written YYYY-MM",
        lambda: log.issue_payment("a-1", "2025-3", actor="chen", effective=DAY),
    )
    pay(log, "2025-03")
    refused(
        log,
        "month",
        "2025-03 was confirmed already",
        lambda: log.issue_payment("a-1", "2025-03", actor="chen", effective=DAY),
    )
    refused(
        log,
        "month",
        "no payment for 2025-04 was issued",
        lambda: log.confirm_payment("a-1", "2025-04", actor="chen", effective=DAY),
    )
    refused(
        log,
        "month",
        "a confirmed payment is not reissued",
        lambda: log.reissue_payment("a-1", "2025-03", actor="chen", effective=DAY),
    )
    refused(
        log,
        "month",
        "a confirmed payment is not failed",
        lambda: log.fail_payment("a-1", "2025-03", reason="x", actor="chen", effective=DAY),
    )
    refused(
        log,
        "reason",
        "written reason",
        lambda: log.reverse_payment("a-1", "2025-03", reason="", actor="chen", effective=DAY),
    )
    refused(
        log,
        "effective",
        "before the last step",
        lambda: log.issue_payment("a-1", "2025-04", actor="chen", effective=date(2025, 6, 1)),
    )


@pytest.mark.parametrize(
    ("actor", "match"),
    [("zhao", "township_supervisor may not manage entitlement"),
     ("sun", "works in 5102, not in 5101"), ("li", "village_worker may not"),
     ("audit", "auditor may not")],
)  # fmt: skip
def test_only_the_county_manages_and_pays(log: Caselog, actor: str, match: str) -> None:
    refused(
        log, "actor", match, lambda: log.issue_payment("a-1", "2025-03", actor=actor, effective=DAY)
    )
    refused(log, "actor", match, lambda: log.suspend_entitlement(
        "a-1", from_month="2025-04", reason="x", actor=actor, effective=DAY))  # fmt: skip
    refused(log, "actor", match, lambda: log.terminate_entitlement(
        "a-1", TerminationReason.ADOPTED, actor=actor, effective=DAY))  # fmt: skip


def test_suspended_months_are_not_paid_until_resumed(log: Caselog) -> None:
    pay(log, "2025-03")
    refused(log, "from_month", "2025-03 is paid: reverse first", lambda: log.suspend_entitlement(
        "a-1", from_month="2025-03", reason="x", actor="chen", effective=DAY))  # fmt: skip
    log.suspend_entitlement("a-1", from_month="2025-04", reason="the child is in hospital care",
                            actor="chen", effective=DAY)  # fmt: skip
    assert log.entitlement("a-1").status is EntitlementStatus.SUSPENDED
    refused(
        log,
        "month",
        "does not pay 2025-05",
        lambda: log.issue_payment("a-1", "2025-05", actor="chen", effective=DAY),
    )
    refused(log, "entitlement_id", "is suspended", lambda: log.suspend_entitlement(
        "a-1", from_month="2025-05", reason="x", actor="chen", effective=DAY))  # fmt: skip
    refused(log, "from_month", "runs from 2025-04", lambda: log.resume_entitlement(
        "a-1", from_month="2025-04", actor="chen", effective=DAY))  # fmt: skip
    log.resume_entitlement("a-1", from_month="2025-06", actor="chen", effective=DAY)
    entitlement = log.entitlement("a-1")
    assert entitlement.status is EntitlementStatus.ACTIVE
    assert entitlement.payable_months("2025-07") == ["2025-03", "2025-06", "2025-07"]
    assert entitlement.arrears("2025-06") == STANDARD
    refused(log, "entitlement_id", "is active", lambda: log.resume_entitlement(
        "a-1", from_month="2025-07", actor="chen", effective=DAY))  # fmt: skip


def test_termination_sets_the_last_month_paid_and_is_final(log: Caselog) -> None:
    pay(log, "2025-03")
    pay(log, "2025-04")
    refused(
        log,
        "last_month",
        "2025-04 is paid: reverse first",
        lambda: log.terminate_entitlement(
            "a-1", TerminationReason.ADOPTED, last_month="2025-03", actor="chen", effective=DAY
        ),
    )
    refused(
        log,
        "reason",
        "is not one of",
        lambda: log.terminate_entitlement("a-1", cast(Any, "bored"), actor="chen", effective=DAY),
    )
    log.terminate_entitlement("a-1", TerminationReason.ADOPTED, last_month="2025-04",
                              note="adopted by an aunt", actor="chen", effective=DAY)  # fmt: skip
    entitlement = log.entitlement("a-1")
    assert (entitlement.status, entitlement.last_month, entitlement.last_paid_month) == (
        EntitlementStatus.TERMINATED, "2025-04", "2025-04"
    )  # fmt: skip
    assert entitlement.termination is not None
    assert entitlement.termination.reason is TerminationReason.ADOPTED
    assert entitlement.arrears("2025-12") == 0
    refused(
        log,
        "month",
        "does not pay 2025-05",
        lambda: log.issue_payment("a-1", "2025-05", actor="chen", effective=DAY),
    )
    refused(log, "entitlement_id", "terminated on 2025-06-02: nothing follows",
            lambda: log.terminate_entitlement("a-1", TerminationReason.DIED, actor="chen",
                                              effective=DAY))  # fmt: skip
    refused(log, "entitlement_id", "terminated", lambda: log.change_entitlement_amount(
        "a-1", 1500, from_month="2025-04", reason="x", actor="chen", effective=DAY))  # fmt: skip


def test_a_new_standard_is_paid_from_its_month(log: Caselog) -> None:
    pay(log, "2025-03")
    event = log.set_benefit_standard("orphan_allowance", COUNTY, 1500, from_month="2025-07",
                                     actor="chen", effective=DAY)  # fmt: skip
    assert event.type == "benefit_standard_set"
    assert event.stream == "standard:orphan_allowance:5101"
    entitlement = log.entitlement("a-1")
    assert (entitlement.amount_for("2025-06"), entitlement.amount_for("2025-07")) == (
        STANDARD, 1500
    )  # fmt: skip
    july = log.issue_payment("a-1", "2025-07", actor="chen", effective=date(2025, 7, 1))
    assert isinstance(july.data, PaymentIssued)
    assert july.data.amount == 1500
    assert log.entitlement("a-1").payment("2025-03").amount == STANDARD  # type: ignore[union-attr]


def test_a_standard_set_late_for_earlier_months_keeps_the_later_ones(log: Caselog) -> None:
    log.set_benefit_standard("orphan_allowance", COUNTY, 1400, from_month="2025-07",
                             actor="chen", effective=DAY)  # fmt: skip
    log.set_benefit_standard("orphan_allowance", COUNTY, 1350, from_month="2025-04",
                             actor="chen", effective=DAY)  # fmt: skip
    entitlement = log.entitlement("a-1")
    amounts = [entitlement.amount_for(m) for m in ("2025-03", "2025-04", "2025-06", "2025-08")]
    assert amounts == [STANDARD, 1350, 1350, 1400]


def test_a_standard_before_an_entitlement_began_does_not_undo_a_later_one() -> None:
    with caselog.open("memory:", clock=ManualClock(datetime(2026, 1, 5, 9, tzinfo=UTC))) as log:
        build(log)
        log.set_benefit_standard("orphan_allowance", COUNTY, 1500, from_month="2025-07",
                                 actor="chen", effective=DAY)  # fmt: skip
        orphan(log)
        approved(log, "a-1", "c-1", "orphan_allowance", date(2025, 8, 4))
        log.set_benefit_standard("orphan_allowance", COUNTY, 1400, from_month="2025-04",
                                 actor="chen", effective=date(2025, 8, 5))  # fmt: skip
        assert log.entitlement("a-1").amount_for("2025-09") == 1500


def test_a_terminated_entitlement_follows_standards_for_the_months_it_paid(log: Caselog) -> None:
    log.terminate_entitlement("a-1", TerminationReason.ADOPTED, last_month="2025-07",
                              actor="chen", effective=DAY)  # fmt: skip
    log.set_benefit_standard("orphan_allowance", COUNTY, 1500, from_month="2025-07",
                             actor="chen", effective=DAY)  # fmt: skip
    assert log.entitlement("a-1").amount_for("2025-07") == 1500


def test_a_manual_amount_holds_until_a_later_standard(log: Caselog) -> None:
    log.change_entitlement_amount("a-1", 900, from_month="2025-05", reason="partial care",
                                  actor="chen", effective=DAY)  # fmt: skip
    log.set_benefit_standard("orphan_allowance", COUNTY, 1500, from_month="2025-08",
                             actor="chen", effective=DAY)  # fmt: skip
    entitlement = log.entitlement("a-1")
    amounts = [entitlement.amount_for(m) for m in ("2025-04", "2025-05", "2025-07", "2025-08")]
    assert amounts == [STANDARD, 900, 900, 1500]


def test_the_file_shows_the_standards_known_then(log: Caselog) -> None:
    clock = log.clock
    assert isinstance(clock, ManualClock)
    before = clock()
    clock.advance(3600)
    log.set_benefit_standard("orphan_allowance", COUNTY, 1500, from_month="2025-07",
                             actor="chen", effective=date(2025, 6, 20))  # fmt: skip
    now = log.child_file("c-1")
    then = log.child_file("c-1", known_at=before)
    earlier = log.child_file("c-1", as_of=date(2025, 6, 1))
    assert now is not None
    assert then is not None
    assert earlier is not None
    assert now.entitlements[0].amount_for("2025-07") == 1500
    assert then.entitlements[0].amount_for("2025-07") == STANDARD
    assert earlier.entitlements[0].amount_for("2025-07") == STANDARD  # not decided yet


def test_standards_are_refused_where_they_do_not_belong(log: Caselog) -> None:
    refused(
        log,
        "benefit",
        "paid once; it has no standard",
        lambda: log.set_benefit_standard(
            "medical_assistance", COUNTY, 100, from_month="2025-06", actor="chen", effective=DAY
        ),
    )
    refused(
        log,
        "actor",
        "works in 5101, not in 5102",
        lambda: log.set_benefit_standard(
            "orphan_allowance", "5102", 100, from_month="2025-06", actor="chen", effective=DAY
        ),
    )
    refused(
        log,
        "actor",
        "township_supervisor may not",
        lambda: log.set_benefit_standard(
            "orphan_allowance", COUNTY, 100, from_month="2025-06", actor="zhao", effective=DAY
        ),
    )
    refused(
        log,
        "monthly_amount",
        "above zero",
        lambda: log.set_benefit_standard(
            "orphan_allowance", COUNTY, 0, from_month="2025-06", actor="chen", effective=DAY
        ),
    )
    refused(
        log,
        "area",
        "not a registered area",
        lambda: log.set_benefit_standard(
            "orphan_allowance", "99", 100, from_month="2025-06", actor="chen", effective=DAY
        ),
    )


def test_the_review_list_names_entitlements_whose_basis_lapsed() -> None:
    with caselog.open("memory:", clock=ManualClock(datetime(2026, 1, 5, 9, tzinfo=UTC))) as log:
        build(log)
        child(log, "old", father=ParentSituation.DECEASED, mother=ParentSituation.DECEASED,
              birth_date=date(2007, 5, 1))  # fmt: skip
        approved(log, "a-old", "old", "orphan_allowance", APPROVED)
        child(log, "freed", father=ParentSituation.IMPRISONED, mother=ParentSituation.DECEASED,
              father_since=date(2022, 1, 1), father_until=date(2025, 5, 1))  # fmt: skip
        approved(log, "a-freed", "freed", "de_facto_allowance", APPROVED)
        de_facto(log, "back")
        approved(log, "a-back", "back", "de_facto_allowance", APPROVED)
        log.record_fact(ParentStatusRecorded("back", Parent.MOTHER, ParentSituation.AT_HOME),
                        actor="li", effective=date(2025, 4, 1))  # fmt: skip
        de_facto(log, "fine")
        approved(log, "a-fine", "fine", "de_facto_allowance", APPROVED)
        due = {d.entitlement_id: d for d in log.entitlements_due_for_review(on=DAY)}
        assert set(due) == {"a-old", "a-freed", "a-back"}
        assert due["a-old"].reasons == ("turned 18 on 2025-05-01",)
        assert due["a-old"].benefit == "orphan_allowance"
        assert any("father's imprisoned ended on 2025-05-01" in r for r in due["a-freed"].reasons)
        assert any("de_facto_unsupported no longer holds" in r for r in due["a-back"].reasons)
        assert log.entitlements_due_for_review(on=DAY, area=OTHER_TOWNSHIP) == []
        assert log.entitlements_due_for_review(on=date(2025, 3, 1)) == []


@pytest.mark.parametrize("area", [TOWNSHIP, PROVINCE, "51010101"])
def test_only_counties_set_standards(log: Caselog, area: str) -> None:
    refused(
        log,
        "area",
        "is not a county",
        lambda: log.set_benefit_standard(
            "orphan_allowance", area, 100, from_month="2025-06", actor="admin", effective=DAY
        ),
    )


def test_a_province_admin_sets_a_county_standard(log: Caselog) -> None:
    log.set_benefit_standard("orphan_allowance", COUNTY, 1500, from_month="2025-06",
                             actor="admin", effective=DAY)  # fmt: skip
    assert log.entitlement("a-1").amount_for("2025-06") == 1500


def test_a_failed_payment_is_not_reissued_outside_payable_months(log: Caselog) -> None:
    pay(log, "2025-05", confirm=False)
    log.fail_payment("a-1", "2025-05", reason="bank", actor="chen", effective=DAY)
    log.terminate_entitlement("a-1", TerminationReason.ADOPTED, last_month="2025-04",
                              actor="chen", effective=DAY)  # fmt: skip
    refused(
        log,
        "month",
        "does not pay 2025-05",
        lambda: log.reissue_payment("a-1", "2025-05", actor="chen", effective=DAY),
    )


def test_months_after_the_file_closed_are_not_paid(log: Caselog) -> None:
    log.record_death("c-1", actor="li", effective=date(2025, 4, 10))
    pay(log, "2025-04")  # owed for a month begun while the child lived
    refused(
        log,
        "month",
        "file was deceased on 2025-05-01",
        lambda: log.issue_payment("a-1", "2025-05", actor="chen", effective=DAY),
    )


def test_bad_arguments_are_refused_on_their_field(log: Caselog) -> None:
    refused(
        log,
        "on",
        "expected a date",
        lambda: log.entitlements_due_for_review(on=cast(Any, "2025-05-01")),
    )
    refused(
        log,
        "area",
        "not a registered area",
        lambda: log.entitlements_due_for_review(on=DAY, area="nowhere"),
    )
    refused(
        log,
        "entitlement_id",
        "not an id",
        lambda: log.issue_payment(cast(Any, ["a-1"]), "2025-03", actor="chen", effective=DAY),
    )
    refused(
        log,
        "month",
        "YYYY-MM",
        lambda: log.issue_payment("a-1", FULL_WIDTH, actor="chen", effective=DAY),
    )
    refused(log, "benefit", "is not one of", lambda: log.set_benefit_standard(
        cast(Any, ["orphan_allowance"]), COUNTY, 1, from_month="2025-06", actor="chen",
        effective=DAY))  # fmt: skip


def test_the_file_shows_entitlements_as_of_a_day_and_as_known_at_a_moment(
    log: Caselog,
) -> None:
    clock = log.clock
    assert isinstance(clock, ManualClock)
    pay(log, "2025-03", day=date(2025, 4, 2))
    before_suspension = clock()
    clock.advance(3600)
    log.suspend_entitlement("a-1", from_month="2025-05", reason="in hospital", actor="chen",
                            effective=date(2025, 4, 20))  # fmt: skip
    now = log.child_file("c-1")
    assert now is not None
    assert now.entitlements[0].status is EntitlementStatus.SUSPENDED
    known = log.child_file("c-1", known_at=before_suspension)
    assert known is not None
    assert known.entitlements[0].status is EntitlementStatus.ACTIVE
    then = log.child_file("c-1", as_of=date(2025, 4, 1))
    assert then is not None
    assert then.entitlements[0].payments == ()  # the March payment was made on 2 April
    assert then.entitlements[0].status is EntitlementStatus.ACTIVE


def test_the_review_list_passes_over_what_is_ended_or_paid_once(log: Caselog) -> None:
    log.draft_application("m-1", "c-1", "medical_assistance", amount_requested=800, actor="li",
                          effective=DAY)  # fmt: skip
    log.submit_application("m-1", actor="li", effective=DAY)
    log.verify_application("m-1", actor="zhao", effective=DAY)
    log.approve_application("m-1", actor="chen", effective=DAY)
    log.record_death("c-1", actor="li", effective=date(2025, 8, 1))
    due = log.entitlements_due_for_review(on=date(2025, 9, 1))
    assert [(d.entitlement_id, d.reasons) for d in due] == [
        ("a-1", ("the file is deceased since 2025-08-01",))
    ]  # medical assistance was paid once, in July


def test_turning_18_stops_no_payment_until_the_county_terminates() -> None:
    with caselog.open("memory:", clock=ManualClock(datetime(2026, 1, 5, 9, tzinfo=UTC))) as log:
        build(log)
        child(log, "c-9", father=ParentSituation.DECEASED, mother=ParentSituation.DECEASED,
              birth_date=date(2007, 4, 10))  # fmt: skip
        approved(log, "a-9", "c-9", "orphan_allowance", APPROVED)
        log.issue_payment("a-9", "2025-05", actor="chen", effective=DAY)  # after the birthday
        due = log.entitlements_due_for_review(on=DAY, area="51010101")  # the child's village
        assert [(d.entitlement_id, d.reasons) for d in due] == [
            ("a-9", ("turned 18 on 2025-04-10",))
        ]


def test_an_empty_last_month_is_refused(log: Caselog) -> None:
    refused(log, "last_month", "YYYY-MM", lambda: log.terminate_entitlement(
        "a-1", TerminationReason.ADOPTED, last_month="", actor="chen", effective=DAY))  # fmt: skip
