"""Fixing mistakes without editing: voids and corrections point at the event they fix."""

from __future__ import annotations

import attrs

from caselog.domain.checks import non_empty
from caselog.events.registry import event_type

__all__ = ["EventCorrected", "EventVoided"]


@event_type("event_voided")
@attrs.frozen
class EventVoided:
    """The target event never held: from when this is known, reads ignore it."""

    target: str = attrs.field(validator=non_empty)
    reason: str = attrs.field(validator=non_empty)


@event_type("event_corrected")
@attrs.frozen
class EventCorrected:
    """The target event is replaced by ``replacement``, appended in the same batch.

    From when this is known, reads ignore the target and apply the replacement, which carries the
    right payload and effective time.
    """

    target: str = attrs.field(validator=non_empty)
    replacement: str = attrs.field(validator=non_empty)
    reason: str = attrs.field(validator=non_empty)
