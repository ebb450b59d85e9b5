"""Applications: every path from draft to a final state, and every step refused without writing."""

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, cast

import pytest

import caselog
from benefit_programme import (
    ELSEWHERE_COUNTY,
    ELSEWHERE_TOWNSHIP,
    FAR_TOWNSHIP,
    OTHER_TOWNSHIP,
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
    ApplicationStatus,
    EntitlementStatus,
    Parent,
    ParentSituation,
    ParentStatusRecorded,
    TerminationReason,
)
from caselog.domain.applications import ApplicationApproved, ApplicationSubmitted
from caselog.domain.rules import load_rule_set
from caselog.testing import ManualClock

DAY = date(2025, 3, 10)


@pytest.fixture
def log() -> Iterator[Caselog]:
    with caselog.open("memory:", clock=ManualClock(datetime(2025, 6, 1, 9, tzinfo=UTC))) as log:
        build(log)
        orphan(log)
        yield log


def submitted(log: Caselog, application_id: str = "a-1", benefit: str = "orphan_allowance",
              child_id: str = "c-1") -> None:  # fmt: skip
    log.draft_application(application_id, child_id, benefit, actor="li", effective=DAY)
    log.submit_application(application_id, actor="li", effective=DAY)


def status(log: Caselog, application_id: str = "a-1") -> ApplicationStatus:
    return log.application(application_id).status


# -- the paths


def test_draft_submit_verify_approve_starts_the_entitlement_the_month_after(log: Caselog) -> None:
    log.draft_application("a-1", "c-1", "orphan_allowance", actor="li", effective=DAY)
    assert status(log) is ApplicationStatus.DRAFT
    log.submit_application("a-1", actor="li", effective=DAY)
    app = log.application("a-1")
    assert (app.status, app.township, app.level(log.rules)) == (
        ApplicationStatus.SUBMITTED, TOWNSHIP, "township"
    )  # fmt: skip
    log.verify_application("a-1", actor="zhao", effective=date(2025, 3, 20))
    assert (status(log), log.application("a-1").level(log.rules)) == (
        ApplicationStatus.VERIFIED, "county"
    )  # fmt: skip
    approval, started = log.approve_application("a-1", actor="chen", effective=date(2025, 3, 31))
    assert status(log) is ApplicationStatus.APPROVED
    assert isinstance(approval.data, ApplicationApproved)
    assert (approval.data.first_month, approval.data.amount) == ("2025-04", STANDARD)
    assert started.data.approval == approval.event_id
    assert started.data.area == TOWNSHIP
    entitlement = log.entitlement("a-1")
    assert (entitlement.first_month, entitlement.amount, entitlement.status) == (
        "2025-04", STANDARD, EntitlementStatus.ACTIVE
    )  # fmt: skip


def test_evidence_is_requested_and_supplied_at_the_township(log: Caselog) -> None:
    submitted(log)
    log.request_evidence("a-1", "death certificates", actor="zhao", effective=DAY)
    assert status(log) is ApplicationStatus.EVIDENCE_REQUESTED
    assert log.application("a-1").open_request == "death certificates"
    log.supply_evidence("a-1", "both certificates", actor="li", effective=date(2025, 3, 12))
    app = log.application("a-1")
    assert (app.status, app.open_request, app.waiting_since) == (
        ApplicationStatus.SUBMITTED, None, date(2025, 3, 12)
    )  # fmt: skip
    log.verify_application("a-1", actor="zhao", effective=date(2025, 3, 13))
    refused(log, "application_id", "the county decides: return it", lambda: log.request_evidence(
        "a-1", "household register", actor="chen", effective=date(2025, 3, 14)))  # fmt: skip
    log.return_application("a-1", reason="the household register is missing", actor="chen",
                           effective=date(2025, 3, 14))  # fmt: skip
    log.request_evidence("a-1", "household register", actor="zhao", effective=date(2025, 3, 14))
    log.supply_evidence("a-1", "the register", actor="li", effective=date(2025, 3, 15))
    assert status(log) is ApplicationStatus.RETURNED  # back where the request found it
    log.verify_application("a-1", actor="zhao", effective=date(2025, 3, 16))
    log.approve_application("a-1", actor="chen", effective=date(2025, 3, 16))
    assert status(log) is ApplicationStatus.APPROVED


