"""Application commands: draft, submit, forward, evidence, verification, decision, withdrawal.

Each step is taken by the worker whose role and area own it: the village's workers draft,
submit, supply evidence and withdraw; each level of the benefit's review chain (a township
supervisor, then a county officer, by default) verifies or decides at the township the
application is lodged at. Verifications and decisions embed the evidence the decider saw.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from caselog.domain import applications as ap
from caselog.domain.benefits import Application, benefits_stream
from caselog.domain.calendar import month_of, next_month
from caselog.domain.casefiles import code
from caselog.domain.codes import Applicant, ApplicationStatus, EntitlementStatus, Role
from caselog.domain.commands.benefitfiles import (
    BenefitFiles,
    ChildBenefits,
    application_stream,
    check_id,
    standard_in_force,
    written,
)
from caselog.domain.eligibility import Eligibility, eligibility, evidence
from caselog.domain.entitlements import EntitlementStarted
from caselog.domain.explain import DecisionExplanation, recheck, review, steps_with_evidence
from caselog.domain.file import day_of
from caselog.domain.rules.ruleset import BenefitRules
from caselog.errors import ConcurrencyError, ValidationError
from caselog.events.envelope import Event, Metadata, Pending
from caselog.store import NO_STREAM, Expected

__all__ = ["ApplicationCommands"]

Effective = date | datetime

_WAITING = frozenset(
    {ApplicationStatus.SUBMITTED, ApplicationStatus.VERIFIED, ApplicationStatus.RETURNED}
)


class _Step:
    """An application read for a step: the child's benefits, the application, its rules."""

    def __init__(self, benefits: ChildBenefits, application: Application, rules: BenefitRules):
        self.benefits = benefits
        self.application = application
        self.rules = rules

    @property
    def level(self) -> str:
        return self.rules.review[self.application.stage].level

    @property
    def is_deciding(self) -> bool:
        return self.application.stage == len(self.rules.review) - 1


