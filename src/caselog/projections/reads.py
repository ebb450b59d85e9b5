"""The projection reads of :class:`caselog.Caselog`: catching up, rebuilding, and the queries."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from caselog.errors import ValidationError
from caselog.projections import audit, engine, files
from caselog.projections import benefits as bn
from caselog.projections import caseloads as cl

if TYPE_CHECKING:
    from caselog.log import Caselog

__all__ = ["BUILT_IN", "ProjectionReads"]

BUILT_IN: tuple[type[engine.Projection], ...] = (
    cl.CaseloadProjection,
    files.ChildFilesProjection,
    bn.BenefitsProjection,
)
"""The projections every log keeps."""

Progress = Callable[[int], None]


class ProjectionReads:
    """Projections kept in the log's store, and the questions they answer."""

    _projections: dict[str, engine.Projection] | None = None

    @property
    def projections(self) -> dict[str, engine.Projection]:
        """The projections by name: the built-in ones and those registered."""
        if self._projections is None:
            self._projections = {kind.name: kind() for kind in BUILT_IN}
        return self._projections

    def register_projection(self, projection: engine.Projection) -> None:
        """Keep another projection; ``catch_up`` and ``rebuild`` include it from now on."""
        if projection.name in self.projections:
            raise ValidationError("projection", f"{projection.name!r} is registered already")
        self.projections[projection.name] = projection

    def _chosen(self, name: str | None) -> list[engine.Projection]:
        if name is None:
            return list(self.projections.values())
        if name not in self.projections:
            known = ", ".join(sorted(self.projections))
            raise ValidationError("name", f"{name!r} is not one of {known}")
        return [self.projections[name]]

    def catch_up(
        self, name: str | None = None, *, progress: Progress | None = None
    ) -> dict[str, int]:
        """Bring one projection (or all) up to the end of the log; return their positions."""
        log: Caselog = self  # type: ignore[assignment]
        return engine.catch_up_all(log, self._chosen(name), progress=progress)

    def rebuild(
        self, name: str | None = None, *, progress: Progress | None = None
    ) -> dict[str, int]:
        """Drop one projection's tables (or all) and replay the whole log into them."""
        log: Caselog = self  # type: ignore[assignment]
        return engine.rebuild_all(log, self._chosen(name), progress=progress)

    def caseload(
        self,
        area: str,
        *,
        as_of: date,
        known_at: datetime | None = None,
        by: Sequence[str] = ("category",),
        catch_up: bool = True,
    ) -> cl.Caseload:
        """Count the children of ``area`` whose file was open on ``as_of``, as known at
        ``known_at`` (see :func:`caselog.projections.caseload`); with ``catch_up=False`` the
        tables are read as they stand."""
        log: Caselog = self  # type: ignore[assignment]
        return cl.caseload(log, area, as_of=as_of, known_at=known_at, by=by,
                           catch_up_first=catch_up)  # fmt: skip

    def caseload_changes(
        self,
        area: str,
        *,
        first_month: str,
        last_month: str,
        known_at: datetime | None = None,
        category: str | None = None,
        catch_up: bool = True,
    ) -> list[cl.MonthChange]:
        """Month by month: the children of ``area`` (in ``category``) at each month's end, and
        who was added and removed since the month before."""
        log: Caselog = self  # type: ignore[assignment]
        return cl.caseload_changes(log, area, first_month=first_month, last_month=last_month,
                                   known_at=known_at, category=category,
                                   catch_up_first=catch_up)  # fmt: skip

    def visits(
        self, area: str, *, on: date, within: int = 7, catch_up: bool = True
    ) -> files.VisitReport:
        """The visit lists of ``area`` on ``on``: due within ``within`` days, overdue, never
        visited since registration, concerns not followed up in time."""
        log: Caselog = self  # type: ignore[assignment]
        return files.visits(log, area, on=on, within=within, catch_up_first=catch_up)

    def applications_waiting(
        self, area: str, *, on: date, level: str | None = None, catch_up: bool = True
    ) -> list[bn.WaitingApplication]:
        """The applications of ``area`` waiting for a level on ``on``, with working days
        waited against the level's limit."""
        log: Caselog = self  # type: ignore[assignment]
        return bn.applications_waiting(log, area, on=on, level=level, catch_up_first=catch_up)

    def payments_ledger(self, area: str, *, through: str, catch_up: bool = True) -> bn.Ledger:
        """Every payable month of the entitlements of ``area`` up to ``through``: expected,
        issued, confirmed and arrears, with totals per benefit."""
        log: Caselog = self  # type: ignore[assignment]
        return bn.payments_ledger(log, area, through=through, catch_up_first=catch_up)

    def audit_trail(self, child_id: str) -> list[audit.AuditEntry]:
        """Every event that touched the child's file, in log order: who, both times, why, what
        it changed, and the links between fixes and what they fix."""
        log: Caselog = self  # type: ignore[assignment]
        return audit.audit_trail(log, child_id)
