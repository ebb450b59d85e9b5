"""Commands that register: areas, workers, households, children."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import attrs

from caselog.domain import children as ch
from caselog.domain.areas import (
    AreaRegistered,
    WorkerAssigned,
    WorkerDeactivated,
    WorkerRegistered,
)
from caselog.domain.casefiles import (
    CaseFiles,
    child_stream,
    code,
    household_stream,
    id_number_stream,
)
from caselog.domain.codes import AreaLevel, FileStatus, HowFound, Role, Sex
from caselog.domain.households import (
    HouseholdEconomicStatusRecorded,
    HouseholdMember,
    HouseholdRegistered,
)
from caselog.errors import ValidationError
from caselog.events.envelope import Event, Pending
from caselog.store import NO_STREAM

__all__ = ["RegistrationCommands"]

_code = code  # register_area's parameter is called ``code``
_RELEASED = frozenset({FileStatus.CLOSED, FileStatus.DECEASED})  # files that no longer hold an ID

Effective = date | datetime


class RegistrationCommands(CaseFiles):
    """Commands that register areas, workers, households and children."""

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
        level = _code(AreaLevel, level, "level")
        directory.check_new_area(code, level, parent)
        meta = directory.authorize(actor, "register_area", area=parent)
        payload = AreaRegistered(code, name, level, parent)
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
        role = _code(Role, role, "role")
        directory.area(area, field="area")
        directory.check_level(role, area, field="area")
        if role is Role.ADMIN and directory.is_unadministered_province(area):
            # a province added by another province's admin gets its first admin from them
            meta = attrs.evolve(directory.authorize(actor, "register_area", area=None), area=area)
        else:
            meta = directory.authorize(actor, "register_worker", area=area)
        if meta.role == "bootstrap" and role is not Role.ADMIN:
            raise ValidationError("role", "the first worker registered must be an admin")
        if worker_id in directory.workers:
            raise ValidationError("worker_id", f"worker {worker_id!r} is registered already")
        payload = WorkerRegistered(worker_id, name, role, area)
        conflict = ("worker_id", f"worker {worker_id!r} is registered already")
        writes = [(f"worker:{worker_id}", [payload], NO_STREAM)]
        return self._append(writes, effective=effective, meta=meta, conflict=conflict)[0]

    def assign_worker(
        self, worker_id: str, role: Role, area: str, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Give a worker another role or area."""
        payload = WorkerAssigned(worker_id, _code(Role, role, "role"), area)
        return self._worker_change(worker_id, payload, "assign_worker", actor, effective)

    def deactivate_worker(
        self, worker_id: str, *, reason: str, actor: str, effective: Effective
    ) -> Event[Any]:
        """Stop a worker from acting; what they recorded stands."""
        return self._worker_change(worker_id, WorkerDeactivated(worker_id, reason),
                                   "deactivate_worker", actor, effective)  # fmt: skip

    def _worker_change(
        self, worker_id: str, payload: Any, command: str, actor: str, effective: Effective
    ) -> Event[Any]:
        self._check_effective(effective)
        directory = self.directory()
        worker = directory.workers.get(worker_id)
        if worker is None or not worker.is_active:
            raise ValidationError("worker_id", f"no active worker {worker_id!r}")
        if isinstance(payload, WorkerAssigned):
            directory.check_level(payload.role, payload.area, field="area")
        if directory.active_admins() == [worker_id] and getattr(payload, "role", None) != "admin":
            raise ValidationError("worker_id", "the last active admin must stay an admin")
        area = getattr(payload, "area", worker.area)
        directory.authorize(actor, command, area=worker.area)
        meta = directory.authorize(actor, command, area=area)
        stream = f"worker:{worker_id}"
        version = len(self.read_stream(stream))
        return self._append([(stream, [payload], version)], effective=effective, meta=meta)[0]

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

    def record_household_economy(
        self, status: HouseholdEconomicStatusRecorded, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Record a household's income source and band and the assistance it receives."""
        if not isinstance(status, HouseholdEconomicStatusRecorded):
            raise ValidationError(
                "status", f"expected HouseholdEconomicStatusRecorded, not {status!r}"
            )
        self._check_effective(effective)
        household = self._household(status.household_id)
        meta = self.directory().authorize(actor, "record_fact", area=household.village)
        stream = household_stream(status.household_id)
        version = len(self.read_stream(stream))
        return self._append([(stream, [status], version)], effective=effective, meta=meta)[0]

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
        self._check_birth(birth_date, effective)
        payload = ch.ChildRegistered(
            child_id, household_id, household.village, name, _code(Sex, sex, "sex"), birth_date,
            id_number, hukou_place, ethnicity, _code(HowFound, how_found, "how_found"),
        )  # fmt: skip
        opened: list[Any] = [Pending(payload, event_id=self.new_id())]
        household_events = self.read_stream(household_stream(household_id))  # its means count
        opened += self._categories(child_id, household_events, opened, effective, meta)
        writes: list[tuple[str, Sequence[Any], Any]] = [(child_stream(child_id), opened, NO_STREAM)]
        if id_number is not None:
            writes.append(self._claim(id_number, child_id))
        conflict = ("child_id", f"child {child_id!r} is registered already, or the ID number")
        return self._append(writes, effective=effective, meta=meta, conflict=conflict)

    def _claim(self, id_number: str, child_id: str) -> tuple[str, Sequence[Any], Any]:
        stream = id_number_stream(id_number)
        claims = self.read_stream(stream)
        if claims:
            holder = claims[-1].data.child_id
            file = self.child_file(holder)
            if file is not None and file.status not in _RELEASED:
                raise ValidationError(
                    "id_number", f"the ID number is registered already, to child {holder!r}"
                )
        return stream, [ch.IdNumberClaimed(child_id)], len(claims)
