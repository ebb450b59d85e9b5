"""When a child's next visit falls due, by the visit rules of the rule set."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from caselog.domain.categories import CategoriesRecorded
from caselog.domain.children import RiskAssessed
from caselog.domain.codes import RiskLevel
from caselog.domain.file import ChildFile, VisitDue
from caselog.domain.rules.ruleset import VisitRules

__all__ = ["VisitDue", "next_visit", "visit_interval"]


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def visit_interval(
    categories: CategoriesRecorded | None, risk: RiskAssessed | None, rules: VisitRules
) -> tuple[int, str]:
    """The days between routine visits of a file with these categories and this risk, and why:
    the most demanding category (of those visited as often, the first by name), or high risk."""
    labels = {c.category for c in categories.categories} if categories else {"general"}
    intervals: dict[int, str] = {}
    for label in sorted(labels):
        if label in rules.every_days:
            intervals.setdefault(rules.every_days[label], label)
    if risk is not None and risk.level is RiskLevel.HIGH:
        intervals.setdefault(rules.high_risk_days, "high risk")
    days = min(intervals, default=rules.every_days.get("general", 365))
    return days, f"every {days} days ({intervals.get(days, 'general')})"


def next_visit(
    file: ChildFile, rules: VisitRules, *, interval: tuple[int, str] | None = None
) -> VisitDue:
    """Return the next visit due: the routine one, or sooner to follow up an open concern.
    ``interval`` is :func:`visit_interval` of the file, when the caller has it already."""
    days, reason = interval or visit_interval(file.categories, file.risk, rules)
    last = _day(file.last_visit or file.registered_on)
    due_by = last + timedelta(days=days)
    due = VisitDue(max(last, due_by - timedelta(days=rules.window_days)), due_by, reason)
    for concern in file.open_concerns:
        if concern.concern_id in file.followed_up:
            continue  # seen to within its time; the routine schedule applies again
        source = file.source(f"concern:{concern.concern_id}")
        reported = _day(source.effective) if source else due.due_from
        follow_up = reported + timedelta(days=rules.concern_follow_up_days)
        if follow_up < due.due_by:
            due = VisitDue(reported, follow_up, f"follow up concern {concern.concern_id}")
    return due
