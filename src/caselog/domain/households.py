"""Households: where children live, who lives with them, what the family lives on."""

from __future__ import annotations

import attrs

from caselog.domain.checks import non_empty, optional_non_empty
from caselog.domain.codes import IncomeSource
from caselog.events.registry import event_type
from caselog.privacy import IDENTIFYING

__all__ = ["HouseholdEconomicStatusRecorded", "HouseholdMember", "HouseholdRegistered"]


@attrs.frozen
class HouseholdMember:
    """A person living in the household, with their relation to its head."""

    name: str = attrs.field(metadata=IDENTIFYING, validator=non_empty)
    relation: str = attrs.field(validator=non_empty)
    birth_year: int | None = None


@event_type("household_registered")
@attrs.frozen
class HouseholdRegistered:
    """A household was registered in a village."""

    household_id: str = attrs.field(validator=non_empty)
    village: str = attrs.field(validator=non_empty)
    address: str = attrs.field(metadata=IDENTIFYING, validator=non_empty)
    members: tuple[HouseholdMember, ...] = ()
    phone: str | None = attrs.field(
        metadata=IDENTIFYING, default=None, validator=optional_non_empty
    )


@event_type("household_economic_status_recorded")
@attrs.frozen
class HouseholdEconomicStatusRecorded:
    """A household's means: main income source and band, and the assistance it receives."""

    household_id: str = attrs.field(validator=non_empty)
    income_source: IncomeSource
    income_band: str | None = None
    has_minimum_living_guarantee: bool = False
    is_extreme_poverty: bool = False
