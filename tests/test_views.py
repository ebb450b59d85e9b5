"""The other views: child files and visit lists, applications waiting, the payments ledger, and a
child's audit trail."""

from datetime import UTC, date, datetime

import pytest

from benefit_programme import COUNTY, STANDARD, TOWNSHIP, VILLAGE, approved, child, orphan
from caselog import Caselog, ValidationError
from caselog.domain import (
    ConcernKind,
    ConcernReported,
    Parent,
    ParentSituation,
    ParentStatusRecorded,
    TerminationReason,
    VisitCompleted,
)
from caselog.projections.files import file_rows
from caselog.testing import ManualClock

DAY = date(2025, 3, 3)


@pytest.fixture
def log(programme_log: Caselog) -> Caselog:
    return programme_log


def _now(log: Caselog, day: date) -> None:
    clock = log.clock
    assert isinstance(clock, ManualClock)
    clock.now = datetime(day.year, day.month, day.day, 18, tzinfo=UTC)


def test_child_files_rows_follow_the_file(log: Caselog) -> None:
    child(log, "c-1", father=ParentSituation.MIGRANT_WORKER, mother=ParentSituation.MIGRANT_WORKER)
    rows = file_rows(log, COUNTY, columns=("child_id", "village", "status", "categories"))
    assert rows == [("c-1", VILLAGE, "active", "left_behind/both_parents_away")]
    log.record_death("c-1", actor="li", effective=DAY)
    rows = file_rows(log, VILLAGE, columns=("child_id", "status", "next_due_by"))
    assert rows == [("c-1", "deceased", None)]


def test_visit_lists(log: Caselog) -> None:
    child(log, "seen", father=ParentSituation.MIGRANT_WORKER, mother=ParentSituation.MIGRANT_WORKER)
    child(log, "never")
    child(log, "worried")
    _now(log, DAY)
    log.record_visit(VisitCompleted("v-1", "seen"), actor="li", effective=DAY)
    concern = ConcernReported("k-1", "worried", ConcernKind.NEGLECT, "left alone")
    log.report_concern(concern, actor="li", effective=DAY)
    soon = log.visits(VILLAGE, on=date(2025, 5, 28), within=7)  # the left-behind visit: 1 June
    assert [line.child_id for line in soon.due_soon] == ["seen"]
    assert soon.due_soon[0].workers == ("li",)
    assert {line.child_id for line in soon.never_visited} == {"never", "worried"}
    assert [line.child_id for line in soon.overdue] == ["worried"]  # 7 days to follow up
    assert [line.child_id for line in soon.concerns_without_follow_up] == ["worried"]
    late = log.visits(TOWNSHIP, on=date(2025, 6, 10))
    assert {line.child_id for line in late.overdue} == {"seen", "worried"}
    assert late.by_village()[VILLAGE]["overdue"] == 2
    with pytest.raises(ValidationError, match="not a number of days"):
        log.visits(VILLAGE, on=DAY, within=-1)


def test_applications_waiting_count_working_days_against_the_limit(log: Caselog) -> None:
    orphan(log, "c-1")
    orphan(log, "c-2")
    for app, child_id in (("a-1", "c-1"), ("a-2", "c-2")):
        log.draft_application(app, child_id, "orphan_allowance", actor="li", effective=DAY)
        log.submit_application(app, actor="li", effective=DAY)
    _now(log, date(2025, 3, 10))
    log.verify_application("a-2", actor="zhao", effective=date(2025, 3, 10))
    waiting = {w.application_id: w for w in log.applications_waiting(COUNTY, on=date(2025, 4, 1))}
    assert (waiting["a-1"].level, waiting["a-1"].working_days, waiting["a-1"].limit) == (
        "township", 21, 15
    )  # fmt: skip
    assert waiting["a-1"].is_breached
    assert (waiting["a-2"].level, waiting["a-2"].working_days) == ("county", 16)
    assert waiting["a-2"].is_breached
    at_county = log.applications_waiting(TOWNSHIP, on=date(2025, 3, 12), level="county")
    assert [(w.application_id, w.working_days, w.is_breached) for w in at_county] == [
        ("a-2", 2, False)
    ]
    with pytest.raises(ValidationError, match="is a village"):
        log.applications_waiting(VILLAGE, on=DAY)


def test_the_payments_ledger(log: Caselog) -> None:
    orphan(log, "c-1")
    approved(log, "a-1", "c-1", "orphan_allowance", date(2025, 2, 3))  # pays from March
    _now(log, date(2025, 6, 2))
    log.issue_payment("a-1", "2025-03", actor="chen", effective=date(2025, 6, 2))
    log.confirm_payment("a-1", "2025-03", actor="chen", effective=date(2025, 6, 2))
    log.issue_payment("a-1", "2025-04", actor="chen", effective=date(2025, 6, 2))
    log.set_benefit_standard("orphan_allowance", COUNTY, 1500, from_month="2025-05",
                             actor="chen", effective=date(2025, 6, 2))  # fmt: skip
    ledger = log.payments_ledger(COUNTY, through="2025-06")
    lines = [(line.month, line.expected, line.issued, line.confirmed, line.arrears)
             for line in ledger.lines]  # fmt: skip
    assert lines == [
        ("2025-03", STANDARD, STANDARD, STANDARD, 0),
        ("2025-04", STANDARD, STANDARD, 0, STANDARD),
        ("2025-05", 1500, 0, 0, 1500),
        ("2025-06", 1500, 0, 0, 1500),
    ]
    assert ledger.totals()["orphan_allowance"] == {
        "expected": 2 * STANDARD + 3000, "issued": 2 * STANDARD, "confirmed": STANDARD,
        "arrears": STANDARD + 3000,
    }  # fmt: skip
    entitlement = log.entitlement("a-1")
    assert ledger.totals()["orphan_allowance"]["arrears"] == entitlement.arrears("2025-06")
    log.terminate_entitlement("a-1", TerminationReason.ADOPTED, last_month="2025-05",
                              actor="chen", effective=date(2025, 6, 2))  # fmt: skip
    assert [line.month for line in log.payments_ledger(TOWNSHIP, through="2025-12").lines] == [
        "2025-03", "2025-04", "2025-05"
    ]  # fmt: skip


def test_the_audit_trail_names_who_when_why_and_what_changed(log: Caselog) -> None:
    child(log, "c-1")
    _now(log, date(2025, 4, 1))
    file = log.child_file("c-1")
    assert file is not None
    father = file.fact_event("father")
    assert father is not None
    fixed = ParentStatusRecorded("c-1", Parent.FATHER, ParentSituation.MIGRANT_WORKER)
    log.correct("c-1", father, fixed, reason="he works in Chengdu", actor="li", effective=DAY)
    trail = log.audit_trail("c-1")
    assert trail[0].type == "household_registered"  # the household touched the file too
    registered = next(e for e in trail if e.type == "child_registered")
    assert registered.actor == "li"
    assert any(c.field == "name" and c.after == "王小明" for c in registered.changes)
    original = next(e for e in trail if e.event_id == father)
    correction = next(e for e in trail if e.type == "event_corrected")
    assert correction.fixes == father
    assert original.fixed_by == (correction.event_id,)
    assert correction.reason == "he works in Chengdu"
    assert correction.recorded > original.recorded
    assert [e.position for e in trail] == sorted(e.position for e in trail)
    later = [e for e in trail if e.position > original.position]
    assert any(c.field == "father" and c.after == fixed for e in later for c in e.changes)
    categories = [e for e in trail if e.type == "categories_recorded"]
    assert categories[-1].rule_version == log.rules.version
