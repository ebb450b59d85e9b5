"""Commands that change where a file stands: closing, reopening, death, moves, merging."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from caselog.domain import lifecycle as lc
from caselog.domain.casefiles import (
    CaseFiles,
    child_stream,
    code,
    household_stream,
    id_number_stream,
)
from caselog.domain.categories import CategoriesRecorded
from caselog.domain.codes import ClosureReason, FileStatus
from caselog.domain.corrections import EventCorrected, EventVoided
from caselog.domain.file import moment, select
from caselog.errors import ValidationError
from caselog.events.envelope import Event

__all__ = ["StatusCommands"]

_STATUS = (lc.CaseClosed, lc.CaseReopened, lc.ChildMovedOut, lc.ChildMovedIn)

Effective = date | datetime


class StatusCommands(CaseFiles):
    """The life of a file."""

    def close_case(
        self, child_id: str, reason: ClosureReason, *, note: str | None = None, actor: str,
        effective: Effective,
    ) -> Event[Any]:  # fmt: skip
        """Close the child's file (it can be reopened)."""
        self._nothing_after(child_id, effective)
        payload = lc.CaseClosed(child_id, code(ClosureReason, reason, "reason"), note)
        return self._record(child_id, [payload], command="close_case", actor=actor,
                            effective=effective)[0]  # fmt: skip

    def reopen_case(
        self, child_id: str, reason: str, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """Make a closed file active again (refused if its ID number is now another's)."""
        file = self._expect_status(child_id, FileStatus.CLOSED, effective)
        if file.id_number is not None:
            claims = self.read_stream(id_number_stream(file.id_number))
            holder = claims[-1].data.child_id if claims else child_id
            if holder != child_id:
                raise ValidationError("child_id", f"its ID number is registered to {holder!r} now")
        return self._record(child_id, [lc.CaseReopened(child_id, reason)], command="reopen_case",
                            actor=actor, effective=effective, is_correction=True)[0]  # fmt: skip

    def record_death(
        self, child_id: str, *, cause: str | None = None, actor: str, effective: Effective
    ) -> Event[Any]:
        """Record that the child died on ``effective``; the file is closed for good (a later
        closure or move already recorded changes nothing)."""
        self._nothing_after(child_id, effective, unless=_STATUS)
        return self._record(child_id, [lc.ChildDied(child_id, cause)], command="record_death",
                            actor=actor, effective=effective)[0]  # fmt: skip

    def move_child_out(
        self, child_id: str, *, destination: str | None = None, reason: str | None = None,
        actor: str, effective: Effective,
    ) -> Event[Any]:  # fmt: skip
        """Record that the child left the village; the file waits for the receiving village."""
        payload = lc.ChildMovedOut(child_id, destination, reason)
        return self._record(child_id, [payload], command="move_child", actor=actor,
                            effective=effective)[0]  # fmt: skip

    def move_child_in(
        self, child_id: str, village: str, *, household_id: str | None = None, actor: str,
        effective: Effective,
    ) -> Event[Any]:  # fmt: skip
        """The receiving village takes the file: ownership passes to it."""
        file = self._expect_status(child_id, FileStatus.MOVED_OUT, effective)
        meta = self._check_destination(village, household_id, actor)
        pending: list[Any] = [self._pending(lc.ChildMovedIn(child_id, village, household_id))]
        existing = self._child_events(child_id)
        if household_id is not None and household_id != file.household_id:
            existing += self.read_stream(household_stream(household_id))
        pending += self._categories(child_id, existing, pending, effective, meta)
        writes = [(child_stream(child_id), pending, file.version)]
        return self._append(writes, effective=effective, meta=meta)[0]

    def merge_children(
        self, child_id: str, duplicate_id: str, *, reason: str, actor: str, effective: Effective
    ) -> list[Event[Any]]:
        """Keep ``child_id``'s file and close ``duplicate_id``'s as its duplicate, at once."""
        if child_id == duplicate_id:
            raise ValidationError("duplicate_id", "a file cannot be merged into itself")
        kept = self._open_file(child_id, effective)
        gone = self._open_file(duplicate_id, effective)
        self._nothing_after(duplicate_id, effective)
        meta = self.directory().authorize(actor, "close_case", area=kept.village)
        self.directory().authorize(actor, "close_case", area=gone.village)
        closed = lc.CaseClosed(duplicate_id, ClosureReason.DUPLICATE, f"merged into {child_id}")
        merged = lc.ChildRecordsMerged(child_id, duplicate_id, reason)
        writes: list[tuple[str, list[Any], int]] = [
            (child_stream(child_id), [merged], kept.version),
            (child_stream(duplicate_id), [closed], gone.version),
        ]
        return self._append(writes, effective=effective, meta=meta)

    def _expect_status(self, child_id: str, status: FileStatus, effective: Effective) -> Any:
        """Return the file now, if it is in ``status`` now and already was on ``effective``."""
        file = self._open_file(child_id, effective, is_correction=True)
        if file.status is not status:
            raise ValidationError("child_id", f"the file is {file.status}, not {status}")
        then = self.child_file(child_id, as_of=effective)
        if then is None or then.status is not status:
            raise ValidationError("effective", f"the file was not {status} yet on {effective}")
        return file

    def _nothing_after(
        self, child_id: str, effective: Effective, *, unless: tuple[type, ...] = ()
    ) -> None:
        """Refuse to end a file before facts already recorded as holding after that date."""
        start = moment(effective)
        ignored = (CategoriesRecorded, EventVoided, EventCorrected, *unless)
        for event in select(self.read_stream(child_stream(child_id))):
            if moment(event.effective) > start and not isinstance(event.data, ignored):
                raise ValidationError(
                    "effective", f"the file has {event.type} effective later, on {event.effective}"
                )
