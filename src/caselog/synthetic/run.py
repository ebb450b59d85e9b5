"""Generating a programme: open the store on a simulated clock, plan the story, write it."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

import caselog.log
from caselog.domain import AreaLevel, Sex
from caselog.errors import ValidationError
from caselog.log import Caselog
from caselog.synthetic import population as pop
from caselog.synthetic.areas import EXAMPLE_VILLAGE, Layout, layout
from caselog.synthetic.benefits import (
    OUTCOMES,
    Office,
    plan_application,
    plan_payments,
    plan_standards,
)
from caselog.synthetic.clock import SimulatedClock, working_time
from caselog.synthetic.ids import seeded_ids
from caselog.synthetic.plan import Plan
from caselog.synthetic.population import Child, Household, Profile
from caselog.synthetic.story import Calendar, Story, eighteenth
from caselog.synthetic.summary import DemoSummary, count_types

__all__ = ["DEFAULT_VILLAGES", "generate"]

DEFAULT_VILLAGES = 4
"""Villages in the default run: the report's village and three drawn from the seed."""
_ALLOWANCE = {Profile.ORPHAN: "orphan_allowance", Profile.DE_FACTO: "de_facto_allowance"}
_AIDED = {Profile.LEFT_BEHIND, Profile.ONE_AWAY, Profile.POVERTY, Profile.ILLNESS,
          Profile.DISABLED}  # fmt: skip
_WEIGHTS = [0.5, 0.1, 0.15, 0.1, 0.15]  # of OUTCOMES


