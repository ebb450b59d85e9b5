"""Explaining an application's decisions to an auditor.

Each verification and decision embeds the evidence its decider saw. An explanation shows it as
recorded, checks that the facts it names are still the stored bytes it names, and decides again
with today's knowledge of the same day: a decision later undermined by a back-dated correction
stands as correctly made on what was known, and is flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import attrs

from caselog.domain import applications as ap
from caselog.domain.benefits import Application
from caselog.domain.categories import CategoryPeriod
from caselog.domain.corrections import EventCorrected, EventVoided
from caselog.domain.eligibility import eligibility
from caselog.domain.file import ChildFile
from caselog.domain.rules.ruleset import RuleSet
from caselog.events.envelope import Event

__all__ = [
    "DecisionExplanation",
    "DecisionReview",
    "FactChange",
    "Recheck",
    "recheck",
    "review",
    "steps_with_evidence",
]

_POSITIVE = (ap.ApplicationSubmitted, ap.ApplicationVerified, ap.ApplicationApproved)
_STEPS = (*_POSITIVE, ap.VerificationFailed, ap.ApplicationRejected, ap.ApplicationReturned)


@attrs.frozen
class FactChange:
    """How a fact of the evidence differs in today's knowledge of the same day.

    ``change`` is ``voided`` or ``corrected`` (``by`` is the fixing event), ``superseded`` (a
    fact of the same kind, ``by``, was recorded later yet holds from before the day), or
    ``added`` (a fact the decider did not have, ``by`` itself).
    """

    kind: str
    event_id: str
    change: str
    by: str
    recorded: datetime
    effective: date | datetime


@attrs.frozen
class Recheck:
    """The same question asked again: the same day, today's knowledge."""

    qualifies: bool
    reason: str
    rules: str
    is_same_rules: bool
    categories: tuple[CategoryPeriod, ...]
    changes: tuple[FactChange, ...]
    altered_facts: tuple[str, ...]  # evidence facts whose stored hash is not the one recorded


@attrs.frozen
class DecisionReview:
    """One step that embeds evidence, what it saw, and how it looks now."""

    event_id: str
    step: str
    actor: str | None
    role: str | None
    effective: date | datetime
    recorded: datetime
    reason: str | None
    evidence: ap.DecisionEvidence
    recheck: Recheck

    @property
    def is_positive(self) -> bool:
        """True for a submission, verification or approval: steps that the rules must support."""
        return self.step in ("application_submitted", "application_verified",
                             "application_approved")  # fmt: skip

    @property
    def is_undermined(self) -> bool:
        """True if the rules supported the step on what was known then and do not on what is
        known now of the same day."""
        return self.is_positive and self.evidence.qualifies and not self.recheck.qualifies

    @property
    def would_decide_same(self) -> bool:
        """True if the rules answer now as they did for the decider."""
        return self.evidence.qualifies == self.recheck.qualifies


@attrs.frozen
class DecisionExplanation:
    """An application, each step's evidence as recorded, and each step rechecked."""

    application: Application
    decisions: tuple[DecisionReview, ...]

    @property
    def is_undermined(self) -> bool:
        """True if any step is undermined by what became known later."""
        return any(d.is_undermined for d in self.decisions)

    def __str__(self) -> str:
        app = self.application
        lines = [
            f"application {app.application_id}: {app.benefit} for {app.child_id}, {app.status}"
        ]
        for d in self.decisions:
            seen = d.evidence
            lines.append(
                f"- {d.step} on {d.effective} by {d.actor} ({d.role}), recorded {d.recorded}"
            )
            if d.reason:
                lines.append(f"  reason: {d.reason}")
            lines.append(f"  saw (known at {seen.known_at}): {seen.reason}")
            for fact in seen.facts:
                lines.append(
                    f"    {fact.kind}: {fact.event_type} {fact.event_id} from {fact.effective}"
                )
            now = d.recheck
            verdict = "same answer" if d.would_decide_same else "a different answer"
            lines.append(
                f"  today's knowledge of {seen.as_of} ({now.rules}): {verdict}: {now.reason}"
            )
            for change in now.changes:
                lines.append(
                    f"    {change.kind} {change.event_id} {change.change} by {change.by}, "
                    f"recorded {change.recorded}"
                )
            if d.is_undermined:
                lines.append("  UNDERMINED by later knowledge")
        return "\n".join(lines)


def _fix_of(event_id: str, events: Sequence[Event[Any]]) -> Event[Any] | None:
    for event in events:
        if isinstance(event.data, EventVoided | EventCorrected) and event.data.target == event_id:
            return event
    return None


def recheck(
    evidence: ap.DecisionEvidence,
    benefit: str,
    file_now: ChildFile,
    events: Sequence[Event[Any]],
    rules: RuleSet,
) -> Recheck:
    """Ask the decider's question again with ``file_now``, today's file as of the same day."""
    found = eligibility(file_now, evidence.as_of, benefit, rules)
    by_id = {e.event_id: e for e in events}
    then = {fact.event_id: fact for fact in evidence.facts}
    now = {s.event_id: s for s in file_now.basis if s.kind != "categories"}
    changes: list[FactChange] = []
    accounted: set[str] = set()  # facts of today's file that a change names already
    for event_id, fact in then.items():
        if event_id in now:
            continue
        fix = _fix_of(event_id, events)
        if fix is not None:
            how = "voided" if isinstance(fix.data, EventVoided) else "corrected"
            accounted.add(getattr(fix.data, "replacement", fix.event_id))
            changes.append(
                FactChange(fact.kind, event_id, how, fix.event_id, fix.recorded, fix.effective)
            )
            continue
        later = next((s for s in now.values() if s.kind == fact.kind), None)
        if later is not None:
            event = by_id[later.event_id]
            accounted.add(later.event_id)
            changes.append(FactChange(fact.kind, event_id, "superseded", later.event_id,
                                      event.recorded, event.effective))  # fmt: skip
    for event_id, source in now.items():
        if event_id not in then and event_id in by_id:
            event = by_id[event_id]
            if event.recorded > evidence.known_at and event_id not in accounted:
                changes.append(FactChange(source.kind, event_id, "added", event_id,
                                          event.recorded, event.effective))  # fmt: skip
    altered = tuple(
        fact.event_id
        for fact in evidence.facts
        if fact.event_id in by_id and by_id[fact.event_id].hash != fact.hash
    )
    classification = found.classification
    labels = classification.labels()
    return Recheck(
        qualifies=found.qualifies,
        reason=found.reason,
        rules=rules.label,
        is_same_rules=rules.label == f"{evidence.rule_set}@{evidence.rule_version}",
        categories=tuple(c for c in classification.categories if (c.category, c.subtype) in labels),
        changes=tuple(changes),
        altered_facts=altered,
    )


def review(event: Event[Any], result: Recheck) -> DecisionReview:
    """Put a step's event and its recheck together."""
    data = event.data
    return DecisionReview(
        event_id=event.event_id,
        step=event.type,
        actor=event.actor,
        role=event.role,
        effective=event.effective,
        recorded=event.recorded,
        reason=getattr(data, "reason", None) or getattr(data, "exception", None),
        evidence=data.evidence,
        recheck=result,
    )


def steps_with_evidence(events: Sequence[Event[Any]], application_id: str) -> list[Event[Any]]:
    """The application's events that embed evidence, in order."""
    return [
        e for e in events if isinstance(e.data, _STEPS) and e.data.application_id == application_id
    ]