class ApplicationCommands(BenefitFiles):
    """Applications for benefits, from draft to decision."""

    def draft_application(
        self, application_id: str, child_id: str, benefit: str, *,
        applicant: Applicant = Applicant.GUARDIAN, amount_requested: int | None = None,
        note: str | None = None, actor: str, effective: Effective,
    ) -> Event[Any]:  # fmt: skip
        """Start an application for ``benefit`` on the child's behalf (not yet lodged)."""
        check_id("application_id", application_id)
        check_id("child_id", child_id)
        rules = self.rules.benefit(benefit)
        if rules.is_monthly and amount_requested is not None:
            raise ValidationError("amount_requested", f"{benefit} is paid at the county's standard")
        file, _ = self._open(child_id, effective)
        meta = self.directory().authorize(actor, "draft_application", area=file.village)
        benefits = self._benefits(child_id)
        self._check_order(benefits, effective)
        for other in benefits.state.applications:
            if other.benefit == benefit and not other.is_final:
                raise ValidationError(
                    "benefit", f"application {other.application_id!r} for {benefit} is open"
                )
        for held in benefits.state.entitlements:
            if (
                held.benefit == benefit
                and rules.is_monthly
                and held.status is not (EntitlementStatus.TERMINATED)
            ):
                raise ValidationError(
                    "benefit", f"the child holds {benefit} already ({held.entitlement_id!r})"
                )
        drafted = ap.ApplicationDrafted(
            application_id, child_id, benefit, code(Applicant, applicant, "applicant"),
            amount_requested, note,
        )  # fmt: skip
        writes: list[tuple[str, list[Any], Expected]] = [
            (application_stream(application_id), [ap.ApplicationIdClaimed(child_id)], NO_STREAM),
            (benefits_stream(child_id), [drafted], benefits.version),
        ]
        try:
            return self._append(writes, effective=effective, meta=meta)[1]
        except ConcurrencyError:
            if self.store.stream_version(application_stream(application_id)):
                raise ValidationError(
                    "application_id", f"application id {application_id!r} is taken"
                ) from None
            raise  # the child's benefits changed meanwhile: read again and retry

    def submit_application(
        self, application_id: str, *, township: str | None = None, exception: str | None = None,
        actor: str, effective: Effective,
    ) -> Event[Any]:  # fmt: skip
        """Lodge a draft at a township (by default the child's village's).

        Refused when the rules find the child does not qualify on ``effective``, unless a
        township supervisor records an ``exception`` with a written justification.
        """
        step = self._step(application_id, effective)
        self._expect(step, {ApplicationStatus.DRAFT}, "submitted")
        child = step.application.child_id
        file, events = self._open(child, effective)
        meta = self.directory().authorize(actor, "submit_application", area=file.village)
        where = self._township(township) if township is not None else self._home_township(
            file.village
        )  # fmt: skip
        then = self._file_then(child, events, effective)
        found = eligibility(then, day_of(effective), step.application.benefit, self.rules)
        self._allow(found, exception, meta)
        seen = evidence(then, events, found, known_at=self._known_at(events), at=effective)
        payload = ap.ApplicationSubmitted(application_id, where, seen, exception)
        return self._write_step(step, payload, effective, meta)

    def forward_application(
        self, application_id: str, township: str, *, reason: str, actor: str,
        effective: Effective,
    ) -> Event[Any]:  # fmt: skip
        """Send an application lodged at one township on to another (the child's, across a
        province line, say); by the first township, before it verifies."""
        step = self._step(application_id, effective)
        app = step.application
        self._expect(step, {ApplicationStatus.SUBMITTED, ApplicationStatus.EVIDENCE_REQUESTED},
                     "forwarded")  # fmt: skip
        if app.stage != 0:
            raise ValidationError("application_id", "it is past its first level")
        target = self._township(township)
        if target == app.township:
            raise ValidationError("township", f"the application is at {township} already")
        meta = self._reviewer(actor, step.level, app.township or "", "forward")
        payload = ap.ApplicationForwarded(application_id, target, written("reason", reason))
        return self._write_step(step, payload, effective, meta)

    def request_evidence(
        self, application_id: str, request: str, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """The level the application waits at asks for more evidence: a verifying level, or
        the only one (a deciding level above others returns the application instead)."""
        step = self._step(application_id, effective)
        self._expect(step, _WAITING, "asked for evidence")
        if step.is_deciding and len(step.rules.review) > 1:
            raise ValidationError(
                "application_id", f"the {step.level} decides: return it to the level below for "
                "more evidence, which is then verified again",
            )  # fmt: skip
        meta = self._reviewer(actor, step.level, step.application.township or "", "ask")
        payload = ap.EvidenceRequested(application_id, step.level, written("request", request))
        return self._write_step(step, payload, effective, meta)

    def supply_evidence(
        self, application_id: str, description: str, *, actor: str, effective: Effective
    ) -> Event[Any]:
        """The village's worker supplies the evidence asked for."""
        step = self._step(application_id, effective)
        self._expect(step, {ApplicationStatus.EVIDENCE_REQUESTED}, "supplied with evidence")
        file, _ = self._open(step.application.child_id, effective)
        meta = self.directory().authorize(actor, "supply_evidence", area=file.village)
        payload = ap.EvidenceSupplied(application_id, written("description", description))
        return self._write_step(step, payload, effective, meta)

    def verify_application(
        self, application_id: str, *, note: str | None = None, actor: str, effective: Effective
    ) -> Event[Any]:
        """A level below the deciding one verifies: the application goes up a level."""
        step = self._step(application_id, effective)
        self._expect(step, _WAITING, "verified")
        if step.is_deciding:
            raise ValidationError(
                "application_id", f"it waits at the {step.level}, which decides: approve, reject "
                "or return it",
            )  # fmt: skip
        meta = self._reviewer(actor, step.level, step.application.township or "", "verify")
        seen = self._evidence(step, effective, refuse=True)
        payload = ap.ApplicationVerified(application_id, step.level, seen, note)
        return self._write_step(step, payload, effective, meta)

    def fail_verification(
        self, application_id: str, *, reason: str, actor: str, effective: Effective
    ) -> Event[Any]:
        """A level below the deciding one finds the application does not hold: final."""
        step = self._step(application_id, effective)
        self._expect(step, _WAITING | {ApplicationStatus.EVIDENCE_REQUESTED}, "failed")
        if step.is_deciding:
            raise ValidationError("application_id", f"the {step.level} decides: reject it")
        meta = self._reviewer(actor, step.level, step.application.township or "", "verify")
        payload = ap.VerificationFailed(
            application_id, step.level, written("reason", reason), self._evidence(step, effective)
        )
        return self._write_step(step, payload, effective, meta)

    def approve_application(
        self, application_id: str, *, amount: int | None = None, note: str | None = None,
        actor: str, effective: Effective,
    ) -> list[Event[Any]]:  # fmt: skip
        """The deciding level approves: an entitlement starts the month after, at the area's
        standard (or, for a benefit paid once, at ``amount`` or the amount requested).

        Returns the approval and the entitlement it starts.
        """
        step = self._step(application_id, effective)
        self._expect(step, _WAITING, "approved")
        self._deciding(step)
        app = step.application
        meta = self._reviewer(actor, step.level, app.township or "", "approve")
        first = next_month(month_of(day_of(effective)))
        township = app.township or ""
        county = self._county_of(township)
        standards = self._standards(app.benefit, county)
        standard = standard_in_force(standards, first) if step.rules.is_monthly else None
        if step.rules.is_monthly:
            if amount is not None:
                raise ValidationError("amount", f"{app.benefit} is paid at the county's standard")
            if standard is None:
                raise ValidationError(
                    "benefit", f"no standard for {app.benefit} is set in {county} "
                    f"for {first}",
                )  # fmt: skip
            granted = standard.monthly_amount
        else:
            granted = self._once(amount, app)
        self._exclusive(step, first)
        seen = self._evidence(step, effective, refuse=True, standard=standard)
        approval_id = self.new_id()
        approval = Pending(
            ap.ApplicationApproved(application_id, step.level, first, granted, seen, note),
            event_id=approval_id,
        )
        started = EntitlementStarted(
            application_id, app.child_id, app.benefit, township, county, first, granted,
            approval_id, None if step.rules.is_monthly else first, standard,
        )  # fmt: skip
        writes = [(benefits_stream(app.child_id), [approval, started], step.benefits.version)]
        return self._append(writes, effective=effective, meta=meta)

    def reject_application(
        self, application_id: str, *, reason: str, actor: str, effective: Effective
    ) -> Event[Any]:
        """The deciding level rejects, with a written reason: final."""
        step = self._step(application_id, effective)
        self._expect(step, _WAITING | {ApplicationStatus.EVIDENCE_REQUESTED}, "rejected")
        self._deciding(step)
        meta = self._reviewer(actor, step.level, step.application.township or "", "reject")
        payload = ap.ApplicationRejected(
            application_id, step.level, written("reason", reason), self._evidence(step, effective)
        )
        return self._write_step(step, payload, effective, meta)

    def return_application(
        self, application_id: str, *, reason: str, actor: str, effective: Effective
    ) -> Event[Any]:
        """The deciding level sends the application back to the level below, with a written
        reason; that level must verify it again."""
        step = self._step(application_id, effective)
        self._expect(step, _WAITING, "returned")
        self._deciding(step)
        if len(step.rules.review) == 1:
            raise ValidationError("application_id", "no level below the deciding one")
        meta = self._reviewer(actor, step.level, step.application.township or "", "return")
        payload = ap.ApplicationReturned(
            application_id, step.level, written("reason", reason), self._evidence(step, effective)
        )
        return self._write_step(step, payload, effective, meta)

    def withdraw_application(
        self, application_id: str, *, reason: str | None = None, actor: str,
        effective: Effective,
    ) -> Event[Any]:  # fmt: skip
        """Withdraw an application before a final decision."""
        step = self._step(application_id, effective)
        self._expect(step, {s for s in ApplicationStatus if not s.is_final}, "withdrawn")
        file = self._open_file(step.application.child_id, effective, is_correction=True)
        meta = self.directory().authorize(actor, "withdraw_application", area=file.village)
        return self._write_step(
            step, ap.ApplicationWithdrawn(application_id, reason), effective, meta
        )

    def application(self, application_id: str) -> Application:
        """Return the application as it stands."""
        child = self._owner(application_id)
        found = self._benefits(child).state.application(application_id)
        assert found is not None  # the claim and the draft are appended together
        return found

    def explain_decision(self, application_id: str) -> DecisionExplanation:
        """Show an auditor each verification and decision of an application: the evidence as
        the decider saw it, and the same question asked again with today's knowledge of the
        same day, flagging steps that later back-dated corrections undermine."""
        app = self.application(application_id)
        events = self._child_events(app.child_id)
        reviews = []
        for step in steps_with_evidence(events, application_id):
            seen = step.data.evidence
            now = self._file_then(app.child_id, events, seen.at or seen.as_of)
            reviews.append(review(step, recheck(seen, app.benefit, now, events, self.rules)))
        return DecisionExplanation(app, tuple(reviews))

    # -- the checks every step shares

    def _step(self, application_id: str, effective: Effective) -> _Step:
        benefits = self._benefits(self._owner(application_id))
        app = benefits.state.application(application_id)
        assert app is not None  # the claim and the draft are appended together
        self._check_order(benefits, effective)
        return _Step(benefits, app, self.rules.benefit(app.benefit))

    @staticmethod
    def _expect(step: _Step, allowed: set[ApplicationStatus] | frozenset[Any], doing: str) -> None:
        app = step.application
        if app.status.is_final:
            raise ValidationError(
                "application_id",
                f"it was {app.status} on {app.decided_on}: nothing follows a final state",
            )
        if app.status not in allowed:
            raise ValidationError("application_id", f"a {app.status} application is not {doing}")

    @staticmethod
    def _deciding(step: _Step) -> None:
        if not step.is_deciding:
            below = ", ".join(s.level for s in step.rules.review[:-1])
            raise ValidationError(
                "application_id",
                f"it waits at the {step.level}: the {step.rules.review[-1].level} decides only "
                f"after the {below} verified it",
            )

    def _allow(self, found: Eligibility, exception: str | None, meta: Metadata) -> None:
        """Refuse an application the rules do not qualify, unless a supervisor excepts it; an
        exception is recorded only by a supervisor, and only where the rules call for one."""
        if exception is None:
            if not found.qualifies:
                raise ValidationError("benefit", found.reason)
            return
        if meta.role != Role.TOWNSHIP_SUPERVISOR.value:
            raise ValidationError("exception", "only a township supervisor records an exception")
        written("exception", exception)
        if found.qualifies:
            raise ValidationError("exception", f"no exception is needed: {found.reason}")

    def _evidence(
        self, step: _Step, effective: Effective, *, refuse: bool = False, standard: Any = None
    ) -> ap.DecisionEvidence:
        """Return what the decider sees; with ``refuse``, refuse a positive step the rules do
        not support (unless the application carries an exception)."""
        child = step.application.child_id
        events = self._child_events(child)
        then = self._file_then(child, events, effective)
        if refuse and not then.is_open:
            raise ValidationError("effective", f"the file was {then.status} on {effective}")
        found = eligibility(then, day_of(effective), step.application.benefit, self.rules)
        if refuse and not found.qualifies and step.application.exception is None:
            raise ValidationError("benefit", found.reason)
        known_at = self._known_at(events)
        return evidence(then, events, found, known_at=known_at, standard=standard, at=effective)

    def _file_then(self, child_id: str, events: list[Event[Any]], effective: Effective) -> Any:
        then = self._file_of(child_id, events, as_of=effective)
        if then is None:
            raise ValidationError("effective", f"{effective} is before the file was opened")
        return then

    def _known_at(self, events: list[Event[Any]]) -> datetime:
        """The moment the decider's view stands at: now, or the latest event they saw."""
        return max([self.clock(), *(e.recorded for e in events)])

    def _home_township(self, village: str) -> str:
        parent = self.directory().area(village, field="village").parent
        return self._township(parent or "", field="village")

    def _once(self, amount: int | None, app: Application) -> int:
        granted = amount if amount is not None else app.amount_requested
        if granted is None:
            raise ValidationError("amount", f"{app.benefit} is paid once: give the amount")
        if type(granted) is not int or granted <= 0:
            raise ValidationError("amount", f"{granted!r} is not a whole number above zero")
        return granted

    def _exclusive(self, step: _Step, first: str) -> None:
        """Refuse a second entitlement to the same benefit, or one to a benefit the child may
        not hold with one it holds, for months that overlap."""
        app = step.application
        for held in step.benefits.state.entitlements:
            excluded = held.benefit in step.rules.excludes or app.benefit in (
                self.rules.benefit(held.benefit).excludes if held.benefit in self.rules.benefits
                else frozenset()
            )  # fmt: skip
            if held.benefit != app.benefit and not excluded:
                continue
            if held.benefit == app.benefit and not held.is_monthly:
                continue  # a benefit paid once can be granted again
            if held.last_month is not None and held.last_month < first:
                continue
            raise ValidationError(
                "benefit", f"the child holds {held.benefit} ({held.entitlement_id!r}) from "
                f"{held.first_month}; one child cannot hold {app.benefit} with it: terminate it "
                f"before {first}",
            )  # fmt: skip

    def _write_step(
        self, step: _Step, payload: Any, effective: Effective, meta: Metadata
    ) -> Event[Any]:
        stream = benefits_stream(step.application.child_id)
        return self._append([(stream, [payload], step.benefits.version)], effective=effective,
                            meta=meta)[0]  # fmt: skip
