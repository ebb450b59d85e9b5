"""The village children's home: sessions, activities and who attended."""

from __future__ import annotations

import attrs

from caselog.domain.checks import non_empty, optional_non_empty
from caselog.errors import ValidationError
from caselog.events.registry import event_type

__all__ = ["HomeSessionHeld"]


def _minutes(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or not 0 < value <= 24 * 60:
        raise ValidationError(attribute.name, f"{value!r} is not a number of minutes in a day")


@event_type("home_session_held")
@attrs.frozen
class HomeSessionHeld:
    """The children's home was open for a session, starting at the effective time."""

    session_id: str = attrs.field(validator=non_empty)
    village: str = attrs.field(validator=non_empty)
    minutes: int = attrs.field(validator=_minutes)
    activity: str = attrs.field(validator=non_empty)
    theme: str | None = attrs.field(default=None, validator=optional_non_empty)
    is_school_holiday: bool = False
    attendees: frozenset[str] = frozenset()
