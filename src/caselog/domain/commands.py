"""The command API of the case file: one method per command, mixed into :class:`caselog.Caselog`.

Every command takes the acting worker (``actor``) and the ``effective`` date, checks itself against
the current file and the directory, appends with optimistic concurrency, and returns the recorded
events. A refused command raises :class:`~caselog.ValidationError` naming the field and writes
nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from caselog.domain import children as ch
from caselog.domain import lifecycle as lc
from caselog.domain import visits as vs
from caselog.domain.areas import AreaRegistered, WorkerRegistered
from caselog.domain.casefiles import (
    CaseFiles,
    child_stream,
    household_stream,
    id_number_stream,
)
from caselog.domain.codes import AreaLevel, ClosureReason, FileStatus, HowFound, Role, Sex
from caselog.domain.corrections import EventCorrected, EventVoided
from caselog.domain.file import age_on
from caselog.domain.households import HouseholdMember, HouseholdRegistered
from caselog.errors import ValidationError
from caselog.events.envelope import Event, Pending
from caselog.store import NO_STREAM

__all__ = ["CaseFileCommands"]

Effective = date | datetime


class CaseFileCommands(CaseFiles):
    """Commands on areas, workers, households and children's files."""

    def register_area(
        self,
        code: str,
        name: str,
        level: AreaLevel,
        *,
        parent: str | None = None,
        actor: str | None,
        effective: Effective,
    ) -> Event[Any]:
        """Add an area under its parent (a province has none)."""
        self._check_effective(effective)
        directory = self.directory()
        directory.check_new_area(code, AreaLevel(level), parent)
        meta = directory.authorize(actor, "register_area", area=parent)
        payload = AreaRegistered(code, name, AreaLevel(level), parent)
        conflict = ("code", f"area {code!r} is registered already")
        writes = [(f"area:{code}", [payload], NO_STREAM)]
        return self._append(writes, effective=effective, meta=meta, conflict=conflict)[0]

    def register_worker(
        self,
        worker_id: str,
        name: str,
        role: Role,
        area: str,
        *,
        actor: str | None,
        effective: Effective,
    ) -> Event[Any]:
        """Register a worker with a role in an area; the first admin may register itself."""
        self._check_effective(effective)
        directory = self.directory()
        directory.area(area, field="area")
        meta = directory.authorize(actor, "register_worker", area=area)
        if worker_id in directory.workers:
            raise ValidationError("worker_id", f"worker {worker_id!r} is registered already")
        payload = WorkerRegistered(worker_id, name, Role(role), area)
        conflict = ("worker_id", f"worker {worker_id!r} is registered already")
        writes = [(f"worker:{worker_id}", [payload], NO_STREAM)]
        return self._append(writes, effective=effective, meta=meta, conflict=conflict)[0]

    def register_household(
        self,
        household_id: str,
        village: str,
        address: str,
        *,
        members: Sequence[HouseholdMember] = (),
        phone: str | None = None,
        actor: str,
        effective: Effective,
    ) -> Event[Any]:
        """Register a household in a village."""
        self._check_effective(effective)
        directory = self.directory()
        if directory.area(village, field="village").level is not AreaLevel.VILLAGE:
            raise ValidationError("village", f"{village!r} is not a village")
        meta = directory.authorize(actor, "register_household", area=village)
        payload = HouseholdRegistered(household_id, village, address, tuple(members), phone)
        conflict = ("household_id", f"household {household_id!r} is registered already")
        writes = [(household_stream(household_id), [payload], NO_STREAM)]
        return self._append(writes, effective=effective, meta=meta, conflict=conflict)[0]

    def register_child(
        self,
        child_id: str,
        *,
        household_id: str,
        name: str,
        sex: Sex,
        birth_date: date,
        id_number: str | None = None,
        hukou_place: str | None = None,
        ethnicity: str | None = None,
        how_found: HowFound = HowFound.CENSUS,
        actor: str,
        effective: Effective,
    ) -> list[Event[Any]]:
        """Open a child's file in a registered household."""
        self._check_effective(effective)
        household = self._household(household_id)
        meta = self.directory().authorize(actor, "register_child", area=household.village)
        day = effective.date() if isinstance(effective, datetime) else effective
        if birth_date > day:
            raise ValidationError("birth_date", f"{birth_date} is after the registration date")
        if age_on(birth_date, day) >= 18:
            raise ValidationError("birth_date", f"{birth_date} is 18 years or more before {day}")
        payload = ch.ChildRegistered(
            child_id, household_id, household.village, name, Sex(sex), birth_date,
            id_number, hukou_place, ethnicity, HowFound(how_found),
        )  # fmt: skip
        writes: list[tuple[str, Sequence[Any], Any]] = [
            (child_stream(child_id), [payload], NO_STREAM)
        ]
        if id_number is not None:
            writes.append(self._claim(id_number, child_id))
        conflict = ("child_id", f"child {child_id!r} is registered already, or the ID number")
        return self._append(writes, effective=effective, meta=meta, conflict=conflict)

    def _household(self, household_id: str) -> HouseholdRegistered:
        events = self.read_stream(household_stream(household_id), last=1)
        if not events:
            raise ValidationError("household_id", f"no household {household_id!r} is registered")
        registered: HouseholdRegistered = events[0].data
        return registered

    def _claim(self, id_number: str, child_id: str) -> tuple[str, Sequence[Any], Any]:
        stream = id_number_stream(id_number)
        claims = self.read_stream(stream)
        if claims:
            holder = claims[-1].data.child_id
            file = self.child_file(holder)
            if file is not None and file.status is FileStatus.ACTIVE:
                raise ValidationError(
                    "id_number", f"the ID number is registered already, to child {holder!r}"
                )
        return stream, [ch.IdNumberClaimed(child_id)], len(claims)

    def _record(
        self,
        child_id: str,
        payloads: Sequence[Any],
        *,
        command: str,
        actor: str,
        effective: Effective,
        is_correction: bool = False,
    ) -> list[Event[Any]]:
        """Append facts to an open file after the checks every command on a child shares."""
        file = self._open_file(child_id, effective, is_correction=is_correction)
        meta = self.directory().authorize(actor, command, area=file.village)
        writes = [(child_stream(child_id), payloads, file.version)]
        return self._append(writes, effective=effective, meta=meta)

    def record_fact(
        self, child_id: str, fact: Any, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Record a fact about the child: a parent, care, schooling, health, disability, needs,
        risk."""
        if not isinstance(fact, _FACTS) or fact.child_id != child_id:
            raise ValidationError("fact", f"{fact!r} is not a fact about child {child_id!r}")
        return self._record(
            child_id, [fact], command="record_fact", actor=actor, effective=effective
        )[0]

    def schedule_visit(
        self, visit: vs.VisitScheduled, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Schedule a visit; an earlier schedule stays until it is completed or cancelled."""
        return self._record(
            visit.child_id, [visit], command="schedule_visit", actor=actor, effective=effective
        )[0]

    def record_visit(
        self, visit: vs.VisitCompleted, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Record a visit that took place on ``effective``."""
        return self._record(
            visit.child_id, [visit], command="record_visit", actor=actor, effective=effective
        )[0]

    def report_concern(
        self, concern: vs.ConcernReported, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Report a concern about the child; a follow-up visit falls due within 7 days."""
        return self._record(
            concern.child_id, [concern], command="report_concern", actor=actor, effective=effective
        )[0]

    def close_case(
        self,
        child_id: str,
        reason: ClosureReason,
        *,
        note: str | None = None,
        actor: str,
        effective: Effective,
    ) -> Event[Any]:
        """Close the child's file (it can be reopened)."""
        payload = lc.CaseClosed(child_id, ClosureReason(reason), note)
        return self._record(
            child_id, [payload], command="close_case", actor=actor, effective=effective
        )[0]

    def reopen_case(
        self, child_id: str, reason: str, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Make a closed file active again."""
        file = self._open_file(child_id, effective, is_correction=True)
        if file.status is not FileStatus.CLOSED:
            raise ValidationError("child_id", f"the file is {file.status}, not closed")
        meta = self.directory().authorize(actor, "reopen_case", area=file.village)
        writes = [(child_stream(child_id), [lc.CaseReopened(child_id, reason)], file.version)]
        return self._append(writes, effective=effective, meta=meta)[0]

    def record_death(
        self, child_id: str, *, cause: str | None = None, actor: str, effective: Effective
    ) -> Event[Any]:
        """Record that the child died on ``effective``; the file is closed for good."""
        payload = lc.ChildDied(child_id, cause)
        return self._record(
            child_id, [payload], command="record_death", actor=actor, effective=effective
        )[0]

    def void(
        self, child_id: str, event_id: str, *, reason: str, actor: str, effective: Effective
    ) -> Event[Any]:
        """Declare that an event of the child's file never held."""
        self._check_target(child_id, event_id)
        payload = EventVoided(event_id, reason)
        return self._record(
            child_id, [payload], command="correct", actor=actor, effective=effective,
            is_correction=True,
        )[0]  # fmt: skip

    def correct(
        self,
        child_id: str,
        event_id: str,
        replacement: Any,
        *,
        reason: str,
        actor: str,
        effective: Effective,
    ) -> list[Event[Any]]:
        """Replace an event of the child's file by a corrected one, effective on ``effective``."""
        self._check_target(child_id, event_id)
        if getattr(replacement, "child_id", child_id) != child_id:
            raise ValidationError("replacement", f"{replacement!r} is not about child {child_id!r}")
        fixed_id = str(uuid.uuid4())
        events = [
            Pending(replacement, event_id=fixed_id),
            EventCorrected(event_id, fixed_id, reason),
        ]
        return self._record(
            child_id, events, command="correct", actor=actor, effective=effective,
            is_correction=True,
        )  # fmt: skip

    def _check_target(self, child_id: str, event_id: str) -> None:
        ids = {event.event_id for event in self.read_stream(child_stream(child_id))}
        if event_id not in ids:
            raise ValidationError("event_id", f"{event_id!r} is not an event of child {child_id!r}")


_FACTS = (
    ch.ParentStatusRecorded,
    ch.CareArrangementRecorded,
    ch.SchoolingRecorded,
    ch.HealthRecorded,
    ch.DisabilityRecorded,
    ch.NeedsAssessed,
    ch.RiskAssessed,
)
