"""A small programme recorded through caselog's commands, whose events the rebuild benchmark
copies: the template families.

One province, 4 counties, 3 townships each, 4 villages each, a worker per area; the two
allowances' standards in every county; then ``families`` households with one to three children
each, whose lives unfold over two years (2024-2025) on a simulated clock: registration with the
parents' situations, schooling and health, routine visits every one to three months, concerns
and their follow-up, risk assessments, parents coming home or leaving, moves to another village,
closures, deaths, corrections, and for orphans an allowance applied for, approved and paid month
by month. Every step goes through the command API, so it is checked and classified as in real
use; a step the commands refuse (a visit after a death, say) is skipped.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import caselog
from caselog import Caselog, ValidationError
from caselog.domain import (
    AreaLevel,
    CareArrangementRecorded,
    CarerRelation,
    ClosureReason,
    ConcernKind,
    HealthCondition,
    HealthRecorded,
    HouseholdEconomicStatusRecorded,
    IncomeSource,
    Parent,
    ParentSituation,
    ParentStatusRecorded,
    RiskAssessed,
    RiskLevel,
    Role,
    SchoolingRecorded,
    SchoolStage,
    Sex,
)
from caselog.domain import visits as vs
from caselog.testing import ManualClock

PROVINCE = "51"
COUNTIES = tuple(f"{PROVINCE}{c:02d}" for c in range(1, 5))
TOWNSHIPS = tuple(f"{county}{t:02d}" for county in COUNTIES for t in range(1, 4))
VILLAGES = tuple(f"{township}{v:02d}" for township in TOWNSHIPS for v in range(1, 5))
START = date(2024, 1, 2)
END = date(2025, 12, 31)
STANDARD = {"orphan_allowance": 1332, "de_facto_allowance": 1174}
NOTES = (
    "家访：孩子状态良好，学校出勤正常，需跟进营养和睡眠情况。",  # noqa: RUF001
    "Home visit: child settled, attending school; grandmother managing well.",
    "与学校老师沟通，孩子最近情绪波动较大，建议安排心理辅导。",  # noqa: RUF001
    None,
)

Step = Callable[[Caselog], Any]


def village_worker(village: str) -> str:
    return f"vw-{village}"


def township_of(village: str) -> str:
    return village[:6]


def county_of(area: str) -> str:
    return area[:4]


def build_directory(log: Caselog) -> None:
    """The area tree, its workers and the allowances' standards, all on ``START``."""
    day = START
    log.register_area(PROVINCE, "Province", AreaLevel.PROVINCE, actor=None, effective=day)
    log.register_worker("admin", "Admin", Role.ADMIN, PROVINCE, actor=None, effective=day)
    levels = [(COUNTIES, AreaLevel.COUNTY, Role.COUNTY_OFFICER, "co"),
              (TOWNSHIPS, AreaLevel.TOWNSHIP, Role.TOWNSHIP_SUPERVISOR, "ts"),
              (VILLAGES, AreaLevel.VILLAGE, Role.VILLAGE_WORKER, "vw")]  # fmt: skip
    for codes, level, role, prefix in levels:
        for code in codes:
            parent = code[:-2]
            log.register_area(code, f"Area {code}", level, parent=parent, actor="admin",
                              effective=day)  # fmt: skip
            log.register_worker(f"{prefix}-{code}", f"Worker {code}", role, code, actor="admin",
                                effective=day)  # fmt: skip
    for county in COUNTIES:
        for benefit, amount in STANDARD.items():
            log.set_benefit_standard(benefit, county, amount, from_month="2015-01",
                                     actor=f"co-{county}", effective=day)  # fmt: skip


@dataclass
class Agenda:
    """Steps by day; each runs with the clock at 09:00 UTC that day."""

    steps: list[tuple[date, int, Step]] = field(default_factory=list)
    village: dict[str, str] = field(default_factory=dict)  # each child's village, as it moves

    def worker(self, child_id: str) -> str:
        """The worker of the child's village when a step runs."""
        return village_worker(self.village[child_id])

    def at(self, day: date, step: Step) -> None:
        if START <= day <= END:
            self.steps.append((day, len(self.steps), step))

    def run(self, log: Caselog, clock: ManualClock) -> int:
        """Run every step in day order; return how many the commands refused."""
        refused = 0
        for day, _, step in sorted(self.steps, key=lambda item: item[:2]):
            clock.now = max(clock.now, datetime(day.year, day.month, day.day, 9, tzinfo=UTC))
            try:
                step(log)
            except ValidationError:
                refused += 1
        return refused