def test_returned_application_is_verified_again_before_approval(log: Caselog) -> None:
    submitted(log)
    log.verify_application("a-1", actor="zhao", effective=DAY)
    log.return_application("a-1", reason="the guardian's signature is missing", actor="chen",
                           effective=DAY)  # fmt: skip
    app = log.application("a-1")
    assert (app.status, app.level(log.rules)) == (ApplicationStatus.RETURNED, "township")
    refused(log, "application_id", "county decides only after the township verified",
            lambda: log.approve_application("a-1", actor="chen", effective=DAY))  # fmt: skip
    log.verify_application("a-1", actor="zhao", effective=DAY)
    log.approve_application("a-1", actor="chen", effective=DAY)
    assert status(log) is ApplicationStatus.APPROVED


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (lambda log: log.reject_application("a-1", reason="assets found", actor="chen",
                                            effective=DAY), ApplicationStatus.REJECTED),
        (lambda log: log.withdraw_application("a-1", reason="family moved", actor="li",
                                              effective=DAY), ApplicationStatus.WITHDRAWN),
    ],
    ids=["rejected", "withdrawn"],
)  # fmt: skip
def test_a_verified_application_ends(
    log: Caselog, end: Callable[[Caselog], Any], expected: ApplicationStatus
) -> None:
    submitted(log)
    log.verify_application("a-1", actor="zhao", effective=DAY)
    end(log)
    app = log.application("a-1")
    assert (app.status, app.decided_on) == (expected, DAY)


def test_verification_fails_at_the_township(log: Caselog) -> None:
    submitted(log)
    log.fail_verification("a-1", reason="the mother is alive", actor="zhao", effective=DAY)
    assert status(log) is ApplicationStatus.FAILED


_STAGES: dict[str, list[Callable[[Caselog], Any]]] = {
    "draft": [],
    "submitted": [lambda log: log.submit_application("a-1", actor="li", effective=DAY)],
    "evidence_requested": [
        lambda log: log.submit_application("a-1", actor="li", effective=DAY),
        lambda log: log.request_evidence("a-1", "more", actor="zhao", effective=DAY),
    ],
    "verified": [
        lambda log: log.submit_application("a-1", actor="li", effective=DAY),
        lambda log: log.verify_application("a-1", actor="zhao", effective=DAY),
    ],
    "returned": [
        lambda log: log.submit_application("a-1", actor="li", effective=DAY),
        lambda log: log.verify_application("a-1", actor="zhao", effective=DAY),
        lambda log: log.return_application("a-1", reason="unsigned", actor="chen", effective=DAY),
    ],
}


@pytest.mark.parametrize("stage", sorted(_STAGES))
def test_withdrawn_from_every_non_final_state(log: Caselog, stage: str) -> None:
    log.draft_application("a-1", "c-1", "orphan_allowance", actor="li", effective=DAY)
    for step in _STAGES[stage]:
        step(log)
    assert status(log).value == stage
    log.withdraw_application("a-1", actor="zhao", effective=DAY)
    assert status(log) is ApplicationStatus.WITHDRAWN


def test_an_application_lodged_in_another_province_is_forwarded(log: Caselog) -> None:
    log.draft_application("a-1", "c-1", "orphan_allowance", actor="li", effective=DAY)
    log.submit_application("a-1", township=ELSEWHERE_TOWNSHIP, actor="li", effective=DAY)
    assert log.application("a-1").township == ELSEWHERE_TOWNSHIP
    refused(log, "actor", "works in 510101, not in 520101",
            lambda: log.forward_application("a-1", TOWNSHIP, reason="x", actor="zhao",
                                            effective=DAY))  # fmt: skip
    log.forward_application("a-1", TOWNSHIP, reason="the child lives in 510101", actor="he",
                            effective=DAY)  # fmt: skip
    assert log.application("a-1").township == TOWNSHIP
    refused(log, "actor", "works in 520101",
            lambda: log.verify_application("a-1", actor="he", effective=DAY))  # fmt: skip
    log.verify_application("a-1", actor="zhao", effective=DAY)
    log.approve_application("a-1", actor="chen", effective=DAY)
    assert log.entitlement("a-1").area == TOWNSHIP


