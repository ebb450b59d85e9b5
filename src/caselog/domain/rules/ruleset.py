"""Rule sets: the parameters of classification, as data per jurisdiction.

caselog ships ``national.toml``. A jurisdiction's file names the set it ``extends`` and overrides
only what differs; tables merge key by key, other values replace. The rule set's ``name`` and
``version`` go into every classification recorded under it.
"""

from __future__ import annotations

import functools
import tomllib
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import cattrs

from caselog.domain.codes import DisabilityType, ParentSituation
from caselog.errors import ValidationError

__all__ = [
    "CATEGORIES",
    "CONDITIONS",
    "BenefitRules",
    "ReviewStep",
    "RuleSet",
    "VisitRules",
    "load_rule_set",
    "national_rule_set",
]


@attrs.frozen
class LeftBehindRules:
    below_age: int
    away: frozenset[str]
    incapable: frozenset[str]
    requires_cross_county: bool
    min_months_away: int


@attrs.frozen
class OrphanRules:
    below_age: int
    absent: frozenset[str]


@attrs.frozen
class DeFactoRules:
    below_age: int
    unable: frozenset[str]
    severe_disability_grades: frozenset[int]
    mental_disability_grades: frozenset[int]
    mental_disability_kinds: frozenset[str]
    restricted: frozenset[str]
    min_months_restricted: int
    lost_contact: frozenset[str]
    min_months_lost_contact: int
    gone: frozenset[str]
    gone_other: frozenset[str]


@attrs.frozen
class DifficultyRules:
    below_age: int
    subtypes: dict[str, frozenset[str]]


@attrs.frozen
class AgeRules:
    below_age: int


@attrs.frozen
class GeneralRules:
    unless: frozenset[str]


@attrs.frozen
class VisitRules:
    """How often children are visited, by category and risk, and how soon concerns are seen."""

    window_days: int
    high_risk_days: int
    concern_follow_up_days: int
    every_days: dict[str, int]


@attrs.frozen
class ReviewStep:
    """One level of a benefit's review chain and its time limit in working days."""

    level: str
    working_days: int


@attrs.frozen
class BenefitRules:
    """One benefit: who qualifies, how it is reviewed, and how it is paid.

    ``qualifying`` names the categories that qualify a child (any one of them); ``excludes`` the
    benefits a child may not hold at the same time; ``review`` the chain of levels, the last of
    which decides; ``payment`` is ``monthly`` (at the area's standard) or ``once`` (the amount
    the decision grants); ``review_at_age`` the age at which the entitlement is due for review.
    """

    title: str
    qualifying: frozenset[str]
    review: tuple[ReviewStep, ...]
    payment: str
    public_posting: bool = False
    excludes: frozenset[str] = frozenset()
    review_at_age: int | None = None

    @property
    def is_monthly(self) -> bool:
        """True for an allowance paid every month."""
        return self.payment == "monthly"


@attrs.frozen
class RuleSet:
    """One version of a jurisdiction's classification rules."""

    name: str
    version: str
    requires_supervisor_confirmation: bool
    left_behind: LeftBehindRules
    orphan: OrphanRules
    de_facto_unsupported: DeFactoRules
    in_difficulty: DifficultyRules
    disabled: AgeRules
    general: GeneralRules
    visits: VisitRules
    benefits: dict[str, BenefitRules] = attrs.Factory(dict)
    holidays: frozenset[date] = frozenset()

    def benefit(self, name: str) -> BenefitRules:
        """Return a benefit's rules, or refuse the ``benefit`` field."""
        try:
            return self.benefits[name]
        except (KeyError, TypeError):
            known = ", ".join(sorted(self.benefits))
            raise ValidationError("benefit", f"{name!r} is not one of {known}") from None

    @property
    def label(self) -> str:
        """``name@version``, as recorded with each classification."""
        return f"{self.name}@{self.version}"


_converter = cattrs.Converter(forbid_extra_keys=True)
_converter.register_structure_hook(
    date, lambda value, _: value if isinstance(value, date) else date.fromisoformat(value)
)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError("rule_set", f"{origin} is not valid TOML: {exc}") from None


def _national_data() -> dict[str, Any]:
    text = resources.files("caselog.domain.rules").joinpath("national.toml").read_text("utf-8")
    return _read(text, "national.toml")


def _structure(data: dict[str, Any], origin: str) -> RuleSet:
    try:
        rules = _converter.structure(data, RuleSet)
    except cattrs.BaseValidationError as exc:
        reasons = "; ".join(cattrs.transform_error(exc, "rule set"))
        raise ValidationError("rule_set", f"{origin}: {reasons}") from None
    _check_names(rules, origin)
    return rules


