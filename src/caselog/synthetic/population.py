"""Who lives in the programme's villages: households and children, with their situations.

Each child has a profile, the situation the census finds; the rules turn the recorded facts into
categories. The example village follows the programme's report exactly; the others draw their mix
(about 15% left-behind, 3% in difficulty, under 1% disabled, a few orphans and de-facto
unsupported children, the rest general) from the seed.
"""

from __future__ import annotations

import enum
import random
from datetime import date, timedelta

import attrs

from caselog.domain import Sex

__all__ = ["Child", "Household", "Profile", "Village", "example_village", "village"]


class Profile(enum.StrEnum):
    """A child's situation at the census."""

    GENERAL = "general"
    LEFT_BEHIND = "left_behind"  # both parents away for work
    ONE_AWAY = "one_away"  # one away, the other seriously ill
    POVERTY = "poverty"
    ILLNESS = "illness"
    LIVING_ALONE = "living_alone"
    DISABLED = "disabled"
    ORPHAN = "orphan"
    DE_FACTO = "de_facto"


_MIX = [
    (Profile.LEFT_BEHIND, 0.13),
    (Profile.ONE_AWAY, 0.02),
    (Profile.POVERTY, 0.012),
    (Profile.ILLNESS, 0.008),
    (Profile.LIVING_ALONE, 0.004),
    (Profile.DISABLED, 0.005),
    (Profile.ORPHAN, 0.004),
    (Profile.DE_FACTO, 0.003),
]
_ALONE = frozenset({Profile.ILLNESS, Profile.LIVING_ALONE, Profile.DISABLED})  # one child each
_SIBLINGS = [1, 1, 1, 1, 2, 2, 2, 3]
_SURNAMES = "王李张刘陈杨黄赵吴周"
_GIVEN = ["小明", "小红", "小军", "小花", "小龙", "小燕", "小强", "小丽", "小雨", "小峰"]


@attrs.frozen
class Household:
    """A household of a village; ``is_poor`` households receive the minimum living guarantee."""

    household_id: str
    village: str
    address: str
    is_poor: bool = False


@attrs.frozen
class Child:
    """A child found by the census (or born later, on ``birth_date``)."""

    child_id: str
    household: Household
    name: str
    sex: Sex
    birth_date: date
    profile: Profile


@attrs.frozen
class Village:
    """A village's households and children."""

    code: str
    households: tuple[Household, ...]
    children: tuple[Child, ...]


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def _profile(rng: random.Random) -> Profile:
    draw = rng.random()
    for profile, share in _MIX:
        if draw < share:
            return profile
        draw -= share
    return Profile.GENERAL


def _birth(rng: random.Random, census: date, *, youngest: int = 30, oldest: int = 17 * 365) -> date:
    return census - timedelta(days=rng.randint(youngest, oldest))


def village(code: str, size: int, census: date, rng: random.Random) -> Village:
    """Draw a village of ``size`` children in households of one to three, siblings sharing
    their parents' situation."""
    households: list[Household] = []
    children: list[Child] = []
    while len(children) < size:
        profile = _profile(rng)
        number = len(households) + 1
        household = Household(f"{code}-h{number:03d}", code, f"Group {number % 9 + 1}",
                              is_poor=profile is Profile.POVERTY)  # fmt: skip
        households.append(household)
        siblings = 1 if profile in _ALONE else rng.choice(_SIBLINGS)
        for _ in range(min(siblings, size - len(children))):
            child_id = f"{code}-{len(children) + 1:04d}"
            sex = rng.choice([Sex.FEMALE, Sex.MALE])
            children.append(Child(child_id, household, _name(rng), sex, _birth(rng, census),
                                  profile))  # fmt: skip
    return Village(code, tuple(households), tuple(children))


def example_village(code: str, census: date, last_day: date, rng: random.Random) -> Village:
    """The village of the programme's report: 235 children, 38 left-behind (both parents away),
    7 in difficulty (3 in a poor household, 2 seriously ill, 1 living alone, 1 disabled) and the
    rest general, all young enough on ``last_day`` to keep their categories."""
    poor = Household(f"{code}-h-poor", code, "Group 9", is_poor=True)
    households = [poor, *(Household(f"{code}-h{n:03d}", code, f"Group {n % 8}")
                          for n in range(1, 120))]  # fmt: skip
    special = {41: Profile.ILLNESS, 42: Profile.ILLNESS, 43: Profile.LIVING_ALONE,
               44: Profile.DISABLED}  # fmt: skip
    oldest = max(30, (census - last_day).days + 16 * 365 - 30)  # under 16 on last_day
    children = []
    for n in range(235):
        household = poor if n < 3 else households[n // 2 + 1]
        if n < 3:
            profile = Profile.POVERTY
        elif n < 41:
            profile = Profile.LEFT_BEHIND
        else:
            profile = special.get(n, Profile.GENERAL)
        sex = Sex.FEMALE if n % 2 else Sex.MALE
        birth = census - timedelta(days=rng.randint(30, oldest))
        children.append(Child(f"{code}-{n + 1:04d}", household, _name(rng), sex, birth, profile))
    return Village(code, tuple(households), tuple(children))
