"""Commands that fix mistakes: voids and corrections, which point at the event they fix."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from caselog.domain.casefiles import CaseFiles, child_stream
from caselog.domain.corrections import EventCorrected, EventVoided
from caselog.errors import ValidationError
from caselog.events.envelope import Event, Pending

__all__ = ["FixCommands"]

Effective = date | datetime


class FixCommands(CaseFiles):
    """Voids and corrections; the only commands a deceased child's file still takes."""

    def void(
        self, child_id: str, event_id: str, *, reason: str, actor: str, effective: Effective
    ) -> Event[Any]:
        """Declare that an event of the child's file never held."""
        self._check_target(child_id, event_id)
        return self._record(child_id, [EventVoided(event_id, reason)], command="correct",
                            actor=actor, effective=effective, is_correction=True)[0]  # fmt: skip

    def correct(
        self, child_id: str, event_id: str, replacement: Any, *, reason: str, actor: str,
        effective: Effective,
    ) -> list[Event[Any]]:  # fmt: skip
        """Replace an event of the child's file by a corrected payload, effective on
        ``effective``; reads known after the correction see the replacement instead."""
        self._check_target(child_id, event_id)
        if getattr(replacement, "child_id", child_id) != child_id:
            raise ValidationError("replacement", f"{replacement!r} is not about child {child_id!r}")
        fixed_id = str(uuid.uuid4())
        events = [
            Pending(replacement, event_id=fixed_id),
            EventCorrected(event_id, fixed_id, reason),
        ]
        return self._record(child_id, events, command="correct", actor=actor,
                            effective=effective, is_correction=True)  # fmt: skip

    def _check_target(self, child_id: str, event_id: str) -> None:
        ids = {event.event_id for event in self.read_stream(child_stream(child_id))}
        if event_id not in ids:
            raise ValidationError("event_id", f"{event_id!r} is not an event of child {child_id!r}")