CONDITIONS = frozenset({
    "minimum_living_guarantee", "extreme_poverty", "own_disability", "own_serious_illness",
    "abuse_concern", "neglect_concern", "abandonment_concern", "injury_concern",
    "left_alone_concern", "living_alone", "carer_incapable",
})  # fmt: skip
"""The conditions subtypes of children in difficulty can be made of."""

CATEGORIES = frozenset(
    {"general", "left_behind", "orphan", "de_facto_unsupported", "in_difficulty", "disabled"}
)
"""The observed categories the classifier derives."""


def _check_names(rules: RuleSet, origin: str) -> None:
    """Refuse names the classifier does not know: a misspelt name would silently never match."""
    situations = {member.value for member in ParentSituation}
    named = {
        "left_behind": rules.left_behind.away | rules.left_behind.incapable,
        "orphan": rules.orphan.absent,
        "de_facto_unsupported": rules.de_facto_unsupported.unable
        | rules.de_facto_unsupported.restricted
        | rules.de_facto_unsupported.lost_contact
        | rules.de_facto_unsupported.gone
        | rules.de_facto_unsupported.gone_other,
    }
    for section, names in named.items():
        if unknown := names - situations:
            raise ValidationError(section, f"{origin}: unknown parent situations {sorted(unknown)}")
    for subtype, conditions in rules.in_difficulty.subtypes.items():
        if unknown := conditions - CONDITIONS:
            raise ValidationError(
                f"in_difficulty.subtypes.{subtype}",
                f"{origin}: unknown conditions {sorted(unknown)}",
            )
    for section, names in (
        ("general.unless", rules.general.unless),
        ("visits.every_days", frozenset(rules.visits.every_days)),
    ):
        if unknown := names - CATEGORIES:
            raise ValidationError(section, f"{origin}: unknown categories {sorted(unknown)}")
    rule = rules.de_facto_unsupported
    if bad := (rule.severe_disability_grades | rule.mental_disability_grades) - {1, 2, 3, 4}:
        raise ValidationError("de_facto_unsupported", f"{origin}: grades {sorted(bad)} are not 1-4")
    _check_benefits(rules, origin)
    kinds = {member.value for member in DisabilityType}
    if unknown := rules.de_facto_unsupported.mental_disability_kinds - kinds:
        raise ValidationError("de_facto_unsupported", f"{origin}: unknown kinds {sorted(unknown)}")


_REVIEW_LEVELS = ("township", "county")
_PAYMENTS = frozenset({"monthly", "once"})


def _check_benefits(rules: RuleSet, origin: str) -> None:
    """Refuse benefits that name unknown categories, benefits, levels or payment kinds, or
    whose review chain does not go up the tree."""
    for name, benefit in rules.benefits.items():
        field = f"benefits.{name}"
        if unknown := benefit.qualifying - CATEGORIES:
            raise ValidationError(field, f"{origin}: unknown categories {sorted(unknown)}")
        if unknown := benefit.excludes - set(rules.benefits):
            raise ValidationError(field, f"{origin}: unknown benefits {sorted(unknown)}")
        if benefit.payment not in _PAYMENTS:
            raise ValidationError(field, f"{origin}: payment must be monthly or once")
        levels = [step.level for step in benefit.review]
        if not levels or any(level not in _REVIEW_LEVELS for level in levels):
            raise ValidationError(field, f"{origin}: review levels must be township or county")
        if levels != sorted(set(levels), key=_REVIEW_LEVELS.index):
            raise ValidationError(field, f"{origin}: review goes up the tree, one step a level")
        if any(step.working_days <= 0 for step in benefit.review):
            raise ValidationError(field, f"{origin}: working days must be above zero")


@functools.cache
def national_rule_set() -> RuleSet:
    """Return the national default rule set shipped with caselog (read once; it is frozen)."""
    return _structure(_national_data(), "national.toml")


def load_rule_set(source: str | Path) -> RuleSet:
    """Read a jurisdiction's rule set from a TOML file path or TOML text.

    The file may ``extends = "national"`` and set only what differs.
    """
    is_path = isinstance(source, Path) or (isinstance(source, str) and source.endswith(".toml"))
    origin = str(source) if is_path else "rule set text"
    data = _read(Path(source).read_text("utf-8") if is_path else str(source), origin)
    base = data.pop("extends", None)
    if base is not None:
        if base != "national":
            raise ValidationError("extends", f"{base!r}: only 'national' can be extended")
        data = _merge(_national_data(), data)
    return _structure(data, origin)
