"""The case-file domain: its code lists, the event catalogue, the directory, files and commands.

Importing caselog registers every event type here in :data:`caselog.default_registry`.
"""

from caselog.domain.areas import (
    AreaRegistered,
    WorkerAssigned,
    WorkerDeactivated,
    WorkerRegistered,
)
from caselog.domain.categories import CategoriesRecorded, CategoryPeriod
from caselog.domain.children import (
    CareArrangementRecorded,
    ChildRegistered,
    DisabilityRecorded,
    HealthRecorded,
    IdNumberClaimed,
    NeedsAssessed,
    ParentStatusRecorded,
    RiskAssessed,
    SchoolingRecorded,
)
from caselog.domain.codes import (
    AreaLevel,
    AttemptFailure,
    CarerRelation,
    ClosureReason,
    ConcernKind,
    DisabilityType,
    FileStatus,
    HealthCondition,
    HowFound,
    IncomeSource,
    Need,
    Parent,
    ParentSituation,
    RiskLevel,
    Role,
    SchoolStage,
    Sex,
    VisitMode,
    VisitPurpose,
)
from caselog.domain.corrections import EventCorrected, EventVoided
from caselog.domain.directory import Area, Directory, Worker
from caselog.domain.file import ChildFile
from caselog.domain.homes import HomeSessionHeld
from caselog.domain.households import (
    HouseholdEconomicStatusRecorded,
    HouseholdMember,
    HouseholdRegistered,
)
from caselog.domain.lifecycle import (
    CaseClosed,
    CaseReopened,
    ChildDied,
    ChildMovedIn,
    ChildMovedOut,
    ChildRecordsMerged,
)
from caselog.domain.visits import (
    ConcernFollowedUp,
    ConcernReported,
    VisitAttemptFailed,
    VisitCancelled,
    VisitCompleted,
    VisitScheduled,
)

__all__ = [
    "Area",
    "AreaLevel",
    "AreaRegistered",
    "AttemptFailure",
    "CareArrangementRecorded",
    "CarerRelation",
    "CaseClosed",
    "CaseReopened",
    "CategoriesRecorded",
    "CategoryPeriod",
    "ChildDied",
    "ChildFile",
    "ChildMovedIn",
    "ChildMovedOut",
    "ChildRecordsMerged",
    "ChildRegistered",
    "ClosureReason",
    "ConcernFollowedUp",
    "ConcernKind",
    "ConcernReported",
    "Directory",
    "DisabilityRecorded",
    "DisabilityType",
    "EventCorrected",
    "EventVoided",
    "FileStatus",
    "HealthCondition",
    "HealthRecorded",
    "HomeSessionHeld",
    "HouseholdEconomicStatusRecorded",
    "HouseholdMember",
    "HouseholdRegistered",
    "HowFound",
    "IdNumberClaimed",
    "IncomeSource",
    "Need",
    "NeedsAssessed",
    "Parent",
    "ParentSituation",
    "ParentStatusRecorded",
    "RiskAssessed",
    "RiskLevel",
    "Role",
    "SchoolStage",
    "SchoolingRecorded",
    "Sex",
    "VisitAttemptFailed",
    "VisitCancelled",
    "VisitCompleted",
    "VisitMode",
    "VisitPurpose",
    "VisitScheduled",
    "Worker",
    "WorkerAssigned",
    "WorkerDeactivated",
    "WorkerRegistered",
]
