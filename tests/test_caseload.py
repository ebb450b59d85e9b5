"""Caseloads from the bitemporal tables: the village of the programme's report, reports run again
later, and what the query refuses."""

from datetime import UTC, date, datetime, timedelta

import pytest

from benefit_programme import COUNTY, PROVINCE, START, TOWNSHIP, VILLAGE
from caselog import Caselog, ValidationError
from caselog.domain import (
    CareArrangementRecorded,
    CarerRelation,
    DisabilityRecorded,
    DisabilityType,
    HealthCondition,
    HealthRecorded,
    HouseholdEconomicStatusRecorded,
    IncomeSource,
    Parent,
    ParentSituation,
    ParentStatusRecorded,
    Sex,
)
from caselog.testing import ManualClock

DAY = date(2025, 3, 3)


@pytest.fixture
def log(programme_log: Caselog) -> Caselog:
    return programme_log


def _register(log: Caselog, n: int, household: str, *, parents: ParentSituation) -> str:
    child_id = f"c-{n:03d}"
    birth = date(2010, 6, 1) + timedelta(days=(n * 97) % 5000)
    sex = Sex.FEMALE if n % 2 else Sex.MALE
    log.register_child(child_id, household_id=household, name=f"child {n}", sex=sex,
                       birth_date=birth, actor="li", effective=DAY)  # fmt: skip
    for parent in Parent:
        fact = ParentStatusRecorded(child_id, parent, parents)
        log.record_fact(fact, actor="li", effective=DAY)
    return child_id


def test_the_village_of_the_report(log: Caselog) -> None:
    """235 children recorded through the commands: the rules classify 38 left-behind, 7 in
    difficulty (one of them disabled) and the rest general, and the caseload says so."""
    poor = "h-poor"
    log.register_household(poor, VILLAGE, "Group 9", actor="li", effective=DAY)
    log.record_household_economy(
        HouseholdEconomicStatusRecorded(poor, IncomeSource.GOVERNMENT_ASSISTANCE,
                                        has_minimum_living_guarantee=True),
        actor="li", effective=DAY,
    )  # fmt: skip
    for n in range(1, 120):
        log.register_household(f"vh-{n}", VILLAGE, f"Group {n % 8}", actor="li", effective=DAY)
    children = []
    for n in range(235):
        household = poor if n < 3 else f"vh-{n // 2 + 1}"
        away = 3 <= n < 41
        parents = ParentSituation.MIGRANT_WORKER if away else ParentSituation.AT_HOME
        children.append(_register(log, n, household, parents=parents))
    for child_id in children[41:43]:
        fact = HealthRecorded(child_id, HealthCondition.SERIOUS_ILLNESS)
        log.record_fact(fact, actor="li", effective=DAY)
    living_alone = CareArrangementRecorded(children[43], CarerRelation.NOBODY,
                                           is_living_alone=True)  # fmt: skip
    log.record_fact(living_alone, actor="li", effective=DAY)
    log.record_fact(DisabilityRecorded(children[44], DisabilityType.PHYSICAL, grade=2),
                    actor="li", effective=DAY)  # fmt: skip
    report = log.caseload(VILLAGE, as_of=DAY)
    assert report.children == 235
    assert report.count(category="left_behind") == 38
    assert report.count(category="in_difficulty") == 7
    assert report.count(category="disabled") == 1
    assert report.count(category="general") == 235 - 38 - 7
    for area in (TOWNSHIP, COUNTY, PROVINCE):
        assert log.caseload(area, as_of=DAY).rows == report.rows
    by_subtype = log.caseload(VILLAGE, as_of=DAY, by=("category", "subtype"))
    assert by_subtype.count(category="in_difficulty", subtype="family_poverty") == 3
    assert by_subtype.count(category="in_difficulty", subtype="own_disability_or_illness") == 3
    assert by_subtype.count(category="disabled", subtype="physical") == 1
    by_sex = log.caseload(VILLAGE, as_of=DAY, by=("sex",))
    assert by_sex.count(sex="female") + by_sex.count(sex="male") == 235
    assert log.caseload(VILLAGE, as_of=date(2025, 3, 2)).children == 0  # before registration


