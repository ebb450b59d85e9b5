"""Derived categories as recorded: which rule set and version decided, on which facts."""

from __future__ import annotations

from datetime import date

import attrs

from caselog.domain.checks import non_empty
from caselog.events.registry import event_type

__all__ = ["CategoriesRecorded", "CategoryPeriod"]


@attrs.frozen
class CategoryPeriod:
    """One category (and subtype) holding from ``since`` until ``until`` (exclusive), if known."""

    category: str = attrs.field(validator=non_empty)
    since: date
    subtype: str | None = None
    until: date | None = None


@event_type("categories_recorded")
@attrs.frozen
class CategoriesRecorded:
    """The child's observed categories, as a rule set's version derived them and a worker confirmed.

    ``basis`` lists the ids of the events the rules relied on.
    """

    child_id: str = attrs.field(validator=non_empty)
    rule_set: str = attrs.field(validator=non_empty)
    rule_version: str = attrs.field(validator=non_empty)
    categories: tuple[CategoryPeriod, ...] = ()
    basis: tuple[str, ...] = ()
    is_confirmed_by_supervisor: bool = False
