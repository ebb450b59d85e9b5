"""A child's registration and the facts of the child's life that the file keeps."""

from __future__ import annotations

from datetime import date

import attrs

from caselog.domain.checks import grade, non_empty, optional_non_empty
from caselog.domain.codes import (
    CarerRelation,
    DisabilityType,
    HealthCondition,
    HowFound,
    Need,
    Parent,
    ParentSituation,
    RiskLevel,
    SchoolStage,
    Sex,
)
from caselog.events.registry import event_type
from caselog.privacy import IDENTIFYING, SENSITIVE

__all__ = [
    "CareArrangementRecorded",
    "ChildRegistered",
    "DisabilityRecorded",
    "HealthRecorded",
    "IdNumberClaimed",
    "NeedsAssessed",
    "ParentStatusRecorded",
    "RiskAssessed",
    "SchoolingRecorded",
]


@event_type("child_registered")
@attrs.frozen
class ChildRegistered:
    """A child was registered in a household of a village: the file opens."""

    child_id: str = attrs.field(validator=non_empty)
    household_id: str = attrs.field(validator=non_empty)
    village: str = attrs.field(validator=non_empty)
    name: str = attrs.field(metadata=IDENTIFYING, validator=non_empty)
    sex: Sex
    birth_date: date
    id_number: str | None = attrs.field(
        metadata=IDENTIFYING, default=None, validator=optional_non_empty
    )
    hukou_place: str | None = attrs.field(
        metadata=IDENTIFYING, default=None, validator=optional_non_empty
    )
    ethnicity: str | None = None
    how_found: HowFound = HowFound.CENSUS


@event_type("id_number_claimed")
@attrs.frozen
class IdNumberClaimed:
    """An ID number was taken by a child's file; the stream is named by the number's digest."""

    child_id: str = attrs.field(validator=non_empty)


@event_type("parent_status_recorded")
@attrs.frozen
class ParentStatusRecorded:
    """A parent's situation as of the effective date: at home, away for work, deceased, ...

    ``place`` is where a migrant parent works; ``since`` when the situation began (lost contact
    since, away since); ``until`` when a restriction of liberty ends; ``disability_grade`` and
    ``disability_kind`` for a severe disability; ``is_cross_county`` whether a migrant parent works
    outside the county.
    """

    child_id: str = attrs.field(validator=non_empty)
    parent: Parent
    situation: ParentSituation = attrs.field(metadata=SENSITIVE)
    name: str | None = attrs.field(metadata=IDENTIFYING, default=None, validator=optional_non_empty)
    place: str | None = attrs.field(metadata=SENSITIVE, default=None, validator=optional_non_empty)
    since: date | None = attrs.field(metadata=SENSITIVE, default=None)
    until: date | None = attrs.field(metadata=SENSITIVE, default=None)
    disability_grade: int | None = attrs.field(metadata=SENSITIVE, default=None, validator=grade)
    is_cross_county: bool | None = None
    disability_kind: DisabilityType | None = attrs.field(metadata=SENSITIVE, default=None)


@event_type("care_arrangement_recorded")
@attrs.frozen
class CareArrangementRecorded:
    """Who looks after the child, and whether parents told the village in writing."""

    child_id: str = attrs.field(validator=non_empty)
    relation: CarerRelation
    carer_name: str | None = attrs.field(
        metadata=IDENTIFYING, default=None, validator=optional_non_empty
    )
    is_carer_capable: bool = True
    has_entrusted_care_agreement: bool = False
    has_written_notice: bool = False
    is_living_alone: bool = False


@event_type("schooling_recorded")
@attrs.frozen
class SchoolingRecorded:
    """The child's schooling: stage, school, boarding."""

    child_id: str = attrs.field(validator=non_empty)
    stage: SchoolStage
    school: str | None = attrs.field(
        metadata=IDENTIFYING, default=None, validator=optional_non_empty
    )
    is_boarding: bool = False


@event_type("health_recorded")
@attrs.frozen
class HealthRecorded:
    """The child's health."""

    child_id: str = attrs.field(validator=non_empty)
    condition: HealthCondition = attrs.field(metadata=SENSITIVE)
    notes: str | None = attrs.field(metadata=SENSITIVE, default=None, validator=optional_non_empty)


@event_type("disability_recorded")
@attrs.frozen
class DisabilityRecorded:
    """The child's disability, by the Disability Protection Law's types; ``kind=None``: none."""

    child_id: str = attrs.field(validator=non_empty)
    kind: DisabilityType | None = attrs.field(metadata=SENSITIVE)
    grade: int | None = attrs.field(metadata=SENSITIVE, default=None, validator=grade)
    certificate: str | None = attrs.field(
        metadata=IDENTIFYING, default=None, validator=optional_non_empty
    )


@event_type("needs_assessed")
@attrs.frozen
class NeedsAssessed:
    """The welfare-service needs assessment."""

    child_id: str = attrs.field(validator=non_empty)
    needs: frozenset[Need] = frozenset()
    notes: str | None = attrs.field(metadata=SENSITIVE, default=None, validator=optional_non_empty)


@event_type("risk_assessed")
@attrs.frozen
class RiskAssessed:
    """The child's risk level, which sets how often the child is visited."""

    child_id: str = attrs.field(validator=non_empty)
    level: RiskLevel
    reasons: frozenset[str] = attrs.field(metadata=SENSITIVE, default=frozenset())
    notes: str | None = attrs.field(metadata=SENSITIVE, default=None, validator=optional_non_empty)
