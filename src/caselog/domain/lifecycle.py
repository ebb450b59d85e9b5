"""The life of a file: moves between villages, closing and reopening, death, merging duplicates."""

from __future__ import annotations

import attrs

from caselog.domain.checks import non_empty, optional_non_empty
from caselog.domain.codes import ClosureReason
from caselog.events.registry import event_type
from caselog.privacy import SENSITIVE

__all__ = [
    "CaseClosed",
    "CaseReopened",
    "ChildDied",
    "ChildMovedIn",
    "ChildMovedOut",
    "ChildRecordsMerged",
]


@event_type("child_moved_out")
@attrs.frozen
class ChildMovedOut:
    """The child left the village; the file waits for the receiving village to take it."""

    child_id: str = attrs.field(validator=non_empty)
    destination: str | None = attrs.field(default=None, validator=optional_non_empty)
    reason: str | None = attrs.field(default=None, validator=optional_non_empty)


@event_type("child_moved_in")
@attrs.frozen
class ChildMovedIn:
    """The child arrived in a village, which owns the file from now on."""

    child_id: str = attrs.field(validator=non_empty)
    village: str = attrs.field(validator=non_empty)
    household_id: str | None = attrs.field(default=None, validator=optional_non_empty)


@event_type("case_closed")
@attrs.frozen
class CaseClosed:
    """The file was closed; it can be reopened."""

    child_id: str = attrs.field(validator=non_empty)
    reason: ClosureReason
    note: str | None = attrs.field(default=None, validator=optional_non_empty)


@event_type("case_reopened")
@attrs.frozen
class CaseReopened:
    """A closed file became active again."""

    child_id: str = attrs.field(validator=non_empty)
    reason: str = attrs.field(validator=non_empty)


@event_type("child_died")
@attrs.frozen
class ChildDied:
    """The child died on the effective date; the file is closed for good."""

    child_id: str = attrs.field(validator=non_empty)
    cause: str | None = attrs.field(metadata=SENSITIVE, default=None, validator=optional_non_empty)


@event_type("child_records_merged")
@attrs.frozen
class ChildRecordsMerged:
    """Two files were the same child (registered twice, say on two devices).

    Recorded on the surviving file; the duplicate's file is closed as a duplicate.
    """

    child_id: str = attrs.field(validator=non_empty)
    duplicate_id: str = attrs.field(validator=non_empty)
    reason: str = attrs.field(validator=non_empty)