def test_the_county_where_it_is_lodged_decides(log: Caselog) -> None:
    log.set_benefit_standard("orphan_allowance", ELSEWHERE_COUNTY, 1174, from_month="2025-01",
                             actor="zhou", effective=DAY)  # fmt: skip
    log.draft_application("a-1", "c-1", "orphan_allowance", actor="li", effective=DAY)
    log.submit_application("a-1", township=ELSEWHERE_TOWNSHIP, actor="li", effective=DAY)
    log.verify_application("a-1", actor="he", effective=DAY)
    refused(log, "actor", "not in 520101",
            lambda: log.approve_application("a-1", actor="chen", effective=DAY))  # fmt: skip
    log.approve_application("a-1", actor="zhou", effective=DAY)
    assert (log.entitlement("a-1").area, log.entitlement("a-1").amount) == (
        ELSEWHERE_TOWNSHIP, 1174
    )  # fmt: skip


def test_a_one_level_benefit_is_decided_by_the_township_and_paid_once(log: Caselog) -> None:
    log.draft_application("a-1", "c-1", "temporary_assistance", amount_requested=800, actor="li",
                          effective=DAY)  # fmt: skip
    log.submit_application("a-1", actor="li", effective=DAY)
    refused(log, "actor", "may not approve at the township",
            lambda: log.approve_application("a-1", actor="chen", effective=DAY))  # fmt: skip
    refused(
        log,
        "application_id",
        "no level below",
        lambda: log.return_application("a-1", reason="x", actor="zhao", effective=DAY),
    )
    refused(log, "application_id", "which decides",
            lambda: log.verify_application("a-1", actor="zhao", effective=DAY))  # fmt: skip
    log.approve_application("a-1", amount=500, actor="zhao", effective=DAY)
    entitlement = log.entitlement("a-1")
    assert (entitlement.first_month, entitlement.last_month, entitlement.amount) == (
        "2025-04", "2025-04", 500
    )  # fmt: skip


def test_submission_is_refused_with_the_rules_reason_unless_a_supervisor_excepts_it(
    log: Caselog,
) -> None:
    child(log, "c-9")  # both parents at home: general
    log.draft_application("a-9", "c-9", "orphan_allowance", actor="li", effective=DAY)
    error = refused(log, "benefit", "orphan_allowance needs one of orphan: both parents",
                    lambda: log.submit_application("a-9", actor="li", effective=DAY))  # fmt: skip
    assert "find general" in error.reason
    refused(
        log,
        "exception",
        "only a township supervisor",
        lambda: log.submit_application("a-9", exception="fire", actor="li", effective=DAY),
    )
    refused(
        log,
        "exception",
        "written reason",
        lambda: log.submit_application("a-9", exception=" ", actor="zhao", effective=DAY),
    )
    event = log.submit_application("a-9", exception="the parents vanished after a flood",
                                   actor="zhao", effective=DAY)  # fmt: skip
    assert isinstance(event.data, ApplicationSubmitted)
    assert event.data.exception == "the parents vanished after a flood"
    assert not event.data.evidence.qualifies
    log.verify_application("a-9", actor="zhao", effective=DAY)  # the exception carries it
    assert log.application("a-9").exception == "the parents vanished after a flood"


def test_one_child_cannot_hold_both_allowances(log: Caselog) -> None:
    de_facto(log, "c-2")
    approved(log, "a-2", "c-2", "de_facto_allowance", date(2025, 2, 3))
    log.record_fact(ParentStatusRecorded("c-2", Parent.FATHER, ParentSituation.DECEASED),
                    actor="li", effective=date(2025, 3, 1))  # fmt: skip
    submitted(log, "a-3", child_id="c-2")
    log.verify_application("a-3", actor="zhao", effective=DAY)
    refused(log, "benefit", "cannot hold orphan_allowance with it",
            lambda: log.approve_application("a-3", actor="chen", effective=DAY))  # fmt: skip
    log.terminate_entitlement("a-2", TerminationReason.RECLASSIFIED, last_month="2025-03",
                              actor="chen", effective=DAY)  # fmt: skip
    log.approve_application("a-3", actor="chen", effective=DAY)
    assert log.entitlement("a-3").first_month == "2025-04"


def test_the_child_file_shows_applications_and_entitlements(log: Caselog) -> None:
    approved(log, "a-1", "c-1", "orphan_allowance", date(2025, 2, 3))
    log.issue_payment("a-1", "2025-03", actor="chen", effective=DAY)
    log.confirm_payment("a-1", "2025-03", actor="chen", effective=DAY)
    file = log.child_file("c-1")
    assert file is not None
    assert [(a.application_id, a.status) for a in file.applications] == [
        ("a-1", ApplicationStatus.APPROVED)
    ]
    assert [(e.entitlement_id, e.last_paid_month) for e in file.entitlements] == [
        ("a-1", "2025-03")
    ]
    before = log.child_file("c-1", as_of=date(2025, 2, 1))
    assert before is not None
    assert before.applications == ()
    assert before.entitlements == ()