def _situation(rng: random.Random) -> ParentSituation:
    return rng.choices(
        (ParentSituation.AT_HOME, ParentSituation.MIGRANT_WORKER, ParentSituation.DECEASED,
         ParentSituation.IMPRISONED, ParentSituation.SERIOUS_ILLNESS),
        weights=(50, 35, 6, 4, 5),
    )[0]  # fmt: skip


def _family(agenda: Agenda, rng: random.Random, number: int) -> None:
    """Plan one household and its children."""
    village = VILLAGES[number % len(VILLAGES)]
    worker = village_worker(village)
    household = f"h-{number:04d}"
    opened = START + timedelta(days=rng.randrange(300))

    def register(log: Caselog) -> None:
        log.register_household(household, village, f"Group {number % 9}", actor=worker,
                               effective=opened)  # fmt: skip

    agenda.at(opened, register)
    if rng.random() < 0.3:
        source = rng.choice(list(IncomeSource))
        economy = HouseholdEconomicStatusRecorded(household, source,
                                                  has_minimum_living_guarantee=rng.random() < 0.3)  # fmt: skip
        agenda.at(opened, lambda log: log.record_household_economy(economy, actor=worker,
                                                                   effective=opened))  # fmt: skip
    for n in range(rng.choice((1, 1, 2, 2, 3))):
        _child(agenda, rng, f"c-{number:04d}-{n}", household, village, opened)


def _child(
    agenda: Agenda, rng: random.Random, child_id: str, household: str, village: str, day: date
) -> None:
    """Plan one child's two years."""
    worker = village_worker(village)
    born = day - timedelta(days=rng.randrange(200, 17 * 365))
    agenda.village[child_id] = village
    father, mother = _situation(rng), _situation(rng)
    if rng.random() < 0.05:
        father = mother = ParentSituation.DECEASED
    orphan = father is ParentSituation.DECEASED and mother is ParentSituation.DECEASED

    def register(log: Caselog) -> None:
        sex = Sex.FEMALE if rng.random() < 0.48 else Sex.MALE
        log.register_child(child_id, household_id=household, name="王小明", sex=sex,
                           birth_date=born, actor=worker, effective=day)  # fmt: skip
        for parent, situation in ((Parent.FATHER, father), (Parent.MOTHER, mother)):
            fact = ParentStatusRecorded(child_id, parent, situation)
            log.record_fact(fact, actor=worker, effective=day)
        stage = SchoolStage.PRIMARY if (day - born).days > 6 * 365 else SchoolStage.KINDERGARTEN
        log.record_fact(SchoolingRecorded(child_id, stage, school="Riverside Primary"),
                        actor=worker, effective=day)  # fmt: skip
        log.record_fact(HealthRecorded(child_id, rng.choice(list(HealthCondition))),
                        actor=worker, effective=day)  # fmt: skip

    agenda.at(day, register)
    if orphan or rng.random() < 0.15:
        care = CareArrangementRecorded(child_id, CarerRelation.GRANDPARENT, carer_name="王奶奶")
        agenda.at(day, lambda log: log.record_fact(care, actor=worker, effective=day))
    _visits(agenda, rng, child_id, day)
    _changes(agenda, rng, child_id, day)
    if orphan:
        _allowance(agenda, rng, child_id, village, day + timedelta(days=rng.randrange(5, 40)))


def _visits(agenda: Agenda, rng: random.Random, child_id: str, day: date) -> None:
    """Routine visits every one to three months; now and then a concern and its follow-up."""
    number = 0
    while (day := day + timedelta(days=rng.randrange(25, 95))) <= END:
        number += 1
        visit = vs.VisitCompleted(f"v-{child_id}-{number}", child_id,
                                  mode=rng.choice(list(vs.VisitMode)), notes=rng.choice(NOTES))  # fmt: skip
        agenda.at(day, lambda log, v=visit, d=day: log.record_visit(
            v, actor=agenda.worker(child_id), effective=d))  # fmt: skip
        if rng.random() < 0.08:
            _concern(agenda, rng, child_id, day, number)
        if rng.random() < 0.1:
            risk = RiskAssessed(child_id, rng.choice(list(RiskLevel)))
            agenda.at(day, lambda log, r=risk, d=day: log.record_fact(
                r, actor=agenda.worker(child_id), effective=d))  # fmt: skip


def _concern(agenda: Agenda, rng: random.Random, child_id: str, day: date, number: int) -> None:
    concern_id = f"k-{child_id}-{number}"
    kind = rng.choice(list(ConcernKind))
    reported = vs.ConcernReported(concern_id, child_id, kind, "孩子独自在家，无人照看")  # noqa: RUF001
    agenda.at(day, lambda log: log.report_concern(reported, actor=agenda.worker(child_id),
                                                  effective=day))  # fmt: skip
    later = day + timedelta(days=rng.randrange(2, 20))
    if rng.random() < 0.5:
        visit = vs.VisitCompleted(f"v-{concern_id}", child_id, concern_ids=frozenset({concern_id}))
        agenda.at(later, lambda log: log.record_visit(visit, actor=agenda.worker(child_id),
                                                      effective=later))  # fmt: skip
    else:
        done = vs.ConcernFollowedUp(concern_id, child_id, "called the school", is_resolved=True)
        agenda.at(later, lambda log: log.follow_up_concern(done, actor=agenda.worker(child_id),
                                                           effective=later))  # fmt: skip


