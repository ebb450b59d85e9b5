"""Observed categories, derived from a child's file on a day by a rule set.

Each finding carries the day it holds from and, where the calendar ends it (the 16th or 18th
birthday), the day it stops. The rules only propose; recording a classification is a command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime

import attrs

from caselog.domain.categories import CategoriesRecorded, CategoryPeriod
from caselog.domain.children import ParentStatusRecorded
from caselog.domain.codes import ConcernKind, HealthCondition
from caselog.domain.file import ChildFile, birthday_at
from caselog.domain.rules.ruleset import RuleSet

__all__ = ["Classification", "add_months", "classify", "holding_on", "on_the_day"]


@attrs.frozen
class Classification:
    """The categories a rule set finds for a file on a day, and the events it relied on."""

    rule_set: str
    rule_version: str
    categories: tuple[CategoryPeriod, ...]
    basis: tuple[str, ...]
    on: date

    def labels(self) -> frozenset[tuple[str, str | None]]:
        """The (category, subtype) pairs that hold on the day of the classification; periods
        that the calendar will start later (six months after contact was lost, say) are kept in
        ``categories`` but are not counted here."""
        return frozenset((c.category, c.subtype) for c in self.categories if _holds(c, self.on))


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later, or the month's last day when it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # every month has at least 28 days


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _from(file: ChildFile, kind: str) -> date:
    source = file.source(kind)
    return _day(source.effective) if source else _day(file.registered_on)


def _parents(file: ChildFile) -> Iterator[tuple[str, ParentStatusRecorded | None]]:
    yield "father", file.father
    yield "mother", file.mother


def _left_behind(file: ChildFile, on: date, rules: RuleSet) -> CategoryPeriod | None:
    rule = rules.left_behind

    def away(kind: str, parent: ParentStatusRecorded | None) -> date | None:
        if parent is None or parent.situation not in rule.away:
            return None
        if rule.requires_cross_county and not parent.is_cross_county:
            return None
        return add_months(parent.since or _from(file, kind), rule.min_months_away)

    def incapable(kind: str, parent: ParentStatusRecorded | None) -> date | None:
        return _from(file, kind) if parent and parent.situation in rule.incapable else None

    (f_kind, father), (m_kind, mother) = _parents(file)
    f_away, m_away = away(f_kind, father), away(m_kind, mother)
    if f_away and m_away:
        subtype, since = "both_parents_away", max(f_away, m_away)
    elif f_away and (m_unable := incapable(m_kind, mother)):
        subtype, since = "one_away_other_incapable", max(f_away, m_unable)
    elif m_away and (f_unable := incapable(f_kind, father)):
        subtype, since = "one_away_other_incapable", max(m_away, f_unable)
    else:
        return None
    return _until_age(file, "left_behind", since, rule.below_age, subtype)


def _until_age(
    file: ChildFile, category: str, since: date, age: int, subtype: str | None = None
) -> CategoryPeriod:
    since = max(since, _day(file.registered_on))
    return CategoryPeriod(category, since, subtype, birthday_at(file.birth_date, age))


def _orphan(file: ChildFile, on: date, rules: RuleSet) -> CategoryPeriod | None:
    absent = rules.orphan.absent
    (f_kind, father), (m_kind, mother) = _parents(file)
    if father and mother and father.situation in absent and mother.situation in absent:
        since = max(_from(file, f_kind), _from(file, m_kind))
        return _until_age(file, "orphan", since, rules.orphan.below_age)
    return None


_Span = tuple[date, date | None]  # from, until (exclusive; None: open)


def _unable(
    file: ChildFile, kind: str, parent: ParentStatusRecorded | None, on: date, rules: RuleSet
) -> _Span | None:
    """Return when a parent counts as unable to raise the child, if they do."""
    rule = rules.de_facto_unsupported
    if parent is None:
        return None
    situation, start = parent.situation, _from(file, kind)
    if situation in rule.unable:
        return start, None
    if situation == "severe_disability":
        return (start, None) if _is_severe(parent, rules) else None
    if situation in rule.restricted:
        began = parent.since or start
        is_long = parent.until is None or parent.until >= add_months(
            began, rule.min_months_restricted
        )
        return (start, parent.until) if is_long else None
    if situation in rule.lost_contact:
        return add_months(parent.since or start, rule.min_months_lost_contact), None
    return None


def _is_severe(parent: ParentStatusRecorded, rules: RuleSet) -> bool:
    rule, grade = rules.de_facto_unsupported, parent.disability_grade
    if grade in rule.severe_disability_grades:
        return True
    kind = parent.disability_kind
    return (
        kind is not None
        and kind in rule.mental_disability_kinds
        and (grade in rule.mental_disability_grades)
    )


def _de_facto(file: ChildFile, on: date, rules: RuleSet) -> CategoryPeriod | None:
    rule = rules.de_facto_unsupported
    (f_kind, father), (m_kind, mother) = _parents(file)
    f_unable = _unable(file, f_kind, father, on, rules)
    m_unable = _unable(file, m_kind, mother, on, rules)

    def gone(kind: str, parent: ParentStatusRecorded | None, names: frozenset[str]) -> _Span | None:
        return (_from(file, kind), None) if parent and parent.situation in names else None

    f_gone, m_gone = gone(f_kind, father, rule.gone), gone(m_kind, mother, rule.gone)
    m_other = m_unable or gone(m_kind, mother, rule.gone_other)
    f_other = f_unable or gone(f_kind, father, rule.gone_other)
    pairs = [(f_unable, m_unable), (f_gone, m_other), (m_gone, f_other)]
    spans = [_both(a, b) for a, b in pairs if a and b]
    if not spans:
        return None
    since, until = min(spans, key=lambda span: span[0])
    period = _until_age(file, "de_facto_unsupported", since, rule.below_age)
    if until is not None and (period.until is None or until < period.until):
        period = attrs.evolve(period, until=until)  # a parent's release ends it
    return period


def _both(one: _Span, other: _Span) -> _Span:
    """The span during which both hold."""
    ends = [end for end in (one[1], other[1]) if end is not None]
    return max(one[0], other[0]), min(ends, default=None)


def _has_concern(kind: ConcernKind) -> Callable[[ChildFile], str | None]:
    def holds(file: ChildFile) -> str | None:
        ids = [c.concern_id for c in file.open_concerns if c.kind is kind]
        return f"concern:{ids[0]}" if ids else None

    return holds


def _fact(kind: str, test: Callable[[ChildFile], bool]) -> Callable[[ChildFile], str | None]:
    return lambda file: kind if test(file) else None


_CONDITIONS: dict[str, Callable[[ChildFile], str | None]] = {
    "minimum_living_guarantee": _fact(
        "household_economic_status",
        lambda f: getattr(f.household_economic_status, "has_minimum_living_guarantee", False),
    ),
    "extreme_poverty": _fact(
        "household_economic_status",
        lambda f: getattr(f.household_economic_status, "is_extreme_poverty", False),
    ),
    "own_disability": _fact(
        "disability", lambda f: f.disability is not None and f.disability.kind is not None
    ),
    "own_serious_illness": _fact(
        "health",
        lambda f: f.health is not None and f.health.condition is HealthCondition.SERIOUS_ILLNESS,
    ),
    "abuse_concern": _has_concern(ConcernKind.ABUSE),
    "neglect_concern": _has_concern(ConcernKind.NEGLECT),
    "abandonment_concern": _has_concern(ConcernKind.ABANDONMENT),
    "injury_concern": _has_concern(ConcernKind.INJURY),
    "left_alone_concern": _has_concern(ConcernKind.LEFT_ALONE),
    "living_alone": _fact("care", lambda f: f.care is not None and f.care.is_living_alone),
    "carer_incapable": _fact("care", lambda f: f.care is not None and not f.care.is_carer_capable),
}
"""The conditions a jurisdiction's subtypes of children in difficulty are made of."""