def test_time_limits_count_working_days(log: Caselog) -> None:
    submitted(log)  # Monday 10 March 2025; 15 working days at the township
    app = log.application("a-1")
    assert app.due_by(log.rules) == date(2025, 3, 31)
    assert app.working_days_waiting(date(2025, 3, 17), log.rules) == 5
    log.verify_application("a-1", actor="zhao", effective=date(2025, 3, 14))
    assert log.application("a-1").due_by(log.rules) == date(2025, 4, 4)


# -- refusals


def test_drafts_are_refused(log: Caselog) -> None:
    refused(
        log,
        "benefit",
        "'housing' is not one of",
        lambda: log.draft_application("a-1", "c-1", "housing", actor="li", effective=DAY),
    )
    refused(log, "actor", "works in 51010201",
            lambda: log.draft_application("a-1", "c-1", "orphan_allowance", actor="wang",
                                          effective=DAY))  # fmt: skip
    refused(log, "actor", "auditor may not",
            lambda: log.draft_application("a-1", "c-1", "orphan_allowance", actor="audit",
                                          effective=DAY))  # fmt: skip
    refused(log, "actor", "county_officer may not",
            lambda: log.draft_application("a-1", "c-1", "orphan_allowance", actor="chen",
                                          effective=DAY))  # fmt: skip
    refused(log, "child_id", "no child",
            lambda: log.draft_application("a-1", "c-404", "orphan_allowance", actor="li",
                                          effective=DAY))  # fmt: skip
    log.draft_application("a-1", "c-1", "orphan_allowance", actor="li", effective=DAY)
    refused(log, "benefit", "'a-1' for orphan_allowance is open",
            lambda: log.draft_application("a-2", "c-1", "orphan_allowance", actor="li",
                                          effective=DAY))  # fmt: skip
    refused(log, "application_id", "is taken",
            lambda: log.draft_application("a-1", "c-1", "medical_assistance", actor="li",
                                          effective=DAY))  # fmt: skip
    refused(
        log,
        "effective",
        "before the last step",
        lambda: log.submit_application("a-1", actor="li", effective=date(2025, 3, 9)),
    )


def test_steps_at_the_township_are_the_township_supervisors(log: Caselog) -> None:
    submitted(log)
    for actor, match in [
        ("li", "village_worker may not"),
        ("qian", "works in 510102"),
        ("audit", "auditor may not"),
        ("chen", "county_officer may not verify at the township"),
    ]:
        refused(
            log,
            "actor",
            match,
            partial(log.verify_application, "a-1", actor=actor, effective=DAY),
        )
        refused(
            log,
            "actor",
            match.replace("verify", "ask"),
            partial(log.request_evidence, "a-1", "x", actor=actor, effective=DAY),
        )
    refused(
        log,
        "application_id",
        "county decides only after the township verified",
        lambda: log.approve_application("a-1", actor="chen", effective=DAY),
    )
    refused(
        log,
        "application_id",
        "county decides only after",
        lambda: log.reject_application("a-1", reason="no", actor="chen", effective=DAY),
    )
    refused(
        log,
        "reason",
        "written reason",
        lambda: log.fail_verification("a-1", reason="", actor="zhao", effective=DAY),
    )
    refused(
        log,
        "request",
        "written reason",
        lambda: log.request_evidence("a-1", " ", actor="zhao", effective=DAY),
    )
    refused(
        log,
        "application_id",
        "a submitted application is not submitted",
        lambda: log.submit_application("a-1", actor="li", effective=DAY),
    )
    refused(
        log,
        "application_id",
        "not supplied with evidence",
        lambda: log.supply_evidence("a-1", "x", actor="li", effective=DAY),
    )
    refused(
        log,
        "township",
        "at 510101 already",
        lambda: log.forward_application("a-1", TOWNSHIP, reason="x", actor="zhao", effective=DAY),
    )
    refused(
        log,
        "actor",
        "village_worker may not",
        lambda: log.forward_application(
            "a-1", OTHER_TOWNSHIP, reason="x", actor="li", effective=DAY
        ),
    )
    log.request_evidence("a-1", "certificates", actor="zhao", effective=DAY)
    refused(
        log,
        "application_id",
        "evidence_requested application is not verified",
        lambda: log.verify_application("a-1", actor="zhao", effective=DAY),
    )
    refused(
        log,
        "actor",
        "works in 51010201",
        lambda: log.supply_evidence("a-1", "x", actor="wang", effective=DAY),
    )
    refused(
        log,
        "actor",
        "works in 51010201",
        lambda: log.withdraw_application("a-1", actor="wang", effective=DAY),
    )
    log.supply_evidence("a-1", "the certificates", actor="li", effective=DAY)
    log.verify_application("a-1", actor="zhao", effective=DAY)
    refused(log, "application_id", "a verified application is not forwarded",
            lambda: log.forward_application("a-1", OTHER_TOWNSHIP, reason="x", actor="zhao",
                                            effective=DAY))  # fmt: skip


