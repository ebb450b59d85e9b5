"""Whether a child qualifies for a benefit on a day, why, and the evidence a decision keeps.

Qualification is read from the rules, never inferred from what was paid: the rule set classifies
the child's file on the day, and the benefit qualifies the child when one of its categories
holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import attrs

from caselog.domain.applications import DecisionEvidence, EvidenceFact, StandardSeen
from caselog.domain.file import ChildFile, day_of
from caselog.domain.rules.classify import Classification, classify
from caselog.domain.rules.ruleset import RuleSet
from caselog.events.envelope import Event

__all__ = ["Eligibility", "eligibility", "evidence", "requirement"]


@attrs.frozen
class Eligibility:
    """The rules' answer: whether the child qualifies, the reason, and the classification."""

    benefit: str
    qualifies: bool
    reason: str
    classification: Classification


def requirement(category: str, rules: RuleSet) -> str:
    """Say in words what the rule set requires for a category."""
    if category == "orphan":
        absent = " or ".join(sorted(rules.orphan.absent))
        return f"both parents {absent}, under {rules.orphan.below_age}"
    if category == "de_facto_unsupported":
        return (
            "both parents unable to raise the child, or one dead or missing and the other unable "
            f"or deported, under {rules.de_facto_unsupported.below_age}"
        )
    if category == "left_behind":
        rule = rules.left_behind
        return (
            f"under {rule.below_age}, both parents away for work or one away and the other "
            f"{' or '.join(sorted(rule.incapable))}"
        )
    if category == "in_difficulty":
        groups = ", ".join(sorted(rules.in_difficulty.subtypes))
        return f"under {rules.in_difficulty.below_age}, in one of: {groups}"
    if category == "disabled":
        return "a recorded disability"
    return "registered"


def _describe(labels: frozenset[tuple[str, str | None]]) -> str:
    named = sorted(f"{c} ({s})" if s else c for c, s in labels)
    return ", ".join(named) or "no category"


def eligibility(file: ChildFile, day: date, benefit: str, rules: RuleSet) -> Eligibility:
    """Return whether ``file``, as of ``day``, qualifies for ``benefit`` under ``rules``."""
    wanted = rules.benefit(benefit).qualifying
    found = classify(file, day, rules)
    labels = found.labels()
    holding = sorted({category for category, _ in labels} & wanted)
    if holding:
        reason = f"on {day} the rules ({rules.label}) find {', '.join(holding)}"
        return Eligibility(benefit, True, reason, found)
    needs = "; ".join(f"{c}: {requirement(c, rules)}" for c in sorted(wanted))
    reason = (
        f"on {day} the rules ({rules.label}) find {_describe(labels)}; "
        f"{benefit} needs one of {needs}"
    )
    return Eligibility(benefit, False, reason, found)


def evidence(
    file: ChildFile,
    events: Sequence[Event[Any]],
    found: Eligibility,
    *,
    known_at: datetime,
    standard: StandardSeen | None = None,
    at: date | datetime | None = None,
) -> DecisionEvidence:
    """Return what a decider sees: the categories holding on the day, the facts they rest on
    (each named by event id and stored hash), the answer of the rules, and the standard;
    ``at`` is the step's effective time, kept when it is an instant rather than a day."""
    by_id = {e.event_id: e for e in events}
    facts = tuple(
        EvidenceFact(
            source.kind,
            source.event_id,
            by_id[source.event_id].type,
            day_of(source.effective),
            by_id[source.event_id].hash,
        )
        for source in file.basis
        if source.kind != "categories" and source.event_id in by_id
    )
    classification = found.classification
    holding = tuple(c for c in classification.categories if (c.category, c.subtype) in
                    classification.labels())  # fmt: skip
    return DecisionEvidence(
        as_of=classification.on,
        known_at=known_at,
        file_version=file.version,
        rule_set=classification.rule_set,
        rule_version=classification.rule_version,
        categories=holding,
        qualifies=found.qualifies,
        reason=found.reason,
        facts=facts,
        standard=standard,
        at=at if isinstance(at, datetime) else None,
    )