def test_a_month_end_report_is_reproduced_after_back_dated_corrections(log: Caselog) -> None:
    """A report run at the end of March is run again in June, after corrections dated back into
    March: known at the first run, the answer is the same text; known now, it has changed."""
    clock = log.clock
    assert isinstance(clock, ManualClock)
    for n in range(6):
        away = ParentSituation.MIGRANT_WORKER if n < 3 else ParentSituation.AT_HOME
        log.register_household(f"vh-{n}", VILLAGE, "Group 1", actor="li", effective=DAY)
        _register(log, n, f"vh-{n}", parents=away)
    clock.now = datetime(2025, 4, 1, 8, tzinfo=UTC)
    month_end = date(2025, 3, 31)
    reported_at = clock()
    by = ("category", "sex", "age_band")
    first = log.caseload(COUNTY, as_of=month_end, known_at=reported_at, by=by)
    assert first.rows == log.caseload(COUNTY, as_of=month_end, by=by).rows  # now is now
    clock.advance(70 * 86400)
    file = log.child_file("c-000")
    assert file is not None
    father = file.fact_event("father")
    assert father is not None
    log.correct("c-000", father, ParentStatusRecorded("c-000", Parent.FATHER,
                ParentSituation.AT_HOME), reason="he never left", actor="li",
                effective=DAY)  # fmt: skip
    log.record_fact(ParentStatusRecorded("c-004", Parent.FATHER, ParentSituation.MIGRANT_WORKER),
                    actor="li", effective=date(2025, 3, 10))  # fmt: skip
    log.record_fact(ParentStatusRecorded("c-004", Parent.MOTHER, ParentSituation.MIGRANT_WORKER),
                    actor="li", effective=date(2025, 3, 10))  # fmt: skip
    log.record_death("c-005", actor="li", effective=date(2025, 3, 20))
    again = log.caseload(COUNTY, as_of=month_end, known_at=reported_at, by=by)
    assert again.to_csv() == first.to_csv()  # byte for byte
    now = log.caseload(COUNTY, as_of=month_end, by=("category",))
    assert now.children == 5
    assert now.count(category="left_behind") == 3  # c-000 no longer, c-004 now
    assert first.count(category="left_behind") == 3
    assert first.children == 6


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"as_of": datetime(2025, 3, 3, tzinfo=UTC)}, "as_of"),
        ({"as_of": DAY, "known_at": datetime(2025, 3, 3)}, "known_at"),
        ({"as_of": DAY, "by": ("colour",)}, "by"),
    ],
)
def test_bad_questions_are_refused(log: Caselog, arguments: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        log.caseload(VILLAGE, **arguments)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_an_unknown_area_is_refused(log: Caselog) -> None:
    with pytest.raises(ValidationError, match="not a registered area"):
        log.caseload("nowhere", as_of=START)


def test_month_by_month_additions_and_removals(log: Caselog) -> None:
    clock = log.clock
    assert isinstance(clock, ManualClock)
    for n in range(3):
        log.register_household(f"vh-{n}", VILLAGE, "Group 1", actor="li", effective=DAY)
        _register(log, n, f"vh-{n}", parents=ParentSituation.MIGRANT_WORKER)
    clock.now = datetime(2025, 5, 10, 9, tzinfo=UTC)
    log.move_child_out("c-001", actor="li", effective=date(2025, 4, 15))
    log.record_fact(ParentStatusRecorded("c-002", Parent.MOTHER, ParentSituation.AT_HOME),
                    actor="li", effective=date(2025, 5, 2))  # fmt: skip
    changes = log.caseload_changes(VILLAGE, first_month="2025-03", last_month="2025-05")
    assert [(c.month, c.children, c.added, c.removed) for c in changes] == [
        ("2025-03", 3, ("c-000", "c-001", "c-002"), ()),
        ("2025-04", 2, (), ("c-001",)),
        ("2025-05", 2, (), ()),
    ]
    left_behind = log.caseload_changes(VILLAGE, first_month="2025-05", last_month="2025-05",
                                       category="left_behind")  # fmt: skip
    assert [(c.children, c.removed) for c in left_behind] == [(1, ("c-002",))]
    with pytest.raises(ValidationError, match="YYYY-MM"):
        log.caseload_changes(VILLAGE, first_month="2025-5", last_month="2025-06")
