"""A programme for the benefit tests: two counties, three townships (one in another province),
a village in each, their workers, and children who qualify for one allowance or another."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from caselog import Caselog, ValidationError
from caselog.domain import AreaLevel, Parent, ParentSituation, ParentStatusRecorded, Role, Sex
from programme import build_directory

PROVINCE, COUNTY, TOWNSHIP, VILLAGE = "51", "5101", "510101", "51010101"
OTHER_TOWNSHIP, OTHER_VILLAGE = "510102", "51010201"  # same county
OTHER_COUNTY, FAR_TOWNSHIP, FAR_VILLAGE = "5102", "510201", "51020101"
ELSEWHERE, ELSEWHERE_COUNTY, ELSEWHERE_TOWNSHIP = "52", "5201", "520101"  # another province
START = date(2025, 1, 2)
STANDARD = 1332

WORKERS = [
    ("li", Role.VILLAGE_WORKER, VILLAGE),
    ("wang", Role.VILLAGE_WORKER, OTHER_VILLAGE),
    ("zhao", Role.TOWNSHIP_SUPERVISOR, TOWNSHIP),
    ("qian", Role.TOWNSHIP_SUPERVISOR, OTHER_TOWNSHIP),
    ("chen", Role.COUNTY_OFFICER, COUNTY),
    ("sun", Role.COUNTY_OFFICER, OTHER_COUNTY),
    ("wu", Role.TOWNSHIP_SUPERVISOR, FAR_TOWNSHIP),
    ("he", Role.TOWNSHIP_SUPERVISOR, ELSEWHERE_TOWNSHIP),
    ("zhou", Role.COUNTY_OFFICER, ELSEWHERE_COUNTY),
    ("audit", Role.AUDITOR, PROVINCE),
]


def build(log: Caselog) -> None:
    """Register the areas, the workers, a household in ``VILLAGE`` and the county's standard
    for both allowances."""
    build_directory(log, province=PROVINCE, county=COUNTY, township=TOWNSHIP,
                    villages=[VILLAGE], workers=[], effective=START)  # fmt: skip
    more = [
        (OTHER_TOWNSHIP, AreaLevel.TOWNSHIP, COUNTY),
        (OTHER_VILLAGE, AreaLevel.VILLAGE, OTHER_TOWNSHIP),
        (OTHER_COUNTY, AreaLevel.COUNTY, PROVINCE),
        (FAR_TOWNSHIP, AreaLevel.TOWNSHIP, OTHER_COUNTY),
        (FAR_VILLAGE, AreaLevel.VILLAGE, FAR_TOWNSHIP),
    ]
    for code, level, parent in more:
        log.register_area(code, code, level, parent=parent, actor="admin", effective=START)
    log.register_area(ELSEWHERE, ELSEWHERE, AreaLevel.PROVINCE, actor="admin", effective=START)
    log.register_worker("admin-52", "Admin", Role.ADMIN, ELSEWHERE, actor="admin", effective=START)
    log.register_area(ELSEWHERE_COUNTY, ELSEWHERE_COUNTY, AreaLevel.COUNTY, parent=ELSEWHERE,
                      actor="admin-52", effective=START)  # fmt: skip
    log.register_area(ELSEWHERE_TOWNSHIP, ELSEWHERE_TOWNSHIP, AreaLevel.TOWNSHIP,
                      parent=ELSEWHERE_COUNTY, actor="admin-52", effective=START)  # fmt: skip
    for worker, role, area in WORKERS:
        admin = "admin-52" if area.startswith(ELSEWHERE) else "admin"
        log.register_worker(worker, worker.title(), role, area, actor=admin, effective=START)
    log.register_household("h-1", VILLAGE, "Group 1", actor="li", effective=START)
    for benefit in ("orphan_allowance", "de_facto_allowance"):
        log.set_benefit_standard(benefit, COUNTY, STANDARD, from_month="2025-01", actor="chen",
                                 effective=START)  # fmt: skip


def child(
    log: Caselog,
    child_id: str,
    *,
    father: ParentSituation = ParentSituation.AT_HOME,
    mother: ParentSituation = ParentSituation.AT_HOME,
    birth_date: date = date(2015, 3, 1),
    father_until: date | None = None,
    father_since: date | None = None,
) -> None:
    """Register a child in ``h-1`` with both parents' situations."""
    log.register_child(child_id, household_id="h-1", name="王小明", sex=Sex.MALE,
                       birth_date=birth_date, actor="li", effective=START)  # fmt: skip
    log.record_fact(
        ParentStatusRecorded(child_id, Parent.FATHER, father, since=father_since,
                             until=father_until),
        actor="li", effective=START,
    )  # fmt: skip
    log.record_fact(ParentStatusRecorded(child_id, Parent.MOTHER, mother), actor="li",
                    effective=START)  # fmt: skip


def orphan(log: Caselog, child_id: str = "c-1") -> None:
    """A child whose parents have both died."""
    child(log, child_id, father=ParentSituation.DECEASED, mother=ParentSituation.DECEASED)


def de_facto(log: Caselog, child_id: str = "c-2") -> None:
    """A child whose father is in prison for years and whose mother has died."""
    child(log, child_id, father=ParentSituation.IMPRISONED, mother=ParentSituation.DECEASED,
          father_since=date(2024, 6, 1), father_until=date(2030, 6, 1))  # fmt: skip


def approved(log: Caselog, application_id: str, child_id: str, benefit: str, day: date) -> None:
    """Take an application from draft to approval, all on ``day``."""
    log.draft_application(application_id, child_id, benefit, actor="li", effective=day)
    log.submit_application(application_id, actor="li", effective=day)
    log.verify_application(application_id, actor="zhao", effective=day)
    log.approve_application(application_id, actor="chen", effective=day)


def refused(log: Caselog, field: str, match: str, step: Callable[[], Any]) -> ValidationError:
    """Run a step that must be refused on ``field``, and check that it wrote nothing."""
    before = log.store.last_event()
    with pytest.raises(ValidationError, match=match) as caught:
        step()
    assert caught.value.field == field
    assert log.store.last_event() == before
    return caught.value
