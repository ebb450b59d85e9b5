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

import functools
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
    VisitMode,
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

    def at(self, day: date, step: Step) -> None:
        if START <= day <= END:
            self.steps.append((day, len(self.steps), step))

    def command(self, day: date, method: str, /, *args: Any, child: str, **options: Any) -> None:
        """Plan ``log.<method>(*args, **options)`` on ``day`` by the worker of the village the
        child lives in by then."""

        def step(log: Caselog) -> Any:
            actor = village_worker(self.village[child])
            return getattr(log, method)(*args, actor=actor, effective=day, **options)

        self.at(day, step)

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
    kinds = (ParentSituation.AT_HOME, ParentSituation.MIGRANT_WORKER, ParentSituation.DECEASED,
             ParentSituation.IMPRISONED, ParentSituation.SERIOUS_ILLNESS)  # fmt: skip
    return rng.choices(kinds, weights=(50, 35, 6, 4, 5))[0]


def _family(agenda: Agenda, rng: random.Random, number: int) -> None:
    """Plan one household and its children."""
    village = VILLAGES[number % len(VILLAGES)]
    household = f"h-{number:04d}"
    opened = START + timedelta(days=rng.randrange(300))
    children = [f"c-{number:04d}-{n}" for n in range(rng.choice((1, 1, 2, 2, 3)))]
    agenda.village.update(dict.fromkeys(children, village))
    first = children[0]
    agenda.command(opened, "register_household", household, village, f"Group {number % 9}",
                   child=first)  # fmt: skip
    if rng.random() < 0.3:
        source, guaranteed = rng.choice(list(IncomeSource)), rng.random() < 0.3
        economy = HouseholdEconomicStatusRecorded(
            household, source, has_minimum_living_guarantee=guaranteed
        )
        agenda.command(opened, "record_household_economy", economy, child=first)
    for child_id in children:
        _child(agenda, rng, child_id, household, opened)


def _child(agenda: Agenda, rng: random.Random, child_id: str, household: str, day: date) -> None:
    """Plan one child's two years."""
    born = day - timedelta(days=rng.randrange(200, 17 * 365))
    father, mother = _situation(rng), _situation(rng)
    if rng.random() < 0.05:
        father = mother = ParentSituation.DECEASED
    sex = Sex.FEMALE if rng.random() < 0.48 else Sex.MALE
    stage = SchoolStage.PRIMARY if (day - born).days > 6 * 365 else SchoolStage.KINDERGARTEN
    agenda.command(day, "register_child", child_id, household_id=household, name="王小明",
                   sex=sex, birth_date=born, child=child_id)  # fmt: skip
    facts: list[Any] = [
        ParentStatusRecorded(child_id, Parent.FATHER, father),
        ParentStatusRecorded(child_id, Parent.MOTHER, mother),
        SchoolingRecorded(child_id, stage, school="Riverside Primary"),
        HealthRecorded(child_id, rng.choice(list(HealthCondition))),
    ]
    orphan = father is ParentSituation.DECEASED and mother is ParentSituation.DECEASED
    if orphan or rng.random() < 0.15:
        facts.append(CareArrangementRecorded(child_id, CarerRelation.GRANDPARENT,
                                             carer_name="王奶奶"))  # fmt: skip
    for fact in facts:
        agenda.command(day, "record_fact", fact, child=child_id)
    _visits(agenda, rng, child_id, day)
    _changes(agenda, rng, child_id, day)
    if orphan:
        _allowance(agenda, rng, child_id, day + timedelta(days=rng.randrange(5, 40)))


def _visits(agenda: Agenda, rng: random.Random, child_id: str, day: date) -> None:
    """Routine visits every one to three months; now and then a concern and its follow-up."""
    number = 0
    while (day := day + timedelta(days=rng.randrange(25, 95))) <= END:
        number += 1
        mode, notes = rng.choice(list(VisitMode)), rng.choice(NOTES)
        visit = vs.VisitCompleted(f"v-{child_id}-{number}", child_id, mode=mode, notes=notes)
        agenda.command(day, "record_visit", visit, child=child_id)
        if rng.random() < 0.08:
            _concern(agenda, rng, child_id, day, f"k-{child_id}-{number}")
        if rng.random() < 0.1:
            risk = RiskAssessed(child_id, rng.choice(list(RiskLevel)))
            agenda.command(day, "record_fact", risk, child=child_id)


