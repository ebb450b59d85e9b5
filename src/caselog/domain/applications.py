"""Applications for benefits, from draft to decision, and the evidence every decision keeps.

An application's events are recorded in the child's benefits stream (``benefits:{child_id}``),
with its entitlement and payments; ``application:{id}`` holds only the claim of its id.
"""

from __future__ import annotations

from datetime import date, datetime

import attrs

from caselog.domain.calendar import month_text
from caselog.domain.categories import CategoryPeriod
from caselog.domain.checks import non_empty, optional_non_empty, positive
from caselog.domain.codes import Applicant
from caselog.events.registry import event_type
from caselog.privacy import SENSITIVE

__all__ = [
    "ApplicationApproved",
    "ApplicationDrafted",
    "ApplicationForwarded",
    "ApplicationIdClaimed",
    "ApplicationRejected",
    "ApplicationReturned",
    "ApplicationSubmitted",
    "ApplicationVerified",
    "ApplicationWithdrawn",
    "DecisionEvidence",
    "EvidenceFact",
    "EvidenceRequested",
    "EvidenceSupplied",
    "StandardSeen",
    "VerificationFailed",
]


@attrs.frozen
class EvidenceFact:
    """One fact a decision rested on: the event, its kind in the file, and its stored hash, so
    that the fact can be found and shown to be the very bytes the decider saw."""

    kind: str = attrs.field(validator=non_empty)
    event_id: str = attrs.field(validator=non_empty)
    event_type: str = attrs.field(validator=non_empty)
    effective: date
    hash: str


@attrs.frozen
class StandardSeen:
    """The benefit standard a decision used: the county that set it, the amount, from which
    month, and the event that set it."""

    area: str = attrs.field(validator=non_empty)
    monthly_amount: int = attrs.field(validator=positive)
    from_month: str = attrs.field(validator=month_text)
    event_id: str = attrs.field(validator=non_empty)


@attrs.frozen
class DecisionEvidence:
    """What a decider saw: the child's file as of ``as_of`` (``at``, when the step was dated to
    the instant) as known at ``known_at`` (its ``file_version``), the categories the rule set
    found then and the facts they rest on, whether the child qualified and why, and the benefit
    standard."""

    as_of: date
    known_at: datetime
    file_version: int
    rule_set: str = attrs.field(validator=non_empty)
    rule_version: str = attrs.field(validator=non_empty)
    categories: tuple[CategoryPeriod, ...]
    qualifies: bool
    reason: str = attrs.field(validator=non_empty)
    facts: tuple[EvidenceFact, ...] = ()
    standard: StandardSeen | None = None
    at: datetime | None = None


@event_type("application_id_claimed")
@attrs.frozen
class ApplicationIdClaimed:
    """An application id was taken, for an application about this child."""

    child_id: str = attrs.field(validator=non_empty)


@event_type("application_drafted")
@attrs.frozen
class ApplicationDrafted:
    """A worker started an application for a benefit on the child's behalf.

    ``amount_requested`` is for benefits paid once (medical assistance, say).
    """

    application_id: str = attrs.field(validator=non_empty)
    child_id: str = attrs.field(validator=non_empty)
    benefit: str = attrs.field(validator=non_empty)
    applicant: Applicant = Applicant.GUARDIAN
    amount_requested: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(positive)
    )
    note: str | None = attrs.field(metadata=SENSITIVE, default=None, validator=optional_non_empty)


@event_type("application_submitted")
@attrs.frozen
class ApplicationSubmitted:
    """The application was lodged at a township. ``exception`` is a supervisor's written
    justification for submitting it although the rules found the child does not qualify."""

    application_id: str = attrs.field(validator=non_empty)
    township: str = attrs.field(validator=non_empty)
    evidence: DecisionEvidence
    exception: str | None = attrs.field(default=None, validator=optional_non_empty)


@event_type("application_forwarded")
@attrs.frozen
class ApplicationForwarded:
    """The township it was lodged at sent it on to the township responsible for the child."""

    application_id: str = attrs.field(validator=non_empty)
    township: str = attrs.field(validator=non_empty)
    reason: str = attrs.field(validator=non_empty)


@event_type("evidence_requested")
@attrs.frozen
class EvidenceRequested:
    """The reviewing level asked for more evidence before it decides."""

    application_id: str = attrs.field(validator=non_empty)
    level: str = attrs.field(validator=non_empty)
    request: str = attrs.field(metadata=SENSITIVE, validator=non_empty)


@event_type("evidence_supplied")
@attrs.frozen
class EvidenceSupplied:
    """The evidence asked for was supplied; the application waits at its level again."""

    application_id: str = attrs.field(validator=non_empty)
    description: str = attrs.field(metadata=SENSITIVE, validator=non_empty)


@event_type("application_verified")
@attrs.frozen
class ApplicationVerified:
    """A level below the deciding one verified the application; it goes up a level."""

    application_id: str = attrs.field(validator=non_empty)
    level: str = attrs.field(validator=non_empty)
    evidence: DecisionEvidence
    note: str | None = attrs.field(metadata=SENSITIVE, default=None, validator=optional_non_empty)


@event_type("verification_failed")
@attrs.frozen
class VerificationFailed:
    """A level below the deciding one found the application does not hold: final."""

    application_id: str = attrs.field(validator=non_empty)
    level: str = attrs.field(validator=non_empty)
    reason: str = attrs.field(metadata=SENSITIVE, validator=non_empty)
    evidence: DecisionEvidence


@event_type("application_approved")
@attrs.frozen
class ApplicationApproved:
    """The deciding level approved: an entitlement starts in ``first_month`` at ``amount``."""

    application_id: str = attrs.field(validator=non_empty)
    level: str = attrs.field(validator=non_empty)
    first_month: str = attrs.field(validator=month_text)
    amount: int = attrs.field(validator=positive)
    evidence: DecisionEvidence
    note: str | None = attrs.field(metadata=SENSITIVE, default=None, validator=optional_non_empty)


@event_type("application_rejected")
@attrs.frozen
class ApplicationRejected:
    """The deciding level rejected the application, with a written reason: final."""

    application_id: str = attrs.field(validator=non_empty)
    level: str = attrs.field(validator=non_empty)
    reason: str = attrs.field(metadata=SENSITIVE, validator=non_empty)
    evidence: DecisionEvidence


@event_type("application_returned")
@attrs.frozen
class ApplicationReturned:
    """The deciding level sent the application back to the level below, with a written reason;
    it must be verified again before it can be approved."""

    application_id: str = attrs.field(validator=non_empty)
    level: str = attrs.field(validator=non_empty)
    reason: str = attrs.field(metadata=SENSITIVE, validator=non_empty)
    evidence: DecisionEvidence


@event_type("application_withdrawn")
@attrs.frozen
class ApplicationWithdrawn:
    """The application was withdrawn before a final decision: final."""

    application_id: str = attrs.field(validator=non_empty)
    reason: str | None = attrs.field(metadata=SENSITIVE, default=None, validator=optional_non_empty)