def test_steps_at_the_county_are_the_county_officers(log: Caselog) -> None:
    submitted(log)
    log.verify_application("a-1", actor="zhao", effective=DAY)
    for actor, match in [("zhao", "township_supervisor may not approve at the county"),
                         ("sun", "works in 5102, not in 510101"), ("li", "village_worker"),
                         ("audit", "auditor may not")]:  # fmt: skip
        refused(
            log,
            "actor",
            match,
            partial(log.approve_application, "a-1", actor=actor, effective=DAY),
        )
    refused(
        log,
        "application_id",
        "the county decides: reject it",
        lambda: log.fail_verification("a-1", reason="x", actor="chen", effective=DAY),
    )
    refused(
        log,
        "application_id",
        "which decides",
        lambda: log.verify_application("a-1", actor="chen", effective=DAY),
    )
    for step in (log.reject_application, log.return_application):
        refused(
            log,
            "reason",
            "written reason",
            partial(step, "a-1", reason=" ", actor="chen", effective=DAY),
        )


def test_nothing_follows_a_final_state(log: Caselog) -> None:
    submitted(log)
    log.verify_application("a-1", actor="zhao", effective=DAY)
    log.reject_application("a-1", reason="income above the line", actor="chen", effective=DAY)
    for step in (
        lambda: log.approve_application("a-1", actor="chen", effective=DAY),
        lambda: log.withdraw_application("a-1", actor="li", effective=DAY),
        lambda: log.request_evidence("a-1", "x", actor="chen", effective=DAY),
        lambda: log.return_application("a-1", reason="x", actor="chen", effective=DAY),
    ):
        refused(log, "application_id", "rejected on 2025-03-10: nothing follows", step)
    log.draft_application("a-2", "c-1", "orphan_allowance", actor="li", effective=DAY)  # anew


def test_a_benefit_paid_once_needs_an_amount(log: Caselog) -> None:
    log.draft_application("a-1", "c-1", "medical_assistance", actor="li", effective=DAY)
    log.submit_application("a-1", actor="li", effective=DAY)
    log.verify_application("a-1", actor="zhao", effective=DAY)
    refused(
        log,
        "amount",
        "paid once: give the amount",
        lambda: log.approve_application("a-1", actor="chen", effective=DAY),
    )
    refused(
        log,
        "amount",
        "above zero",
        lambda: log.approve_application("a-1", amount=-5, actor="chen", effective=DAY),
    )


def test_approval_is_refused_without_a_standard_in_the_county(log: Caselog) -> None:
    log.draft_application("a-1", "c-1", "orphan_allowance", actor="li", effective=DAY)
    log.submit_application("a-1", township=FAR_TOWNSHIP, actor="li", effective=DAY)
    log.verify_application("a-1", actor="wu", effective=DAY)
    refused(
        log,
        "benefit",
        "no standard for orphan_allowance is set in 5102 for 2025-04",
        lambda: log.approve_application("a-1", actor="sun", effective=DAY),
    )


def test_approval_is_refused_when_the_rules_no_longer_support_it(log: Caselog) -> None:
    submitted(log)
    log.verify_application("a-1", actor="zhao", effective=DAY)
    mother = log.child_file("c-1").fact_event("mother")  # type: ignore[union-attr]
    assert mother is not None
    log.correct("c-1", mother, ParentStatusRecorded("c-1", Parent.MOTHER,
                ParentSituation.MIGRANT_WORKER), reason="she was found working in Shenzhen",
                actor="li", effective=date(2025, 1, 2))  # fmt: skip
    refused(
        log,
        "benefit",
        "orphan_allowance needs one of orphan",
        lambda: log.approve_application("a-1", actor="chen", effective=DAY),
    )
    log.reject_application("a-1", reason="the mother is alive", actor="chen", effective=DAY)


