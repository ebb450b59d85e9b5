"""Years of a village's work: the census, visits by the visit policy (some recorded late),
concerns and their follow-ups, back-dated corrections, births, moves, closures and deaths."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import attrs

from caselog.domain import (
    AttemptFailure,
    ClosureReason,
    ConcernFollowedUp,
    ConcernKind,
    ConcernReported,
    Parent,
    ParentSituation,
    ParentStatusRecorded,
    VisitAttemptFailed,
    VisitCompleted,
    VisitMode,
)
from caselog.log import Caselog
from caselog.synthetic.census import register_child, register_household
from caselog.synthetic.clock import working_time
from caselog.synthetic.plan import Plan
from caselog.synthetic.population import Child, Household, Profile, Village

__all__ = ["Calendar", "Fate", "Story", "eighteenth"]

CENSUS_DAYS = 45
"""How long a village's census takes."""
_EVERY = {Profile.GENERAL: 365, Profile.LEFT_BEHIND: 90, Profile.ONE_AWAY: 90}
_OFTEN = 30  # children in difficulty, orphans and de-facto unsupported children
_CONCERNS = [ConcernKind.LEFT_ALONE, ConcernKind.NEGLECT, ConcernKind.SCHOOL_DROPOUT]


@attrs.frozen
class Calendar:
    """The story's first day (the census starts) and last day."""

    first_day: date
    last_day: date


@attrs.frozen
class Fate:
    """How a child's file ends in the story: ``kind`` on ``day`` (a move may lead to
    ``destination``, another village, with ``worker``)."""

    kind: str
    day: date
    destination: str | None = None
    worker: str | None = None
    arrival: date | None = None


def eighteenth(birth: date) -> date:
    """The 18th birthday of a child born on ``birth``."""
    try:
        return birth.replace(year=birth.year + 18)
    except ValueError:  # born on 29 February
        return date(birth.year + 18, 3, 1)


def _sixteenth(birth: date) -> date:
    return eighteenth(birth).replace(year=eighteenth(birth).year - 2)