def _concern(agenda: Agenda, rng: random.Random, child_id: str, day: date, concern: str) -> None:
    kind = rng.choice(list(ConcernKind))
    reported = vs.ConcernReported(concern, child_id, kind, "孩子独自在家，无人照看")  # noqa: RUF001
    agenda.command(day, "report_concern", reported, child=child_id)
    later = day + timedelta(days=rng.randrange(2, 20))
    if rng.random() < 0.5:
        visit = vs.VisitCompleted(f"v-{concern}", child_id, concern_ids=frozenset({concern}))
        agenda.command(later, "record_visit", visit, child=child_id)
    else:
        done = vs.ConcernFollowedUp(concern, child_id, "called the school", is_resolved=True)
        agenda.command(later, "follow_up_concern", done, child=child_id)


def _changes(agenda: Agenda, rng: random.Random, child_id: str, day: date) -> None:
    """Now and then: a parent comes home or leaves, a correction, a move, a closure, a death."""
    when = day + timedelta(days=rng.randrange(30, 600))
    roll = rng.random()
    if roll < 0.25:
        situation = rng.choice((ParentSituation.AT_HOME, ParentSituation.MIGRANT_WORKER))
        fact = ParentStatusRecorded(child_id, rng.choice(list(Parent)), situation)
        agenda.command(when, "record_fact", fact, child=child_id)
    elif roll < 0.30:
        agenda.at(when, lambda log: _correct_father(log, agenda, child_id, day))
    elif roll < 0.35:
        _move(agenda, rng, child_id, when)
    elif roll < 0.38:
        agenda.command(when, "close_case", child_id, ClosureReason.LEFT_PROGRAMME, child=child_id)
    elif roll < 0.385:
        agenda.command(when, "record_death", child_id, child=child_id)


def _correct_father(log: Caselog, agenda: Agenda, child_id: str, day: date) -> None:
    """The father's situation was recorded wrong at registration: corrected, back-dated."""
    file = log.child_file(child_id)
    father = None if file is None else file.fact_event("father")
    if father is not None:
        fixed = ParentStatusRecorded(child_id, Parent.FATHER, ParentSituation.MIGRANT_WORKER)
        log.correct(child_id, father, fixed, reason="he works in the city",
                    actor=village_worker(agenda.village[child_id]), effective=day)  # fmt: skip


def _move(agenda: Agenda, rng: random.Random, child_id: str, day: date) -> None:
    """The child moves to another village of the county; its worker takes the file a week on."""
    village = agenda.village[child_id]
    target = rng.choice([v for v in VILLAGES if v[:4] == village[:4] and v != village])
    arrived = day + timedelta(days=7)

    def move_in(log: Caselog) -> None:
        log.move_child_in(child_id, target, actor=village_worker(target), effective=arrived)
        agenda.village[child_id] = target

    agenda.command(day, "move_child_out", child_id, destination=target, child=child_id)
    agenda.at(arrived, move_in)


def _allowance(agenda: Agenda, rng: random.Random, child_id: str, day: date) -> None:
    """Apply for the orphan allowance, approve it, then issue and confirm it month by month."""
    application = f"a-{child_id}"
    village = agenda.village[child_id]

    def apply(log: Caselog) -> None:
        log.draft_application(application, child_id, "orphan_allowance",
                              actor=village_worker(village), effective=day)  # fmt: skip
        log.submit_application(application, actor=village_worker(village), effective=day)
        log.verify_application(application, actor=f"ts-{village[:6]}", effective=day)
        log.approve_application(application, actor=f"co-{village[:4]}", effective=day)

    agenda.at(day, apply)
    for month in _months(day):
        paid = date.fromisoformat(f"{month}-10")
        agenda.at(paid, functools.partial(_pay, application=application, month=month,
                                          village=village, day=paid))  # fmt: skip


def _months(day: date) -> Iterator[str]:
    year, month = day.year, day.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        if date(year, month, 1) > END:
            return
        yield f"{year}-{month:02d}"


def _pay(log: Caselog, *, application: str, month: str, village: str, day: date) -> None:
    actor = f"co-{village[:4]}"
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
