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


_KINDS: dict[str, tuple[type, ...]] = {
    "schedule_visit": (vs.VisitScheduled, vs.VisitCancelled),
    "record_visit": (vs.VisitCompleted, vs.VisitAttemptFailed),
}


def _expect(payload: Any, kinds: tuple[type, ...] | type) -> None:
    """Refuse a payload of another type than the command records."""
    if not isinstance(payload, kinds):
        names = kinds if isinstance(kinds, tuple) else (kinds,)
        wanted = " or ".join(kind.__name__ for kind in names)
        raise ValidationError("payload", f"expected {wanted}, not {type(payload).__name__}")


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
        _expect(visit, vs.VisitScheduled)
        return self._one(visit, "schedule_visit", actor, effective)

    def record_visit(
        self, visit: vs.VisitCompleted, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Record a visit that took place on ``effective`` (it closes the concerns it names)."""
        _expect(visit, vs.VisitCompleted)
        self._check_concerns(visit.child_id, visit.concern_ids, effective)
        return self._record(
            visit.child_id, [visit], command="record_visit", actor=actor, effective=effective,
            is_classified=bool(visit.concern_ids),
        )[0]  # fmt: skip

    def record_failed_visit(
        self, attempt: vs.VisitAttemptFailed, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Record a visit attempt that did not reach the child; the visit stays due."""
        _expect(attempt, vs.VisitAttemptFailed)
        return self._one(attempt, "record_visit", actor, effective)

    def cancel_visit(
        self, cancelled: vs.VisitCancelled, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Cancel a scheduled visit."""
        _expect(cancelled, vs.VisitCancelled)
        file = self.child_file(cancelled.child_id)
        if file is None or cancelled.visit_id not in {v.visit_id for v in file.scheduled_visits}:
            raise ValidationError("visit_id", f"no visit {cancelled.visit_id!r} is scheduled")
        return self._one(cancelled, "schedule_visit", actor, effective)

    def report_concern(
        self, concern: vs.ConcernReported, *, actor: str, effective: Effective
    ) -> list[Event[Any]]:
        """Report a concern about the child (open until a visit or a follow-up resolves it)."""
        _expect(concern, vs.ConcernReported)
        return self._record(
            concern.child_id, [concern], command="report_concern", actor=actor,
            effective=effective, is_classified=True,
        )  # fmt: skip

    def follow_up_concern(
        self, follow_up: vs.ConcernFollowedUp, *, actor: str, effective: Effective
    ) -> list[Event[Any]]:
        """Record what was done about a concern, and whether it is resolved."""
        _expect(follow_up, vs.ConcernFollowedUp)
        self._check_concerns(follow_up.child_id, {follow_up.concern_id}, effective)
        return self._record(
            follow_up.child_id, [follow_up], command="report_concern", actor=actor,
            effective=effective, is_classified=True,
        )  # fmt: skip

    def _check_concerns(self, child_id: str, concern_ids: Any, effective: Effective) -> None:
        """Refuse following up a concern that was not reported on the file by ``effective``."""
        if not concern_ids:
            return
        file = self.child_file(child_id, as_of=effective)
        reported = {s.kind.removeprefix("concern:") for s in file.basis} if file else set()
        for concern_id in sorted(concern_ids):
            if concern_id not in reported:
                raise ValidationError(
                    "concern_id", f"no concern {concern_id!r} was reported by {effective}"
                )

    def _one(self, payload: Any, command: str, actor: str, effective: Effective) -> Event[Any]:
        _expect(payload, _KINDS[command])
        return self._record(payload.child_id, [payload], command=command, actor=actor,
                            effective=effective)[0]  # fmt: skip

    def record_home_session(
        self, session: HomeSessionHeld, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Record a session of the village children's home, with who attended."""
        _expect(session, HomeSessionHeld)
        self._check_effective(effective)
        directory = self.directory()
        directory.area(session.village, field="village")
        meta = directory.authorize(actor, "record_fact", area=session.village)
        for child_id in sorted(session.attendees):
            try:
                file = self.child_file(child_id, as_of=effective)
            except ValidationError:
                file = None
            if file is None or file.village != session.village or not file.is_open:
                raise ValidationError(
                    "attendees", f"child {child_id!r} had no file in {session.village} then"
                )
        stream = f"home:{session.village}"
        version = len(self.read_stream(stream))
        return self._append([(stream, [session], version)], effective=effective, meta=meta)[0]