def _in_difficulty(file: ChildFile, on: date, rules: RuleSet) -> Iterator[CategoryPeriod]:
    rule = rules.in_difficulty
    for subtype, conditions in sorted(rule.subtypes.items()):
        kinds = [_CONDITIONS[name](file) for name in sorted(conditions) if name in _CONDITIONS]
        held = [_from(file, kind) for kind in kinds if kind is not None]
        if held:
            yield _until_age(file, "in_difficulty", min(held), rule.below_age, subtype)


def _disabled(file: ChildFile, on: date, rules: RuleSet) -> CategoryPeriod | None:
    if file.disability is None or file.disability.kind is None:
        return None
    since = _from(file, "disability")
    kind = file.disability.kind.value
    return _until_age(file, "disabled", since, rules.disabled.below_age, kind)


def _holds(period: CategoryPeriod, on: date) -> bool:
    return period.since <= on and (period.until is None or on < period.until)


def classify(file: ChildFile, on: date, rules: RuleSet) -> Classification:
    """Return the categories ``rules`` find for ``file`` on day ``on``."""
    found: list[CategoryPeriod] = []
    orphan = _orphan(file, on, rules)
    for candidate in (_left_behind(file, on, rules), orphan, _disabled(file, on, rules)):
        if candidate is not None:
            found.append(candidate)
    if orphan is None or (orphan.until is not None and orphan.until <= on):
        de_facto = _de_facto(file, on, rules)  # orphan wins over de-facto unsupported
        found += [de_facto] if de_facto is not None else []
    found += _in_difficulty(file, on, rules)
    kept = [p for p in found if _holds(p, on) or (p.since > on and _holds(p, p.since))]
    if not {p.category for p in kept if _holds(p, on)} & rules.general.unless:
        kept.append(CategoryPeriod("general", _day(file.registered_on)))
    kept.sort(key=lambda p: (p.category, p.subtype or "", p.since))
    basis = tuple(sorted({s.event_id for s in file.basis if s.kind != "categories"}))
    return Classification(rules.name, rules.version, tuple(kept), basis, on)


def on_the_day(recorded: CategoriesRecorded, on: date, rules: RuleSet) -> CategoriesRecorded:
    """Return recorded categories as they stand on ``on``: periods the calendar has ended (a 16th
    or 18th birthday) drop out, and a child left with none of the others counts as general."""
    holding = holding_on(recorded, on, rules)
    if holding == recorded.categories:
        return recorded
    return attrs.evolve(recorded, categories=holding)


def holding_on(
    recorded: CategoriesRecorded, on: date, rules: RuleSet
) -> tuple[CategoryPeriod, ...]:
    """The periods of :func:`on_the_day`, without the record around them."""
    holding = [period for period in recorded.categories if _holds(period, on)]
    if {p.category for p in holding} & rules.general.unless:
        holding = [p for p in holding if p.category != "general"]  # a later start replaced it
    elif not any(p.category == "general" for p in holding):
        ended = max((p.until for p in recorded.categories if p.until is not None), default=on)
        holding.append(CategoryPeriod("general", min(ended, on)))
    return tuple(holding)