def generate(
    url: str,
    *,
    seed: int = 1,
    villages: int = DEFAULT_VILLAGES,
    children_per_village: int | None = None,
    first_year: int = 2021,
    last_year: int = 2025,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Write a synthetic programme into the empty store at ``url`` and return its summary.

    The story runs from 1 March of ``first_year`` to 31 December of ``last_year`` on a
    simulated clock; the same arguments write the same log (event ids, times and payloads).
    The first village is :data:`EXAMPLE_VILLAGE`; the others have ``children_per_village``
    children each (by default 180 to 320, drawn from the seed). ``progress`` is called with
    (steps done, steps in all). A store that holds events already is refused.
    """
    if villages < 2:
        raise ValidationError("villages", "the demo needs the example village and one more")
    if first_year > last_year:
        raise ValidationError("first_year", f"{first_year} is after last_year {last_year}")
    calendar = Calendar(date(first_year, 3, 1), date(last_year, 12, 31))
    clock = SimulatedClock(working_time(calendar.first_day - timedelta(days=7)))
    log = caselog.log.open(url, clock=clock, ids=seeded_ids(seed))
    try:
        _refuse_non_empty(log, url)
        plan = _plan(layout(villages), calendar, seed, children_per_village)
        _write(log, clock, plan, progress)
        counts = count_types(log.store)
    finally:
        log.close()
    return DemoSummary.of(counts, first_day=calendar.first_day, last_day=calendar.last_day,
                          example_village=EXAMPLE_VILLAGE)  # fmt: skip


def _refuse_non_empty(log: Caselog, url: str) -> None:
    last = log.store.last_event()
    if last is not None:
        raise ValidationError(
            "url", f"{url!r} holds {last.position} events already; the demo writes a whole "
            "programme and needs an empty store",
        )  # fmt: skip


def _write(
    log: Caselog, clock: SimulatedClock, plan: Plan, progress: Callable[[int, int], None] | None
) -> None:
    steps = plan.ordered()
    total = len(steps)
    every = max(1, total // 200)
    for done, step in enumerate(steps, 1):
        clock.move_to(step.at)
        step.run(log)
        if progress is not None and (done % every == 0 or done == total):
            progress(done, total)


def _plan(where: Layout, calendar: Calendar, seed: int, size: int | None) -> Plan:
    plan = Plan()
    _plan_directory(plan, where, calendar.first_day - timedelta(days=7))
    for area in where.areas:
        if area.level is AreaLevel.COUNTY:
            plan_standards(plan, area.code, where.worker_of(area.code), calendar.first_day,
                           calendar.last_day)  # fmt: skip
    codes = [area.code for area in where.villages()]
    others = [(code, where.worker_of(code)) for code in codes[1:]]
    for index, code in enumerate(codes):
        rng = random.Random(f"caselog-demo:{seed}:{code}")
        office = _office(where, code)
        if index == 0:
            village = pop.example_village(code, calendar.first_day, calendar.last_day, rng)
        else:
            count = size if size is not None else rng.randint(180, 320)
            village = pop.village(code, count, calendar.first_day, rng)
        if index == 1:
            village = _with_showcase(village, calendar)
        moves = [other for other in others if other[0] != code]
        story = Story(plan, calendar, village, office.worker, rng, others=moves,
                      is_example=index == 0)  # fmt: skip
        _plan_village(story, office, rng, is_showcase=index == 1)
    return plan


def _office(where: Layout, village: str) -> Office:
    parents = {area.code: area.parent for area in where.areas}
    township = parents[village] or ""
    county = parents[township] or ""
    return Office(where.worker_of(village), where.worker_of(township), where.worker_of(county))


def _plan_directory(plan: Plan, where: Layout, day: date) -> None:
    first_admin = f"admin-{where.areas[0].code[:2]}"
    for area in where.areas:
        admin = f"admin-{area.province[:2]}"
        actor = None if admin == first_admin else first_admin
        plan.add(working_time(day), _area(area.code, area.name, area.level, area.parent,
                                          admin if area.parent else actor, day))  # fmt: skip
        if area.level is AreaLevel.PROVINCE:
            plan.add(working_time(day), _worker(admin, where, area.code, actor, day))
    for worker in where.workers:
        if worker.worker_id != f"admin-{worker.area[:2]}":
            admin = f"admin-{worker.area[:2]}"
            plan.add(working_time(day), _worker(worker.worker_id, where, worker.area, admin, day))


def _area(code: str, name: str, level: AreaLevel, parent: str | None, actor: str | None,
          day: date) -> Callable[[Caselog], object]:  # fmt: skip
    def run(log: Caselog) -> object:
        return log.register_area(code, name, level, parent=parent, actor=actor, effective=day)

    return run


def _worker(worker_id: str, where: Layout, area: str, actor: str | None,
            day: date) -> Callable[[Caselog], object]:  # fmt: skip
    found = next(w for w in where.workers if w.worker_id == worker_id)

    def run(log: Caselog) -> object:
        return log.register_worker(worker_id, found.name, found.role, area, actor=actor,
                                   effective=day)  # fmt: skip

    return run


def _with_showcase(village: pop.Village, calendar: Calendar) -> pop.Village:
    """Add the children whose benefits show every outcome, to the second village."""
    code, first = village.code, calendar.first_day
    ages = [(Profile.ORPHAN, 18 * 365 - 400), (Profile.DE_FACTO, 8 * 365),
            (Profile.LEFT_BEHIND, 9 * 365), (Profile.LEFT_BEHIND, 10 * 365),
            (Profile.POVERTY, 7 * 365)]  # fmt: skip
    households, children = list(village.households), list(village.children)
    for number, (profile, days) in enumerate(ages, 1):
        household = Household(f"{code}-s{number}", code, "Group 2",
                              is_poor=profile is Profile.POVERTY)  # fmt: skip
        households.append(household)
        children.append(Child(f"{code}-s{number}", household, "王小明", Sex.MALE,
                              first - timedelta(days=days), profile))  # fmt: skip
    return pop.Village(code, tuple(households), tuple(children))


def _births(story: Story, rng: random.Random) -> list[Child]:
    village, calendar = story.village, story.calendar
    span = (calendar.last_day - calendar.first_day).days - 150
    general = [c.household for c in village.children if c.profile is Profile.GENERAL]
    if span <= 0 or not general:
        return []
    born = []
    for number in range(len(village.children) * span // 36500):
        birth = calendar.first_day + timedelta(days=60 + rng.randrange(span))
        child_id = f"{village.code}-b{number + 1:03d}"
        born.append(Child(child_id, rng.choice(general), "婴儿", rng.choice(list(Sex)), birth,
                          Profile.GENERAL))  # fmt: skip
    return born


def _plan_village(story: Story, office: Office, rng: random.Random, *, is_showcase: bool) -> None:
    registered = story.plan_census()
    children = list(story.village.children)
    if not story.is_example:
        for child in _births(story, rng):
            registered[child.child_id] = story.plan_birth(child)
            children.append(child)
    for child in children:
        day = registered[child.child_id]
        fate = story.fate(child, day)
        story.plan_child(child, day, fate)
        if not story.is_example and fate is None:
            _plan_benefits(story, office, child, day, rng, is_showcase=is_showcase)


def _plan_benefits(story: Story, office: Office, child: Child, registered: date,
                   rng: random.Random, *, is_showcase: bool) -> None:  # fmt: skip
    showcase = is_showcase and "-s" in child.child_id
    last = story.calendar.last_day - timedelta(days=60)
    day = registered + timedelta(days=rng.randint(20, 60))
    adult = eighteenth(child.birth_date)
    application = f"app-{child.child_id}"
    if child.profile in _ALLOWANCE and day < last and day + timedelta(days=90) < adult:
        number = int(child.child_id[-1]) if showcase else 0
        outcome = "returned" if number == 2 else "approved"
        approved = plan_application(story.plan, office, application, child.child_id,
                                    _ALLOWANCE[child.profile], outcome=outcome, day=day,
                                    is_monthly=True, evidence=number == 1)  # fmt: skip
        if approved is not None:
            plan_payments(story.plan, office.officer, application, approved=approved,
                          birth=child.birth_date, last_day=story.calendar.last_day,
                          failing=2 if number == 1 else None)  # fmt: skip
        return
    if (
        child.profile not in _AIDED
        or day >= last
        or day >= eighteenth(child.birth_date) - timedelta(days=3 * 365)
    ):
        return
    if showcase:
        outcome = {"3": "rejected", "4": "failed", "5": "withdrawn"}[child.child_id[-1]]
    elif rng.random() < 0.06:
        outcome = rng.choices(OUTCOMES, _WEIGHTS)[0]
    else:
        return
    benefit = "medical_assistance" if child.profile is Profile.POVERTY else "education_aid"
    plan_application(story.plan, office, application, child.child_id, benefit, outcome=outcome,
                     day=day, is_monthly=False)  # fmt: skip
