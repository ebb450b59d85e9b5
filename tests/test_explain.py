"""Explaining decisions: the evidence as the decider saw it, and the question asked again."""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import attrs
import pytest

import caselog
from benefit_programme import approved, build, orphan
from caselog import Caselog
from caselog.domain import ApplicationStatus, Parent, ParentSituation, ParentStatusRecorded
from caselog.testing import ManualClock

DECIDED = date(2025, 3, 10)
DAY = 86400


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2025, 3, 10, 9, tzinfo=UTC))


@pytest.fixture
def log(clock: ManualClock) -> Iterator[Caselog]:
    with caselog.open("memory:", clock=clock) as log:
        build(log)
        orphan(log)
        approved(log, "a-1", "c-1", "orphan_allowance", DECIDED)
        clock.advance(60 * DAY)
        yield log


def _mother_event(log: Caselog) -> str:
    file = log.child_file("c-1")
    assert file is not None
    mother = file.fact_event("mother")
    assert mother is not None
    return mother


def test_each_step_shows_the_evidence_as_recorded(log: Caselog) -> None:
    explanation = log.explain_decision("a-1")
    assert [d.step for d in explanation.decisions] == [
        "application_submitted", "application_verified", "application_approved"
    ]  # fmt: skip
    approval = explanation.decisions[-1]
    seen = approval.evidence
    assert (approval.actor, approval.role) == ("chen", "county_officer")
    assert seen.qualifies
    assert [c.category for c in seen.categories] == ["orphan"]
    assert (seen.rule_set, seen.as_of) == ("national", DECIDED)
    assert seen.standard is not None
    assert seen.standard.monthly_amount == 1332
    stored = {e.event_id: e.hash for e in log.read_stream("child:c-1")}
    assert {f.kind for f in seen.facts} == {"father", "mother"}
    assert all(stored[f.event_id] == f.hash for f in seen.facts)
    assert approval.would_decide_same
    assert approval.recheck.changes == ()
    assert approval.recheck.altered_facts == ()
    assert not explanation.is_undermined


def test_a_back_dated_correction_after_approval_undermines_the_decision(
    log: Caselog, clock: ManualClock
) -> None:
    mother = _mother_event(log)
    approval_recorded = log.explain_decision("a-1").decisions[-1].recorded
    replacement = ParentStatusRecorded("c-1", Parent.MOTHER, ParentSituation.MIGRANT_WORKER)
    fix = log.correct("c-1", mother, replacement, reason="she was found working in Shenzhen",
                      actor="li", effective=date(2025, 1, 2))  # fmt: skip
    explanation = log.explain_decision("a-1")
    approval = explanation.decisions[-1]
    # the decision stands, as correctly made on what was known ...
    assert approval.evidence.qualifies
    assert log.application("a-1").status is ApplicationStatus.APPROVED
    # ... and is flagged as undermined by what became known later
    assert not approval.recheck.qualifies
    assert "orphan_allowance needs one of orphan" in approval.recheck.reason
    assert approval.is_undermined
    assert explanation.is_undermined
    corrected = [c for c in approval.recheck.changes if c.event_id == mother]
    assert len(corrected) == 1
    change = corrected[0]
    assert (change.kind, change.change) == ("mother", "corrected")
    assert change.by == next(e.event_id for e in fix if e.type == "event_corrected")
    assert change.recorded > approval_recorded
    assert "UNDERMINED" in str(explanation)
    # asked as known at the decision, the file still says what the decider saw
    then = log.child_file("c-1", as_of=DECIDED, known_at=approval_recorded)
    assert then is not None
    assert then.mother is not None
    assert then.mother.situation is ParentSituation.DECEASED


def test_a_later_correction_that_changes_nothing_that_matters_is_shown_not_flagged(
    log: Caselog,
) -> None:
    mother = _mother_event(log)
    named = ParentStatusRecorded("c-1", Parent.MOTHER, ParentSituation.DECEASED, name="李梅")
    log.correct("c-1", mother, named, reason="her name was missing", actor="li",
                effective=date(2025, 1, 2))  # fmt: skip
    approval = log.explain_decision("a-1").decisions[-1]
    assert approval.would_decide_same
    assert not approval.is_undermined
    assert [c.change for c in approval.recheck.changes] == ["corrected"]


def test_a_rejection_the_rules_would_now_support_is_not_undermined(log: Caselog) -> None:
    approved_file = log.child_file("c-1")
    assert approved_file is not None
    log.draft_application(
        "a-2", "c-1", "medical_assistance", actor="li", effective=date(2025, 5, 1)
    )
    log.submit_application("a-2", actor="li", effective=date(2025, 5, 1))
    log.verify_application("a-2", actor="zhao", effective=date(2025, 5, 2))
    log.reject_application("a-2", reason="costs covered by insurance", actor="chen",
                           effective=date(2025, 5, 3))  # fmt: skip
    rejection = log.explain_decision("a-2").decisions[-1]
    assert rejection.step == "application_rejected"
    assert rejection.reason == "costs covered by insurance"
    assert rejection.recheck.qualifies
    assert not rejection.is_positive
    assert not rejection.is_undermined


def test_a_recheck_under_other_rules_says_so(log: Caselog) -> None:
    log.rules = attrs.evolve(log.rules, version="2027.1")
    approval = log.explain_decision("a-1").decisions[-1]
    assert approval.recheck.rules == "national@2027.1"
    assert not approval.recheck.is_same_rules


def test_a_fact_of_later_the_same_day_does_not_undermine_a_decision_dated_to_the_instant(
    clock: ManualClock,
) -> None:
    morning = datetime(2025, 3, 10, 10, tzinfo=UTC)
    with caselog.open("memory:", clock=clock) as log:
        build(log)
        orphan(log)
        log.draft_application("a-1", "c-1", "orphan_allowance", actor="li", effective=DECIDED)
        log.submit_application("a-1", actor="li", effective=DECIDED)
        log.verify_application("a-1", actor="zhao", effective=DECIDED)
        clock.now = morning
        log.approve_application("a-1", actor="chen", effective=morning)
        clock.now = datetime(2025, 3, 10, 15, tzinfo=UTC)
        found = ParentStatusRecorded("c-1", Parent.MOTHER, ParentSituation.MIGRANT_WORKER)
        log.record_fact(found, actor="li", effective=clock.now)  # she turns up that afternoon
        approval = log.explain_decision("a-1").decisions[-1]
        assert approval.evidence.at == morning
        assert approval.recheck.qualifies
        assert not approval.is_undermined
