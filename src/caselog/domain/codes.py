"""The code lists of the case-file domain.

Each is a string enumeration whose values are what is stored; values are stable, like event type
names. Lists that differ between jurisdictions (subtypes of children in difficulty, for example)
are not here: they are data in the rule sets.
"""

from __future__ import annotations

import enum

__all__ = [
    "Applicant",
    "ApplicationStatus",
    "AreaLevel",
    "AttemptFailure",
    "CarerRelation",
    "ClosureReason",
    "ConcernKind",
    "DisabilityType",
    "EntitlementStatus",
    "FileStatus",
    "HealthCondition",
    "HowFound",
    "IncomeSource",
    "Need",
    "Parent",
    "ParentSituation",
    "PaymentStatus",
    "RiskLevel",
    "Role",
    "SchoolStage",
    "Sex",
    "TerminationReason",
    "VisitMode",
    "VisitPurpose",
]


class AreaLevel(enum.StrEnum):
    """Levels of the area tree, from the top."""

    PROVINCE = "province"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


class Role(enum.StrEnum):
    """What a worker acts as."""

    VILLAGE_WORKER = "village_worker"
    TOWNSHIP_SUPERVISOR = "township_supervisor"
    COUNTY_OFFICER = "county_officer"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"


class HowFound(enum.StrEnum):
    """How a child came to the worker's attention."""

    CENSUS = "census"
    REFERRAL = "referral"
    SELF_REPORTED = "self_reported"
    BIRTH = "birth"
    TRANSFER = "transfer"
    OTHER = "other"


class IncomeSource(enum.StrEnum):
    """A household's main source of income."""

    FARMING = "farming"
    MIGRANT_WORK = "migrant_work"
    LOCAL_WAGES = "local_wages"
    BUSINESS = "business"
    GOVERNMENT_ASSISTANCE = "government_assistance"
    RELATIVES = "relatives"
    NONE = "none"
    OTHER = "other"


class Parent(enum.StrEnum):
    FATHER = "father"
    MOTHER = "mother"


class ParentSituation(enum.StrEnum):
    """A parent's situation, as far as guardianship and classification need it."""

    AT_HOME = "at_home"
    MIGRANT_WORKER = "migrant_worker"
    DECEASED = "deceased"
    MISSING = "missing"  # declared missing
    SEVERE_DISABILITY = "severe_disability"
    SERIOUS_ILLNESS = "serious_illness"
    IMPRISONED = "imprisoned"
    COMPULSORY_REHABILITATION = "compulsory_rehabilitation"
    OTHER_RESTRICTION = "other_restriction"  # other restriction of liberty
    LOST_CONTACT = "lost_contact"
    GUARDIANSHIP_REVOKED = "guardianship_revoked"
    DEPORTED = "deported"
    UNKNOWN = "unknown"  # birth parent cannot be found


class CarerRelation(enum.StrEnum):
    """Who looks after the child day to day, relative to the child."""

    PARENT = "parent"
    GRANDPARENT = "grandparent"
    OTHER_RELATIVE = "other_relative"
    NEIGHBOUR = "neighbour"
    INSTITUTION = "institution"
    NOBODY = "nobody"
    OTHER = "other"


class SchoolStage(enum.StrEnum):
    NOT_OF_SCHOOL_AGE = "not_of_school_age"
    KINDERGARTEN = "kindergarten"
    PRIMARY = "primary"
    JUNIOR_SECONDARY = "junior_secondary"
    SENIOR_SECONDARY = "senior_secondary"
    VOCATIONAL = "vocational"
    HIGHER = "higher"
    DROPPED_OUT = "dropped_out"
    NOT_IN_SCHOOL = "not_in_school"


class HealthCondition(enum.StrEnum):
    HEALTHY = "healthy"
    CHRONIC_ILLNESS = "chronic_illness"
    SERIOUS_ILLNESS = "serious_illness"
    OTHER = "other"


