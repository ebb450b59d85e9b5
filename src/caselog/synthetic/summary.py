"""What a demo run wrote, counted from the log."""

from __future__ import annotations

from collections import Counter
from datetime import date

import attrs

from caselog.store import EventStore

__all__ = ["DemoSummary", "count_types"]

_OUTCOMES = {
    "approved": "application_approved",
    "rejected": "application_rejected",
    "returned": "application_returned",
    "withdrawn": "application_withdrawn",
    "verification failed": "verification_failed",
}


def count_types(store: EventStore, *, page_size: int = 5000) -> Counter[str]:
    """Count the store's events by type, reading the log page by page."""
    counts: Counter[str] = Counter()
    after = 0
    while page := store.read_log(after=after, limit=page_size):
        counts.update(record.type for record in page)
        after = page[-1].position
    return counts


@attrs.frozen
class DemoSummary:
    """The size of a generated programme: how many of each thing the log holds, the story's
    first and last day, and the village of the programme's report."""

    events: int
    areas: int
    workers: int
    households: int
    children: int
    visits: int
    corrections: int
    applications: dict[str, int]
    payments: int
    first_day: date
    last_day: date
    example_village: str
    event_types: dict[str, int] = attrs.field(factory=dict, repr=False)

    @classmethod
    def of(
        cls, counts: Counter[str], *, first_day: date, last_day: date, example_village: str
    ) -> DemoSummary:
        """Build the summary from the log's counts of events by type."""
        return cls(
            events=sum(counts.values()),
            areas=counts["area_registered"],
            workers=counts["worker_registered"],
            households=counts["household_registered"],
            children=counts["child_registered"],
            visits=counts["visit_completed"],
            corrections=counts["event_corrected"],
            applications={outcome: counts[kind] for outcome, kind in _OUTCOMES.items()},
            payments=counts["payment_issued"] + counts["payment_reissued"],
            first_day=first_day,
            last_day=last_day,
            example_village=example_village,
            event_types=dict(sorted(counts.items())),
        )

    def lines(self) -> list[str]:
        """The summary as lines of text, for printing."""
        outcomes = ", ".join(f"{count} {outcome}" for outcome, count in self.applications.items())
        return [
            f"story: {self.first_day} to {self.last_day}",
            f"events: {self.events}",
            f"areas: {self.areas}, workers: {self.workers}",
            f"households: {self.households}, children: {self.children}",
            f"visits: {self.visits}, corrections: {self.corrections}",
            f"applications: {outcomes}",
            f"payments: {self.payments}",
            f"the report's village: {self.example_village} "
            f"(try: caseload --area {self.example_village} --as-of {self.last_day})",
        ]
