"""Registering households and children with the facts the census forms record."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from caselog.domain import (
    CareArrangementRecorded,
    CarerRelation,
    DisabilityRecorded,
    DisabilityType,
    HealthCondition,
    HealthRecorded,
    HouseholdEconomicStatusRecorded,
    HowFound,
    IncomeSource,
    Parent,
    ParentSituation,
    ParentStatusRecorded,
)
from caselog.log import Caselog
from caselog.synthetic.population import Child, Household, Profile

__all__ = ["facts", "register_child", "register_household"]

_AWAY = ParentSituation.MIGRANT_WORKER
_HOME = ParentSituation.AT_HOME


def _parents(child: Child, census: date) -> list[Any]:
    cid = child.child_id
    match child.profile:
        case Profile.LEFT_BEHIND:
            return [ParentStatusRecorded(cid, parent, _AWAY, place="Guangdong",
                                         is_cross_county=True) for parent in Parent]  # fmt: skip
        case Profile.ONE_AWAY:
            return [
                ParentStatusRecorded(cid, Parent.FATHER, _AWAY, place="Zhejiang",
                                     is_cross_county=True),
                ParentStatusRecorded(cid, Parent.MOTHER, ParentSituation.SERIOUS_ILLNESS),
            ]  # fmt: skip
        case Profile.ORPHAN:
            return [ParentStatusRecorded(cid, p, ParentSituation.DECEASED) for p in Parent]
        case Profile.DE_FACTO:
            since, until = census - timedelta(days=400), census + timedelta(days=6 * 365)
            return [
                ParentStatusRecorded(cid, Parent.FATHER, ParentSituation.IMPRISONED,
                                     since=since, until=until),
                ParentStatusRecorded(cid, Parent.MOTHER, ParentSituation.DECEASED),
            ]  # fmt: skip
    return [ParentStatusRecorded(cid, parent, _HOME) for parent in Parent]


def facts(child: Child, census: date) -> list[Any]:
    """The facts the census records about a child, by the child's profile."""
    cid = child.child_id
    found = _parents(child, census)
    if child.profile in (Profile.LEFT_BEHIND, Profile.ONE_AWAY):
        found.append(CareArrangementRecorded(cid, CarerRelation.GRANDPARENT,
                                             has_written_notice=True))  # fmt: skip
    elif child.profile is Profile.ILLNESS:
        found.append(HealthRecorded(cid, HealthCondition.SERIOUS_ILLNESS))
    elif child.profile is Profile.LIVING_ALONE:
        found.append(CareArrangementRecorded(cid, CarerRelation.NOBODY, is_living_alone=True))
    elif child.profile is Profile.DISABLED:
        found.append(DisabilityRecorded(cid, DisabilityType.PHYSICAL, grade=2))
    elif child.profile in (Profile.ORPHAN, Profile.DE_FACTO):
        found.append(CareArrangementRecorded(cid, CarerRelation.GRANDPARENT))
    return found


def register_household(log: Caselog, household: Household, *, actor: str, day: date) -> None:
    """Register a household, and a poor one's minimum living guarantee."""
    log.register_household(household.household_id, household.village, household.address,
                           actor=actor, effective=day)  # fmt: skip
    if household.is_poor:
        economy = HouseholdEconomicStatusRecorded(
            household.household_id, IncomeSource.GOVERNMENT_ASSISTANCE,
            has_minimum_living_guarantee=True,
        )  # fmt: skip
        log.record_household_economy(economy, actor=actor, effective=day)


def register_child(
    log: Caselog, child: Child, *, actor: str, day: date, census: date, is_birth: bool = False
) -> None:
    """Open a child's file and record the census facts."""
    log.register_child(
        child.child_id, household_id=child.household.household_id, name=child.name,
        sex=child.sex, birth_date=child.birth_date, ethnicity="Han",
        how_found=HowFound.BIRTH if is_birth else HowFound.CENSUS, actor=actor, effective=day,
    )  # fmt: skip
    for fact in facts(child, census):
        log.record_fact(fact, actor=actor, effective=day)