class Story:
    """Plans one village's story into ``plan``; ``others`` are the villages a family can move
    to, with their workers."""

    def __init__(
        self,
        plan: Plan,
        calendar: Calendar,
        village: Village,
        worker: str,
        rng: random.Random,
        *,
        others: list[tuple[str, str]],
        is_example: bool = False,
    ) -> None:
        self.plan = plan
        self.calendar = calendar
        self.village = village
        self.worker = worker
        self.rng = rng
        self.others = others
        self.is_example = is_example

    def census_day(self, index: int) -> date:
        """The day the census reaches the ``index``-th household."""
        households = max(1, len(self.village.households))
        return self.calendar.first_day + timedelta(days=index * CENSUS_DAYS // households)

    def plan_census(self) -> dict[str, date]:
        """Plan each household's registration with its children; return each child's day."""
        by_household: dict[str, list[Child]] = {}
        for child in self.village.children:
            by_household.setdefault(child.household.household_id, []).append(child)
        registered: dict[str, date] = {}
        for index, household in enumerate(self.village.households):
            day = self.census_day(index)
            children = by_household.get(household.household_id, [])
            self.plan.add(working_time(day, index % 40 * 10), self._census(household, children,
                                                                           day))  # fmt: skip
            registered.update((child.child_id, day) for child in children)
        return registered

    def _census(self, household: Household, children: list[Child], day: date) -> Any:
        worker, census = self.worker, self.calendar.first_day

        def run(log: Caselog) -> None:
            register_household(log, household, actor=worker, day=day)
            for child in children:
                register_child(log, child, actor=worker, day=day, census=census)

        return run

    def plan_birth(self, child: Child) -> date:
        """Plan the registration of a child born during the story; return its day."""
        day = child.birth_date + timedelta(days=self.rng.randint(14, 60))
        worker, census = self.worker, self.calendar.first_day

        def run(log: Caselog) -> None:
            register_child(log, child, actor=worker, day=day, census=census, is_birth=True)

        self.plan.add(working_time(day, 30), run)
        return day

    def fate(self, child: Child, registered: date) -> Fate | None:
        """Draw how (and whether) a general child's file ends: a move, a closure or a death."""
        if self.is_example or child.profile is not Profile.GENERAL:
            return None
        draw = self.rng.random()
        span = (self.calendar.last_day - registered).days - 120
        if span < 60 or draw >= 0.02:
            return None
        day = registered + timedelta(days=60 + self.rng.randrange(span))
        if day >= eighteenth(child.birth_date):
            return None
        if draw < 0.012:
            if self.others:
                village, worker = self.rng.choice(self.others)
                arrival = day + timedelta(days=self.rng.randint(5, 30))
                return Fate("move", day, village, worker, arrival)
            return Fate("move", day)
        return Fate("death" if draw < 0.0135 else "close", day)

    def plan_child(self, child: Child, registered: date, fate: Fate | None) -> None:
        """Plan a child's visits and what happens to the file."""
        end = min(self.calendar.last_day, eighteenth(child.birth_date) - timedelta(days=1))
        worker = self.worker
        if fate is not None:
            end = min(end, fate.day - timedelta(days=1))
            self._plan_fate(child, fate, registered)
            if fate.worker is not None and fate.arrival is not None:
                until = min(self.calendar.last_day, eighteenth(child.birth_date) - timedelta(1))
                self._plan_visits(child, fate.arrival, until, fate.worker, "m")
        self._plan_visits(child, registered, end, worker, "v")
        if not self.is_example and end > registered + timedelta(days=120):
            self._plan_extras(child, registered, end)

    def _interval(self, child: Child, day: date) -> int:
        every = _EVERY.get(child.profile, _OFTEN)
        if every == 90 and day >= _sixteenth(child.birth_date):
            return 365  # no longer left-behind
        return every

    def _plan_visits(self, child: Child, start: date, end: date, worker: str, tag: str) -> None:
        last, number = start, 0
        while True:
            every = self._interval(child, last)
            day = last + timedelta(days=every - self.rng.randint(0, min(14, every // 3)))
            if day > end:
                return
            number += 1
            self._plan_visit(child, day, worker, f"{child.child_id}-{tag}{number}", end)
            last = day

    def _plan_visit(self, child: Child, day: date, worker: str, visit_id: str, end: date) -> None:
        rng = self.rng
        recorded = day
        if rng.random() < 0.08:  # written up late, back-dated to the day of the visit
            recorded = min(day + timedelta(days=rng.randint(3, 20)), end, self.calendar.last_day)
        mode = VisitMode.HOME if rng.random() < 0.85 else VisitMode.CHILDRENS_HOME
        visit = VisitCompleted(visit_id, child.child_id, mode=mode)
        if rng.random() < 0.03:
            attempt = VisitAttemptFailed(visit_id, child.child_id, AttemptFailure.NOBODY_HOME)
            self._add(recorded, worker, "record_failed_visit", attempt, day, minutes=60)
        self._add(recorded, worker, "record_visit", visit, day, minutes=300)

    def _add(
        self, recorded: date, worker: str, command: str, payload: Any, day: date, minutes: int
    ) -> None:
        def run(log: Caselog) -> Any:
            return getattr(log, command)(payload, actor=worker, effective=day)

        self.plan.add(working_time(recorded, minutes), run)

    def _plan_fate(self, child: Child, fate: Fate, registered: date) -> None:
        cid, worker, day = child.child_id, self.worker, fate.day
        run: Any
        if fate.kind == "death":

            def run(log: Caselog) -> Any:
                return log.record_death(cid, cause="accident", actor=worker, effective=day)

        elif fate.kind == "close":

            def run(log: Caselog) -> Any:
                return log.close_case(cid, ClosureReason.LEFT_PROGRAMME, actor=worker,
                                      note="the family left for the city",
                                      effective=day)  # fmt: skip

        else:

            def run(log: Caselog) -> Any:
                where = fate.destination or "Dongguan, Guangdong"
                return log.move_child_out(cid, destination=where, reason="the family moved",
                                          actor=worker, effective=day)  # fmt: skip

        self.plan.add(working_time(day, 420), run)
        if fate.destination is not None and fate.worker is not None and fate.arrival is not None:
            self._plan_move_in(child, fate.arrival, fate.destination, fate.worker)

    def _plan_move_in(self, child: Child, day: date, village: str, worker: str) -> None:
        cid = child.child_id
        household = Household(f"{village}-in-{cid}", village, "Group 1")

        def run(log: Caselog) -> Any:
            register_household(log, household, actor=worker, day=day)
            return log.move_child_in(cid, village, household_id=household.household_id,
                                     actor=worker, effective=day)  # fmt: skip

        self.plan.add(working_time(day, 60), run)

    def _plan_extras(self, child: Child, registered: date, end: date) -> None:
        """A concern with its follow-up, or a back-dated correction, for a few children."""
        rng = self.rng
        draw = rng.random()
        span = (end - registered).days - 60
        if draw < 0.02:
            self._plan_concern(child, registered + timedelta(days=30 + rng.randrange(span)), end)
        elif draw < 0.04 and child.profile is Profile.GENERAL:
            recorded = registered + timedelta(days=30 + rng.randrange(span))
            self._plan_correction(child, registered, recorded)

    def _plan_concern(self, child: Child, day: date, end: date) -> None:
        cid, worker, rng = child.child_id, self.worker, self.rng
        concern_id = f"{cid}-k{day.isoformat()}"
        kind = rng.choice(_CONCERNS)
        reported = ConcernReported(concern_id, cid, kind, "reported by a neighbour")
        self._add(day, worker, "report_concern", reported, day, minutes=200)
        seen = min(day + timedelta(days=rng.randint(1, 6)), end)
        visit = VisitCompleted(f"{concern_id}-f", cid, concern_ids=frozenset({concern_id}))
        follow = ConcernFollowedUp(concern_id, cid, "talked with the carer; a plan agreed",
                                   is_resolved=True)  # fmt: skip
        self._add(seen, worker, "record_visit", visit, seen, minutes=240)
        self._add(seen, worker, "follow_up_concern", follow, seen, minutes=250)

    def _plan_correction(self, child: Child, registered: date, recorded: date) -> None:
        cid, worker = child.child_id, self.worker
        fixed = ParentStatusRecorded(cid, Parent.FATHER, ParentSituation.MIGRANT_WORKER,
                                     place="Zhejiang", is_cross_county=True)  # fmt: skip

        def run(log: Caselog) -> Any:
            file = log.child_file(cid)
            wrong = file.fact_event("father") if file is not None else None
            if wrong is None:
                return None
            return log.correct(cid, wrong, fixed, reason="the father had left for work before "
                               "the census", actor=worker, effective=registered)  # fmt: skip

        self.plan.add(working_time(recorded, 380), run)