def test_an_exception_is_a_supervisors_and_only_where_the_rules_call_for_one(
    log: Caselog,
) -> None:
    log.draft_application("a-1", "c-1", "orphan_allowance", actor="li", effective=DAY)
    refused(
        log,
        "exception",
        "only a township supervisor",
        lambda: log.submit_application("a-1", exception="x", actor="li", effective=DAY),
    )
    refused(
        log,
        "exception",
        "no exception is needed: on 2025-03-10 the rules",
        lambda: log.submit_application("a-1", exception="x", actor="zhao", effective=DAY),
    )


def test_submission_asks_the_rules_about_its_own_date(log: Caselog) -> None:
    log.record_fact(ParentStatusRecorded("c-1", Parent.MOTHER, ParentSituation.MIGRANT_WORKER),
                    actor="li", effective=date(2025, 4, 1))  # fmt: skip
    log.draft_application("a-1", "c-1", "orphan_allowance", actor="li", effective=DAY)
    event = log.submit_application("a-1", actor="li", effective=DAY)  # an orphan on 10 March
    assert isinstance(event.data, ApplicationSubmitted)
    assert event.data.evidence.qualifies
    assert [c.category for c in event.data.evidence.categories] == ["orphan"]


def test_no_positive_step_after_the_child_died(log: Caselog) -> None:
    submitted(log)
    log.record_death("c-1", actor="li", effective=date(2025, 3, 12))
    refused(
        log,
        "effective",
        "file was deceased",
        lambda: log.verify_application("a-1", actor="zhao", effective=date(2025, 3, 13)),
    )
    log.fail_verification("a-1", reason="the child died", actor="zhao",
                          effective=date(2025, 3, 13))  # fmt: skip


def test_exclusions_hold_whichever_benefit_names_them() -> None:
    rules = load_rule_set('extends = "national"\n[benefits.de_facto_allowance]\nexcludes = []\n')
    with caselog.open("memory:", clock=ManualClock(datetime(2025, 6, 1, 9, tzinfo=UTC)),
                      rules=rules) as log:  # fmt: skip
        build(log)
        de_facto(log, "c-2")
        log.record_fact(ParentStatusRecorded("c-2", Parent.FATHER, ParentSituation.DECEASED),
                        actor="li", effective=date(2025, 2, 1))  # fmt: skip
        approved(log, "a-1", "c-2", "orphan_allowance", date(2025, 2, 3))
        log.record_fact(ParentStatusRecorded("c-2", Parent.FATHER, ParentSituation.IMPRISONED,
                                             until=date(2030, 1, 1)), actor="li",
                        effective=date(2025, 3, 1))  # fmt: skip
        submitted(log, "a-2", "de_facto_allowance", "c-2")
        log.verify_application("a-2", actor="zhao", effective=DAY)
        refused(
            log,
            "benefit",
            "cannot hold de_facto_allowance with it",
            lambda: log.approve_application("a-2", actor="chen", effective=DAY),
        )


def test_a_monthly_allowance_takes_no_amount(log: Caselog) -> None:
    submitted(log)
    log.verify_application("a-1", actor="zhao", effective=DAY)
    refused(
        log,
        "amount",
        "paid at the county's standard",
        lambda: log.approve_application("a-1", amount=5000, actor="chen", effective=DAY),
    )


@pytest.mark.parametrize(
    ("value", "field", "reason"),
    [(["orphan_allowance"], "benefit", "is not one of"),
     ("x" * 151, "application_id", "not an id"), ("a\n1", "application_id", "not an id"),
     (7, "application_id", "not an id")],
)  # fmt: skip
def test_bad_arguments_are_refused_on_their_field(
    log: Caselog, value: Any, field: str, reason: str
) -> None:
    application_id, benefit = ("a-1", value) if field == "benefit" else (value, "orphan_allowance")
    refused(
        log,
        field,
        reason,
        lambda: log.draft_application(application_id, "c-1", benefit, actor="li", effective=DAY),
    )
    if field == "benefit":
        log.draft_application("a-1", "c-1", "orphan_allowance", actor="li", effective=DAY)
        refused(
            log,
            "township",
            "not a registered area",
            lambda: log.submit_application(
                "a-1", township=cast(Any, [TOWNSHIP]), actor="li", effective=DAY
            ),
        )


