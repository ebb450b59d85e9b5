"""Entitlements started by approvals, the payments made under them, and benefit standards.

An entitlement is named by the application whose approval started it; its events and its
payments are recorded in the child's benefits stream. A county's standards of a benefit are
recorded in ``standard:{benefit}:{county}``; a monthly allowance pays, each month, the standard in
force that month.
"""

from __future__ import annotations

import attrs

from caselog.domain.applications import StandardSeen
from caselog.domain.calendar import month_text
from caselog.domain.checks import non_empty, optional_non_empty, positive
from caselog.domain.codes import TerminationReason
from caselog.events.registry import event_type
from caselog.privacy import SENSITIVE

__all__ = [
    "BenefitStandardSet",
    "EntitlementAmountChanged",
    "EntitlementResumed",
    "EntitlementStarted",
    "EntitlementSuspended",
    "EntitlementTerminated",
    "PaymentConfirmed",
    "PaymentFailed",
    "PaymentIssued",
    "PaymentReissued",
    "PaymentReversed",
]

_optional_month = attrs.validators.optional(month_text)


@event_type("benefit_standard_set")
@attrs.frozen
class BenefitStandardSet:
    """A county (``area``) set the monthly amount of a benefit, from a month on."""

    benefit: str = attrs.field(validator=non_empty)
    area: str = attrs.field(validator=non_empty)
    monthly_amount: int = attrs.field(validator=positive)
    from_month: str = attrs.field(validator=month_text)


@event_type("entitlement_started")
@attrs.frozen
class EntitlementStarted:
    """An approval started an entitlement: paid from ``first_month`` (or once, when
    ``last_month`` is ``first_month``) at ``amount``, the county's standard then for a monthly
    allowance. ``area`` is the township it was decided for, ``county`` the county that manages
    it and whose standards it follows; ``approval`` is the id of the approval event whose
    evidence it relied on."""

    entitlement_id: str = attrs.field(validator=non_empty)
    child_id: str = attrs.field(validator=non_empty)
    benefit: str = attrs.field(validator=non_empty)
    area: str = attrs.field(validator=non_empty)
    county: str = attrs.field(validator=non_empty)
    first_month: str = attrs.field(validator=month_text)
    amount: int = attrs.field(validator=positive)
    approval: str = attrs.field(validator=non_empty)
    last_month: str | None = attrs.field(default=None, validator=_optional_month)
    standard: StandardSeen | None = None


@event_type("entitlement_amount_changed")
@attrs.frozen
class EntitlementAmountChanged:
    """The county set this entitlement's monthly amount by hand, from ``from_month`` until a
    later change or a standard from a later month."""

    entitlement_id: str = attrs.field(validator=non_empty)
    from_month: str = attrs.field(validator=month_text)
    amount: int = attrs.field(validator=positive)
    reason: str = attrs.field(validator=non_empty)


@event_type("entitlement_suspended")
@attrs.frozen
class EntitlementSuspended:
    """Nothing is paid from ``from_month`` until the entitlement resumes."""

    entitlement_id: str = attrs.field(validator=non_empty)
    from_month: str = attrs.field(validator=month_text)
    reason: str = attrs.field(metadata=SENSITIVE, validator=non_empty)


@event_type("entitlement_resumed")
@attrs.frozen
class EntitlementResumed:
    """Payment resumes from ``from_month``."""

    entitlement_id: str = attrs.field(validator=non_empty)
    from_month: str = attrs.field(validator=month_text)
    note: str | None = attrs.field(metadata=SENSITIVE, default=None, validator=optional_non_empty)


@event_type("entitlement_terminated")
@attrs.frozen
class EntitlementTerminated:
    """The entitlement ended: ``last_month`` is the last month it pays. Final."""

    entitlement_id: str = attrs.field(validator=non_empty)
    reason: TerminationReason
    last_month: str = attrs.field(validator=month_text)
    note: str | None = attrs.field(metadata=SENSITIVE, default=None, validator=optional_non_empty)


@event_type("payment_issued")
@attrs.frozen
class PaymentIssued:
    """A month's payment was sent."""

    entitlement_id: str = attrs.field(validator=non_empty)
    month: str = attrs.field(validator=month_text)
    amount: int = attrs.field(validator=positive)
    reference: str | None = attrs.field(default=None, validator=optional_non_empty)


@event_type("payment_confirmed")
@attrs.frozen
class PaymentConfirmed:
    """A month's payment reached the family."""

    entitlement_id: str = attrs.field(validator=non_empty)
    month: str = attrs.field(validator=month_text)


@event_type("payment_failed")
@attrs.frozen
class PaymentFailed:
    """A month's payment did not arrive (a closed account, say); it can be reissued."""

    entitlement_id: str = attrs.field(validator=non_empty)
    month: str = attrs.field(validator=month_text)
    reason: str = attrs.field(validator=non_empty)


@event_type("payment_reissued")
@attrs.frozen
class PaymentReissued:
    """A failed payment was sent again."""

    entitlement_id: str = attrs.field(validator=non_empty)
    month: str = attrs.field(validator=month_text)
    reference: str | None = attrs.field(default=None, validator=optional_non_empty)


@event_type("payment_reversed")
@attrs.frozen
class PaymentReversed:
    """A payment was taken back (paid in error, say); the month counts as unpaid again."""

    entitlement_id: str = attrs.field(validator=non_empty)
    month: str = attrs.field(validator=month_text)
    reason: str = attrs.field(validator=non_empty)
