"""The directory: the area tree and the workers, folded from their events, and who may do what.

A worker acts in an area: a village worker in a village, a township supervisor in a township, and so
on. A command is allowed when the worker is active, the worker's role may issue it, and the place it
concerns lies within the worker's area.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from caselog.domain.areas import AreaRegistered, WorkerAssigned, WorkerDeactivated, WorkerRegistered
from caselog.domain.codes import AreaLevel, Role
from caselog.errors import ValidationError
from caselog.events.envelope import Event, Metadata

__all__ = ["PERMISSIONS", "Area", "Directory", "Worker"]

_FIELD_WORK = frozenset({Role.VILLAGE_WORKER, Role.TOWNSHIP_SUPERVISOR})
PERMISSIONS: Mapping[str, frozenset[Role]] = {
    "register_area": frozenset({Role.ADMIN}),
    "register_worker": frozenset({Role.ADMIN}),
    "assign_worker": frozenset({Role.ADMIN}),
    "deactivate_worker": frozenset({Role.ADMIN}),
    "register_household": _FIELD_WORK,
    "register_child": _FIELD_WORK,
    "record_fact": _FIELD_WORK,
    "schedule_visit": _FIELD_WORK,
    "record_visit": _FIELD_WORK,
    "report_concern": _FIELD_WORK | {Role.COUNTY_OFFICER},
    "close_case": _FIELD_WORK,
    "reopen_case": _FIELD_WORK,
    "record_death": _FIELD_WORK,
    "move_child": _FIELD_WORK,
    "correct": _FIELD_WORK,
    "reclassify": _FIELD_WORK | {Role.ADMIN},
    "confirm_categories": frozenset({Role.TOWNSHIP_SUPERVISOR}),
    "draft_application": _FIELD_WORK,
    "submit_application": _FIELD_WORK,
    "supply_evidence": _FIELD_WORK,
    "withdraw_application": _FIELD_WORK,
    "review_application": frozenset({Role.TOWNSHIP_SUPERVISOR, Role.COUNTY_OFFICER}),
    "manage_entitlement": frozenset({Role.COUNTY_OFFICER}),
    "set_benefit_standard": frozenset({Role.COUNTY_OFFICER, Role.ADMIN}),
}
"""Which roles may issue each kind of command; auditors issue none."""

_ROLE_LEVEL = {
    Role.VILLAGE_WORKER: AreaLevel.VILLAGE,
    Role.TOWNSHIP_SUPERVISOR: AreaLevel.TOWNSHIP,
    Role.COUNTY_OFFICER: AreaLevel.COUNTY,
}

_CHILD_LEVEL = {
    AreaLevel.PROVINCE: None,
    AreaLevel.COUNTY: AreaLevel.PROVINCE,
    AreaLevel.TOWNSHIP: AreaLevel.COUNTY,
    AreaLevel.VILLAGE: AreaLevel.TOWNSHIP,
}


@attrs.frozen
class Area:
    """A place in the tree."""

    code: str
    name: str
    level: AreaLevel
    parent: str | None


@attrs.frozen
class Worker:
    """A worker as the directory knows them now."""

    worker_id: str
    role: Role
    area: str
    is_active: bool = True


@attrs.define
class Directory:
    """Areas and workers as of the last event applied."""

    areas: dict[str, Area] = attrs.Factory(dict)
    workers: dict[str, Worker] = attrs.Factory(dict)
    position: int = 0
    _above: dict[str, Mapping[str, str]] = attrs.field(factory=dict, init=False, eq=False,
                                                       repr=False)  # fmt: skip

    def apply(self, event: Event[Any]) -> None:
        """Take one directory event into account."""
        data = event.data
        if isinstance(data, AreaRegistered):
            self.areas[data.code] = Area(data.code, data.name, data.level, data.parent)
            self._above.clear()
        elif isinstance(data, WorkerRegistered):
            self.workers[data.worker_id] = Worker(data.worker_id, data.role, data.area)
        elif isinstance(data, WorkerAssigned):
            self.workers[data.worker_id] = attrs.evolve(
                self.workers[data.worker_id], role=data.role, area=data.area
            )
        elif isinstance(data, WorkerDeactivated):
            self.workers[data.worker_id] = attrs.evolve(
                self.workers[data.worker_id], is_active=False
            )
        self.position = event.position

    def lineage(self, code: str) -> Iterator[str]:
        """Yield the area and each area above it, up to the root."""
        seen: set[str] = set()
        current: str | None = code
        while current is not None and current not in seen:
            seen.add(current)
            yield current
            area = self.areas.get(current)
            current = area.parent if area else None

    def levels(self, code: str) -> Mapping[str, str]:
        """The area ``code`` and those above it, by level name (``village``, ``township``, ...);
        worked out once per area (projections ask for every row they write)."""
        found = self._above.get(code)
        if found is None:
            above: dict[str, str] = {}
            for place in self.lineage(code):
                area = self.areas.get(place)
                if area is not None:
                    above[area.level.value] = place
            found = self._above[code] = MappingProxyType(above)
        return found

    def is_within(self, code: str, ancestor: str) -> bool:
        """Say whether area ``code`` lies in ``ancestor`` (an area lies in itself)."""
        return ancestor in self.lineage(code)

    def area(self, code: str, *, field: str) -> Area:
        """Return a registered area, or refuse the ``field`` that names it."""
        try:
            return self.areas[code]
        except (KeyError, TypeError):
            raise ValidationError(field, f"{code!r} is not a registered area") from None

    def check_new_area(self, code: str, level: AreaLevel, parent: str | None) -> None:
        """Refuse an area that exists already, or does not fit under its parent."""
        if code in self.areas:
            raise ValidationError("code", f"area {code!r} is registered already")
        wanted = _CHILD_LEVEL[level]
        if wanted is None:
            if parent is not None:
                raise ValidationError("parent", "a province has no parent area")
            return
        if parent is None:
            raise ValidationError("parent", f"a {level} needs a parent {wanted}")
        if self.area(parent, field="parent").level is not wanted:
            raise ValidationError("parent", f"the parent of a {level} must be a {wanted}")

    def active_admins(self) -> list[str]:
        """Return the ids of the active admins."""
        return [w.worker_id for w in self.workers.values() if w.role is Role.ADMIN and w.is_active]

    def is_unadministered_province(self, code: str) -> bool:
        """True for a registered province in which no active admin works yet."""
        area = self.areas.get(code)
        return (
            area is not None
            and area.level is AreaLevel.PROVINCE
            and not any(self.is_within(self.workers[w].area, code) for w in self.active_admins())
        )

    def check_level(self, role: Role, area: str, *, field: str) -> None:
        """Refuse an area whose level does not suit the role (a village worker in a village)."""
        wanted = _ROLE_LEVEL.get(role)
        if wanted is not None and self.area(area, field=field).level is not wanted:
            raise ValidationError(field, f"a {role} works in a {wanted}, and {area!r} is not one")

    def authorize(self, actor: str | None, command: str, *, area: str | None) -> Metadata:
        """Return the metadata to record for ``actor`` issuing ``command`` about ``area``.

        Raises :class:`ValidationError` on ``actor`` when the worker is unknown, inactive, in a
        role that may not issue the command, or acting outside their area.
        """
        if actor is None:
            if command in ("register_area", "register_worker") and not self.workers:
                return Metadata(role="bootstrap")  # before any worker: the first admin's setup
            raise ValidationError("actor", "every command needs the acting worker")
        worker = self.workers.get(actor) if isinstance(actor, str) else None
        if worker is None or not worker.is_active:
            raise ValidationError("actor", f"{actor!r} is not an active worker")
        if worker.role not in PERMISSIONS[command]:
            raise ValidationError("actor", f"a {worker.role} may not {command.replace('_', ' ')}")
        if area is None and self.area(worker.area, field="actor").level is not AreaLevel.PROVINCE:
            raise ValidationError("actor", f"{actor!r} works in {worker.area}, not province-wide")
        if area is not None and not self.is_within(area, worker.area):
            raise ValidationError("actor", f"{actor!r} works in {worker.area}, not in {area}")
        return Metadata(actor=actor, role=worker.role.value, area=area or worker.area)