def test_approvals_in_one_county_do_not_wait_for_each_other(log: Caselog) -> None:
    """Two officers approve for two children at once: neither is refused."""
    de_facto(log, "c-2")
    submitted(log, "a-1")
    submitted(log, "a-2", "de_facto_allowance", "c-2")
    for app in ("a-1", "a-2"):
        log.verify_application(app, actor="zhao", effective=DAY)
    other = caselog.Caselog(log.store, clock=log.clock)  # another officer, same store
    check = log._exclusive

    def check_then_other(*args: Any) -> None:
        check(*args)
        if other.application("a-2").status is not ApplicationStatus.APPROVED:
            other.approve_application("a-2", actor="chen", effective=DAY)

    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(log, "_exclusive", check_then_other)
    try:
        log.approve_application("a-1", actor="chen", effective=DAY)
    finally:
        monkeypatch.undo()
    assert {status(log, "a-1"), status(log, "a-2")} == {ApplicationStatus.APPROVED}


def test_a_second_grant_paid_once_is_approved_in_the_same_month(log: Caselog) -> None:
    for app in ("m-1", "m-2"):
        log.draft_application(app, "c-1", "medical_assistance", amount_requested=500,
                              actor="li", effective=DAY)  # fmt: skip
        log.submit_application(app, actor="li", effective=DAY)
        log.verify_application(app, actor="zhao", effective=DAY)
        log.approve_application(app, actor="chen", effective=DAY)
    assert [log.entitlement(app).first_month for app in ("m-1", "m-2")] == ["2025-04"] * 2


def test_more_bad_arguments_are_refused_on_their_field(log: Caselog) -> None:
    refused(log, "application_id", "not an id", lambda: log.draft_application(
        "a\ud800", "c-1", "orphan_allowance", actor="li", effective=DAY))  # fmt: skip
    refused(log, "child_id", "not an id", lambda: log.draft_application(
        "a-1", "c\udfff", "orphan_allowance", actor="li", effective=DAY))  # fmt: skip
    refused(log, "application_id", "not an id", lambda: log.application("a\udfff"))
    refused(log, "actor", "not an active worker", lambda: log.draft_application(
        "a-1", "c-1", "orphan_allowance", actor=cast(Any, ["li"]), effective=DAY))  # fmt: skip
    refused(
        log,
        "amount_requested",
        "paid at the county's standard",
        lambda: log.draft_application(
            "a-1", "c-1", "orphan_allowance", amount_requested=99999, actor="li", effective=DAY
        ),
    )


def test_a_draft_racing_another_change_is_not_reported_as_a_taken_id(
    log: Caselog, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = caselog.Caselog(log.store, clock=log.clock)
    check = log._check_order

    def check_then_race(*args: Any) -> None:
        check(*args)
        if not other.read_stream("benefits:c-1"):
            other.draft_application("a-9", "c-1", "medical_assistance", actor="li",
                                    effective=DAY)  # fmt: skip

    monkeypatch.setattr(log, "_check_order", check_then_race)
    with pytest.raises(caselog.ConcurrencyError):
        log.draft_application("a-1", "c-1", "orphan_allowance", actor="li", effective=DAY)


def test_forwarded_while_evidence_is_requested_and_decided_alone_after_evidence(
    log: Caselog,
) -> None:
    log.draft_application("a-1", "c-1", "temporary_assistance", amount_requested=300, actor="li",
                          effective=DAY)  # fmt: skip
    log.submit_application("a-1", township=OTHER_TOWNSHIP, actor="li", effective=DAY)
    log.request_evidence("a-1", "a receipt", actor="qian", effective=DAY)
    log.forward_application("a-1", TOWNSHIP, reason="wrong township", actor="qian", effective=DAY)
    app = log.application("a-1")
    assert (app.township, app.status) == (TOWNSHIP, ApplicationStatus.EVIDENCE_REQUESTED)
    log.supply_evidence("a-1", "the receipt", actor="li", effective=DAY)
    log.approve_application("a-1", actor="zhao", effective=DAY)
    assert log.entitlement("a-1").amount == 300