class DisabilityType(enum.StrEnum):
    """The Disability Protection Law's categories."""

    VISION = "vision"
    HEARING = "hearing"
    SPEECH = "speech"
    PHYSICAL = "physical"
    INTELLECTUAL = "intellectual"
    MENTAL = "mental"
    MULTIPLE = "multiple"
    OTHER = "other"


class Need(enum.StrEnum):
    """Welfare-service needs found by an assessment."""

    LIVING = "living"
    MEDICAL = "medical"
    EDUCATION = "education"
    GUARDIANSHIP = "guardianship"
    PSYCHOLOGICAL = "psychological"
    SAFETY = "safety"
    OTHER = "other"


class RiskLevel(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ConcernKind(enum.StrEnum):
    ABUSE = "abuse"
    NEGLECT = "neglect"
    ABANDONMENT = "abandonment"
    INJURY = "injury"
    LEFT_ALONE = "left_alone"
    SCHOOL_DROPOUT = "school_dropout"
    OTHER = "other"


class VisitPurpose(enum.StrEnum):
    ROUTINE = "routine"
    CENSUS = "census"
    CONCERN_FOLLOW_UP = "concern_follow_up"
    SPOT_CHECK = "spot_check"
    REVIEW = "review"


class VisitMode(enum.StrEnum):
    HOME = "home"
    SCHOOL = "school"
    CHILDRENS_HOME = "childrens_home"
    PHONE = "phone"
    VIDEO = "video"


class AttemptFailure(enum.StrEnum):
    NOBODY_HOME = "nobody_home"
    MOVED = "moved"
    REFUSED = "refused"
    OTHER = "other"


class ClosureReason(enum.StrEnum):
    AGED_OUT = "aged_out"
    MOVED_AWAY = "moved_away"
    DUPLICATE = "duplicate"
    LEFT_PROGRAMME = "left_programme"
    OTHER = "other"


class FileStatus(enum.StrEnum):
    """Where a child's file stands. ``aged_out`` follows from the birth date alone."""

    ACTIVE = "active"
    MOVED_OUT = "moved_out"
    DECEASED = "deceased"
    CLOSED = "closed"
    AGED_OUT = "aged_out"


class ApplicationStatus(enum.StrEnum):
    """Where an application for a benefit stands. The last four are final."""

    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting at its review level
    EVIDENCE_REQUESTED = "evidence_requested"
    VERIFIED = "verified"  # passed a level, waiting at the next one
    RETURNED = "returned"  # sent back by the deciding level, waiting at the level below
    APPROVED = "approved"
    REJECTED = "rejected"
    FAILED = "failed"  # failed verification
    WITHDRAWN = "withdrawn"

    @property
    def is_final(self) -> bool:
        """True once nothing can follow."""
        return self in _FINAL


_FINAL = frozenset(
    {
        ApplicationStatus.APPROVED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.FAILED,
        ApplicationStatus.WITHDRAWN,
    }
)


class EntitlementStatus(enum.StrEnum):
    """Where an entitlement stands; ``terminated`` is final."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class TerminationReason(enum.StrEnum):
    """Why an entitlement ended."""

    AGED_OUT = "aged_out"  # turned 18 and not in full-time education
    PARENT_RELEASED = "parent_released"
    PARENT_FOUND = "parent_found"
    PARENT_RETURNED = "parent_returned"
    ADOPTED = "adopted"
    DIED = "died"
    MOVED_AWAY = "moved_away"
    RECLASSIFIED = "reclassified"
    OTHER = "other"


class PaymentStatus(enum.StrEnum):
    """Where one month's payment of an entitlement stands."""

    ISSUED = "issued"
    CONFIRMED = "confirmed"
    FAILED = "failed"
    REVERSED = "reversed"


class Applicant(enum.StrEnum):
    """Who applies for a benefit on the child's behalf."""

    GUARDIAN = "guardian"
    VILLAGE_COMMITTEE = "village_committee"
    OTHER = "other"
