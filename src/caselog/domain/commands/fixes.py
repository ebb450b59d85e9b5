"""Commands that fix mistakes: voids and corrections, which point at the event they fix."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from caselog.domain import lifecycle as lc
from caselog.domain.casefiles import CaseFiles, child_stream
from caselog.domain.categories import CategoriesRecorded
from caselog.domain.children import ChildRegistered
from caselog.domain.corrections import EventCorrected, EventVoided
from caselog.domain.file import voided_ids
from caselog.errors import ValidationError
from caselog.events.envelope import Event, Pending

__all__ = ["FixCommands"]

_STATUS = (lc.CaseClosed, lc.CaseReopened, lc.ChildDied, lc.ChildMovedOut, lc.ChildMovedIn)

Effective = date | datetime


class FixCommands(CaseFiles):
    """Voids and corrections; the only commands a deceased child's file still takes."""

    def void(
        self, child_id: str, event_id: str, *, reason: str, actor: str, effective: Effective
    ) -> Event[Any]:
        """Declare that an event of the child's file never held (not its registration: close or
        merge a file registered by mistake)."""
        target = self._check_target(child_id, event_id)
        if isinstance(target.data, ChildRegistered):
            raise ValidationError(
                "event_id", "a registration is not voided: close or merge the file"
            )
        events = self._record(
            child_id,
            [EventVoided(event_id, reason)],
            command="correct",
            actor=actor,
            effective=effective,
            is_correction=True,
            is_classified=True,
        )
        return events[0]

    def correct(
        self, child_id: str, event_id: str, replacement: Any, *, reason: str, actor: str,
        effective: Effective,
    ) -> list[Event[Any]]:  # fmt: skip
        """Replace an event of the child's file by a corrected payload, effective on
        ``effective``; reads known after the correction see the replacement instead."""
        target = self._check_target(child_id, event_id)
        if type(replacement) is not type(target.data):
            raise ValidationError("replacement", f"a {target.type} can only be replaced by another")
        if getattr(replacement, "child_id", child_id) != child_id:
            raise ValidationError("replacement", f"{replacement!r} is not about child {child_id!r}")
        if isinstance(replacement, CategoriesRecorded):
            raise ValidationError("event_id", "categories change by classify or confirm_categories")
        when = effective
        if isinstance(replacement, ChildRegistered):
            kept = ("child_id", "household_id", "village", "id_number")
            if any(getattr(replacement, f) != getattr(target.data, f) for f in kept):
                raise ValidationError(
                    "replacement", "a registration's household, village and ID number stay; "
                    "move the child, or close the file as a duplicate and register again",
                )  # fmt: skip
            when = target.effective  # the file keeps opening where it did
            self._check_birth(replacement.birth_date, when)
        elif isinstance(replacement, lc.ChildMovedIn):
            self._check_destination(replacement.village, replacement.household_id, actor)
        elif not isinstance(target.data, _STATUS):
            self._fits(child_id, effective)
        fixed_id = self.new_id()
        events = [
            Pending(replacement, event_id=fixed_id, effective=when),
            EventCorrected(event_id, fixed_id, reason),
        ]
        return self._record(
            child_id,
            events,
            command="correct",
            actor=actor,
            effective=effective,
            is_correction=True,
            is_classified=True,
        )

    def _fits(self, child_id: str, effective: Effective) -> None:
        """Refuse a corrected fact dated where the file was not open (a death is no bar)."""
        then = self.child_file(child_id, as_of=effective)
        if then is None:
            raise ValidationError("effective", f"{effective} is before the file was opened")
        if not then.is_open:
            raise ValidationError("effective", f"the file was {then.status} on {effective}")

    def _check_target(self, child_id: str, event_id: str) -> Event[Any]:
        """Return the event to fix; one already voided or corrected is refused (fix the fix, or
        its replacement, instead)."""
        events = self.read_stream(child_stream(child_id))
        for event in events:
            if event.event_id == event_id:
                if event_id in voided_ids(events):
                    raise ValidationError(
                        "event_id", f"{event_id!r} is voided or corrected already: fix its fix"
                    )
                return event
        raise ValidationError("event_id", f"{event_id!r} is not an event of child {child_id!r}")
