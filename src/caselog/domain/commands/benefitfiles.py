"""What the application, entitlement and payment commands share: finding an application's child,
the child's benefits as they stand, the standard in force, and the checks of every step."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from caselog.domain.applications import StandardSeen
from caselog.domain.benefits import (
    Benefits,
    benefits_stream,
    fold_benefits,
    standard_amounts,
    standard_stream,
    with_standards,
)
from caselog.domain.calendar import check_month
from caselog.domain.casefiles import CaseFiles
from caselog.domain.codes import AreaLevel, Role
from caselog.domain.file import moment
from caselog.errors import ValidationError
from caselog.events.envelope import Event, Metadata

__all__ = [
    "BenefitFiles",
    "ChildBenefits",
    "application_stream",
    "check_id",
    "standard_in_force",
    "written",
]

Effective = date | datetime

LEVEL_ROLE = {"township": Role.TOWNSHIP_SUPERVISOR, "county": Role.COUNTY_OFFICER}
"""The role that reviews at each level of a review chain."""


_ID = re.compile(r"[^\x00-\x1f\x7f\ud800-\udfff]{1,150}")


def check_id(field: str, value: object) -> str:
    """Return ``value`` if it can name an application: 1 to 150 printable characters."""
    if not isinstance(value, str) or not value.strip() or not _ID.fullmatch(value):
        raise ValidationError(field, f"{value!r} is not an id (1 to 150 printable characters)")
    return value


def written(field: str, value: object) -> str:
    """Return ``value`` if it is a written reason (text with something in it), or refuse it."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, "a written reason is required")
    return value


def application_stream(application_id: str) -> str:
    """The stream that holds an application id's claim."""
    return f"application:{application_id}"


def standard_in_force(events: list[Event[Any]], month: str) -> StandardSeen | None:
    """The standard in force in ``month`` among a county's standards: the latest set from that
    month or before (of two from the same month, the later recorded)."""
    found: Event[Any] | None = None
    for event in events:
        if event.data.from_month <= month and (
            found is None or event.data.from_month >= found.data.from_month
        ):
            found = event
    if found is None:
        return None
    data = found.data
    return StandardSeen(data.area, data.monthly_amount, data.from_month, found.event_id)


class ChildBenefits:
    """A child's benefits stream as read: the events, the folded state, the version."""

    def __init__(self, child_id: str, events: list[Event[Any]]) -> None:
        self.child_id = child_id
        self.events = events
        self.state: Benefits = fold_benefits(events)
        self.version = events[-1].version if events else 0


class BenefitFiles(CaseFiles):
    """Reads and checks shared by the benefit commands."""

    def _benefits(self, child_id: str) -> ChildBenefits:
        """The child's benefits now, each monthly allowance with its county's standards."""
        found = ChildBenefits(child_id, self.read_stream(benefits_stream(child_id)))
        found.state = with_standards(
            found.state, lambda benefit, county: standard_amounts(self._standards(benefit, county))
        )
        return found

    def _owner(self, application_id: str, *, field: str = "application_id") -> str:
        """Return the child an application (or the entitlement it started) is about."""
        check_id(field, application_id)
        claim = self.read_stream(application_stream(application_id), last=1)
        if not claim:
            raise ValidationError(field, f"no application {application_id!r} is recorded")
        child_id: str = claim[0].data.child_id
        return child_id

    def _check_order(self, benefits: ChildBenefits, effective: Effective) -> None:
        """Refuse a step dated before the last step of the child's benefits: they are recorded
        in the order they happened, so the stream's order is their order in time."""
        self._check_effective(effective)
        if benefits.events and moment(effective) < moment(benefits.events[-1].effective):
            last = benefits.events[-1]
            raise ValidationError(
                "effective", f"{effective} is before the last step ({last.type}) on "
                f"{last.effective}",
            )  # fmt: skip

    def _reviewer(self, actor: str, level: str, township: str, doing: str) -> Metadata:
        """Authorize ``actor`` to act at ``level`` for an application at ``township``."""
        directory = self.directory()
        meta = directory.authorize(actor, "review_application", area=township)
        wanted = LEVEL_ROLE[level]
        if meta.role != wanted.value:
            raise ValidationError(
                "actor", f"a {meta.role} may not {doing} at the {level}: that is for a {wanted}"
            )
        return meta

    def _township(self, code: str, *, field: str = "township") -> str:
        if self.directory().area(code, field=field).level is not AreaLevel.TOWNSHIP:
            raise ValidationError(field, f"{code!r} is not a township")
        return code

    def _standards(self, benefit: str, county: str) -> list[Event[Any]]:
        return self.read_stream(standard_stream(benefit, county))

    def _county_of(self, township: str) -> str:
        parent = self.directory().area(township, field="township").parent
        if parent is None:
            raise ValidationError("township", f"{township!r} is not under a county")
        return parent

    @staticmethod
    def _month(field: str, value: object) -> str:
        return check_month(field, value)