def _changes(agenda: Agenda, rng: random.Random, child_id: str, day: date) -> None:
    """Now and then: a parent comes home or leaves, a correction, a move, a closure, a death."""
    when = day + timedelta(days=rng.randrange(30, 600))
    roll = rng.random()
    worker = agenda.worker
    if roll < 0.25:
        situation = rng.choice((ParentSituation.AT_HOME, ParentSituation.MIGRANT_WORKER))
        fact = ParentStatusRecorded(child_id, rng.choice(list(Parent)), situation)
        agenda.at(when, lambda log: log.record_fact(fact, actor=worker(child_id), effective=when))
    elif roll < 0.30:
        agenda.at(when, lambda log: _correct_father(log, child_id, worker(child_id), day))
    elif roll < 0.35:
        _move(agenda, rng, child_id, when)
    elif roll < 0.38:
        agenda.at(when, lambda log: log.close_case(child_id, ClosureReason.LEFT_PROGRAMME,
                                                   actor=worker(child_id), effective=when))  # fmt: skip
    elif roll < 0.385:
        agenda.at(when, lambda log: log.record_death(child_id, actor=worker(child_id),
                                                     effective=when))  # fmt: skip


def _correct_father(log: Caselog, child_id: str, worker: str, day: date) -> None:
    """The father's situation was recorded wrong at registration: back-dated to it."""
    file = log.child_file(child_id)
    father = None if file is None else file.fact_event("father")
    if father is not None:
        fixed = ParentStatusRecorded(child_id, Parent.FATHER, ParentSituation.MIGRANT_WORKER)
        log.correct(child_id, father, fixed, reason="he works in the city", actor=worker,
                    effective=day)  # fmt: skip


def _move(agenda: Agenda, rng: random.Random, child_id: str, day: date) -> None:
    """The child moves to another village of the county; its worker takes the file a week on."""
    village = agenda.village[child_id]
    others = [v for v in VILLAGES if county_of(v) == county_of(village) and v != village]
    target = rng.choice(others)

    def move_in(log: Caselog) -> None:
        log.move_child_in(child_id, target, actor=village_worker(target), effective=arrived)
        agenda.village[child_id] = target

    agenda.at(day, lambda log: log.move_child_out(child_id, destination=target,
                                                  actor=agenda.worker(child_id), effective=day))  # fmt: skip
    arrived = day + timedelta(days=7)
    agenda.at(arrived, move_in)


def _allowance(agenda: Agenda, rng: random.Random, child_id: str, village: str, day: date) -> None:
    """Apply for the orphan allowance, approve it, then issue and confirm it month by month."""
    application = f"a-{child_id}"
    worker, township = village_worker(village), township_of(village)
    county = f"co-{county_of(village)}"

    def apply(log: Caselog) -> None:
        log.draft_application(application, child_id, "orphan_allowance", actor=worker,
                              effective=day)  # fmt: skip
        log.submit_application(application, actor=worker, effective=day)
        log.verify_application(application, actor=f"ts-{township}", effective=day)
        log.approve_application(application, actor=county, effective=day)

    agenda.at(day, apply)
    for month in _months(day):
        paid = date.fromisoformat(f"{month}-10")
        agenda.at(paid, lambda log, m=month, d=paid: _pay(log, application, m, county, d))


def _months(day: date) -> Iterator[str]:
    year, month = day.year, day.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        if date(year, month, 1) > END:
            return
        yield f"{year}-{month:02d}"


def _pay(log: Caselog, application: str, month: str, actor: str, day: date) -> None:
    log.issue_payment(application, month, actor=actor, effective=day)
    log.confirm_payment(application, month, actor=actor, effective=day)


def seed(path: str, families: int, *, seed: int = 20240102) -> tuple[Caselog, int]:
    """Record the programme into a new store at ``path``; return the log and the number of
    steps the commands refused."""
    clock = ManualClock(datetime(START.year, START.month, START.day, 8, tzinfo=UTC))
    log = caselog.open(caselog.SQLiteStore(path, clock=clock, durability="normal"), clock=clock)
    build_directory(log)
    rng = random.Random(seed)
    agenda = Agenda()
    for number in range(families):
        _family(agenda, rng, number)
    return log, agenda.run(log, clock)
