"""When a child's next visit falls due, by the visit rules of the rule set."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from caselog.domain.codes import RiskLevel
from caselog.domain.file import ChildFile, VisitDue
from caselog.domain.rules.ruleset import VisitRules

__all__ = ["VisitDue", "next_visit"]


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _routine(file: ChildFile, rules: VisitRules) -> VisitDue:
    labels = {c.category for c in file.categories.categories} if file.categories else {"general"}
    intervals: dict[int, str] = {}
    for label in sorted(labels):  # of categories visited as often, the first by name is named
        if label in rules.every_days:
            intervals.setdefault(rules.every_days[label], label)
    if file.risk is not None and file.risk.level is RiskLevel.HIGH:
        intervals.setdefault(rules.high_risk_days, "high risk")
    days = min(intervals, default=rules.every_days.get("general", 365))
    last = _day(file.last_visit or file.registered_on)
    due_by = last + timedelta(days=days)
    due_from = max(last, due_by - timedelta(days=rules.window_days))
    return VisitDue(due_from, due_by, f"every {days} days ({intervals.get(days, 'general')})")


def next_visit(file: ChildFile, rules: VisitRules) -> VisitDue:
    """Return the next visit due: the routine one, or sooner to follow up an open concern."""
    due = _routine(file, rules)
    for concern in file.open_concerns:
        if concern.concern_id in file.followed_up:
            continue  # seen to within its time; the routine schedule applies again
        source = file.source(f"concern:{concern.concern_id}")
        reported = _day(source.effective) if source else due.due_from
        follow_up = reported + timedelta(days=rules.concern_follow_up_days)
        if follow_up < due.due_by:
            due = VisitDue(reported, follow_up, f"follow up concern {concern.concern_id}")
    return due
