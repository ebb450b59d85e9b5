"""Classification commands: what the rules propose, and recording it for one child or all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from caselog.domain.casefiles import CaseFiles, child_stream
from caselog.domain.codes import Role
from caselog.domain.file import day_of
from caselog.domain.rules.classify import Classification, classify
from caselog.domain.rules.ruleset import RuleSet
from caselog.errors import ValidationError
from caselog.events.envelope import Event

__all__ = ["CategoryCommands"]

Effective = date | datetime


class CategoryCommands(CaseFiles):
    """Proposals of the rules, and recording them."""

    def proposed_categories(
        self, child_id: str, *, on: date | None = None, rules: RuleSet | None = None
    ) -> Classification:
        """Return the categories the rules (by default the log's) find for the child on ``on``."""
        day = on or self._today()
        file = self.child_file(child_id, as_of=day)
        if file is None:
            raise ValidationError("on", f"child {child_id!r} was not registered on {day}")
        return classify(file, day, rules or self.rules)

    def classify(self, child_id: str, *, actor: str, effective: Effective) -> Event[Any] | None:
        """Record the child's categories on ``effective`` if the rules find others than the
        file has; return the event, or None when nothing changed."""
        found = self.proposed_categories(child_id, on=day_of(effective))
        file = self._open_file(child_id, effective)
        if file.categories is not None and self._same(file.categories.categories, found):
            return None
        meta = self.directory().authorize(actor, "record_fact", area=file.village)
        writes = [(child_stream(child_id), [self._recorded(child_id, found, meta)], file.version)]
        return self._append(writes, effective=effective, meta=meta)[0]

    def reclassify_all(
        self, *, actor: str, effective: Effective, rules: RuleSet | None = None
    ) -> list[Event[Any]]:
        """Classify every open file in the actor's area under ``rules`` (an admin's to change;
        they become the log's rules) and record, in one append, only the files whose categories
        change."""
        self._check_effective(effective)
        directory = self.directory()
        worker = directory.workers.get(actor)
        if rules is not None and (worker is None or worker.role is not Role.ADMIN):
            raise ValidationError("rules", "only an admin changes the log's rules")
        meta = directory.authorize(actor, "reclassify", area=worker.area if worker else None)
        use = rules or self.rules
        writes: list[tuple[str, list[Any], int]] = []
        for child_id in self.child_ids():
            now = self.child_file(child_id)
            if (
                now is None
                or not now.is_open
                or not directory.is_within(now.village, meta.area or "")
            ):
                continue
            then = self.child_file(child_id, as_of=effective)
            if then is None or not then.is_open:
                continue
            found = classify(then, day_of(effective), use)
            if then.categories is None or not self._same(then.categories.categories, found):
                recorded = self._recorded(child_id, found, meta, rules=use)
                writes.append((child_stream(child_id), [recorded], now.version))
        events = self._append(writes, effective=effective, meta=meta) if writes else []
        self.rules = use
        return events

    def confirm_categories(self, child_id: str, *, actor: str, effective: Effective) -> Event[Any]:
        """A township supervisor confirms the child's categories as the rules find them, where
        the jurisdiction's rules require it."""
        found = self.proposed_categories(child_id, on=day_of(effective))
        file = self._open_file(child_id, effective)
        meta = self.directory().authorize(actor, "confirm_categories", area=file.village)
        writes = [(child_stream(child_id), [self._recorded(child_id, found, meta)], file.version)]
        return self._append(writes, effective=effective, meta=meta)[0]

    def child_ids(self) -> Iterator[str]:
        """Yield the id of every child ever registered, in order of registration."""
        after = 0
        while page := self.store.read_log(after=after, limit=1000):
            for record in page:
                if record.type == "child_registered" and record.version == 1:
                    yield record.stream.removeprefix("child:")
            after = page[-1].position

    @staticmethod
    def _same(current: Any, found: Classification) -> bool:
        return frozenset((c.category, c.subtype) for c in current) == frozenset(
            (c.category, c.subtype) for c in found.categories
        )
