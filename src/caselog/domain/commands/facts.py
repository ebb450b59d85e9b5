"""Commands that record what is known and done about children: facts, visits, concerns, and
the children's home's sessions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from caselog.domain import children as ch
from caselog.domain import visits as vs
from caselog.domain.casefiles import CaseFiles
from caselog.domain.homes import HomeSessionHeld
from caselog.errors import ValidationError
from caselog.events.envelope import Event

__all__ = ["FactCommands"]

Effective = date | datetime

_FACTS = (
    ch.ParentStatusRecorded,
    ch.CareArrangementRecorded,
    ch.SchoolingRecorded,
    ch.HealthRecorded,
    ch.DisabilityRecorded,
    ch.NeedsAssessed,
    ch.RiskAssessed,
)


class FactCommands(CaseFiles):
    """Facts about a child, visits and concerns."""

    def record_fact(self, fact: Any, *, actor: str, effective: Effective) -> list[Event[Any]]:
        """Record a fact about a child: a parent's situation, care, schooling, health,
        disability, needs or risk; with the categories, when the fact changes them."""
        if not isinstance(fact, _FACTS):
            raise ValidationError("fact", f"{type(fact).__name__} is not a fact about a child")
        return self._record(
            fact.child_id, [fact], command="record_fact", actor=actor, effective=effective,
            is_classified=True,
        )  # fmt: skip

    def schedule_visit(
        self, visit: vs.VisitScheduled, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Schedule a visit; an earlier schedule stays until it is completed or cancelled."""
        return self._one(visit, "schedule_visit", actor, effective)

    def record_visit(
        self, visit: vs.VisitCompleted, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Record a visit that took place on ``effective`` (it closes the concerns it names)."""
        return self._record(
            visit.child_id, [visit], command="record_visit", actor=actor, effective=effective,
            is_classified=bool(visit.concern_ids),
        )[0]  # fmt: skip

    def record_failed_visit(
        self, attempt: vs.VisitAttemptFailed, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Record a visit attempt that did not reach the child; the visit stays due."""
        return self._one(attempt, "record_visit", actor, effective)

    def cancel_visit(
        self, cancelled: vs.VisitCancelled, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Cancel a scheduled visit."""
        return self._one(cancelled, "schedule_visit", actor, effective)

    def report_concern(
        self, concern: vs.ConcernReported, *, actor: str, effective: Effective
    ) -> list[Event[Any]]:
        """Report a concern about the child (open until a visit or a follow-up resolves it)."""
        return self._record(
            concern.child_id, [concern], command="report_concern", actor=actor,
            effective=effective, is_classified=True,
        )  # fmt: skip

    def follow_up_concern(
        self, follow_up: vs.ConcernFollowedUp, *, actor: str, effective: Effective
    ) -> list[Event[Any]]:
        """Record what was done about a concern, and whether it is resolved."""
        return self._record(
            follow_up.child_id, [follow_up], command="report_concern", actor=actor,
            effective=effective, is_classified=True,
        )  # fmt: skip

    def _one(self, payload: Any, command: str, actor: str, effective: Effective) -> Event[Any]:
        return self._record(payload.child_id, [payload], command=command, actor=actor,
                            effective=effective)[0]  # fmt: skip

    def record_home_session(
        self, session: HomeSessionHeld, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Record a session of the village children's home, with who attended."""
        self._check_effective(effective)
        directory = self.directory()
        directory.area(session.village, field="village")
        meta = directory.authorize(actor, "record_fact", area=session.village)
        for child_id in sorted(session.attendees):
            try:
                file = self.child_file(child_id, as_of=effective)
            except ValidationError:
                file = None
            if file is None or file.village != session.village:
                raise ValidationError(
                    "attendees", f"child {child_id!r} had no file in {session.village} then"
                )
        stream = f"home:{session.village}"
        version = len(self.read_stream(stream))
        return self._append([(stream, [session], version)], effective=effective, meta=meta)[0]
