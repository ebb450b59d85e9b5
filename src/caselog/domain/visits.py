"""Visits to a child, and concerns reported about a child."""

from __future__ import annotations

from datetime import date

import attrs

from caselog.domain.checks import non_empty, optional_non_empty
from caselog.domain.codes import AttemptFailure, ConcernKind, VisitMode, VisitPurpose
from caselog.errors import ValidationError
from caselog.events.registry import event_type
from caselog.privacy import SENSITIVE

__all__ = [
    "ConcernFollowedUp",
    "ConcernReported",
    "VisitAttemptFailed",
    "VisitCancelled",
    "VisitCompleted",
    "VisitScheduled",
]


def _window(instance: VisitScheduled, attribute: attrs.Attribute[date], value: date) -> None:
    if value < instance.due_from:
        raise ValidationError("due_by", f"{value} is before due_from {instance.due_from}")


@event_type("visit_scheduled")
@attrs.frozen
class VisitScheduled:
    """A visit falls due in the window ``[due_from, due_by]``; overdue after ``due_by``."""

    visit_id: str = attrs.field(validator=non_empty)
    child_id: str = attrs.field(validator=non_empty)
    due_from: date
    due_by: date = attrs.field(validator=_window)
    purpose: VisitPurpose = VisitPurpose.ROUTINE
    concern_id: str | None = None


@event_type("visit_completed")
@attrs.frozen
class VisitCompleted:
    """The worker saw the child (or the family), at the effective time."""

    visit_id: str = attrs.field(validator=non_empty)
    child_id: str = attrs.field(validator=non_empty)
    mode: VisitMode = VisitMode.HOME
    is_child_seen: bool = True
    notes: str | None = attrs.field(metadata=SENSITIVE, default=None, validator=optional_non_empty)
    concern_ids: frozenset[str] = frozenset()


@event_type("visit_attempt_failed")
@attrs.frozen
class VisitAttemptFailed:
    """The worker went and could not see the child."""

    visit_id: str = attrs.field(validator=non_empty)
    child_id: str = attrs.field(validator=non_empty)
    reason: AttemptFailure
    notes: str | None = attrs.field(metadata=SENSITIVE, default=None, validator=optional_non_empty)


@event_type("visit_cancelled")
@attrs.frozen
class VisitCancelled:
    """A scheduled visit will not take place."""

    visit_id: str = attrs.field(validator=non_empty)
    child_id: str = attrs.field(validator=non_empty)
    reason: str = attrs.field(validator=non_empty)


@event_type("concern_reported")
@attrs.frozen
class ConcernReported:
    """A concern about the child's safety or welfare; needs a follow-up visit."""

    concern_id: str = attrs.field(validator=non_empty)
    child_id: str = attrs.field(validator=non_empty)
    kind: ConcernKind = attrs.field(metadata=SENSITIVE)
    description: str = attrs.field(metadata=SENSITIVE, validator=non_empty)
    is_mandatory_report: bool = False
    reported_to: str | None = attrs.field(default=None, validator=optional_non_empty)


@event_type("concern_followed_up")
@attrs.frozen
class ConcernFollowedUp:
    """What was done about a concern, and whether it is resolved."""

    concern_id: str = attrs.field(validator=non_empty)
    child_id: str = attrs.field(validator=non_empty)
    action: str = attrs.field(metadata=SENSITIVE, validator=non_empty)
    is_resolved: bool = False
