"""Reading case files from the log, and the checks every command on a child shares.

:class:`CaseFiles` is mixed into :class:`caselog.Caselog`; it needs the log's ``store``,
``read_stream``, ``append_streams``, ``iter_log`` and ``clock``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from caselog.domain.benefits import (
    Benefits,
    benefits_stream,
    standard_amounts,
    standard_stream,
    with_standards,
)
from caselog.domain.categories import CategoriesRecorded
from caselog.domain.children import ChildRegistered
from caselog.domain.codes import AreaLevel, FileStatus
from caselog.domain.directory import Directory
from caselog.domain.file import (
    ADULT_AGE,
    ChildFile,
    age_on,
    day_of,
    fold,
    moment,
    on_the_calendar,
    select,
)
from caselog.domain.households import HouseholdRegistered
from caselog.domain.lifecycle import ChildMovedIn
from caselog.domain.rules.classify import Classification, classify, on_the_day
from caselog.domain.rules.ruleset import RuleSet
from caselog.domain.rules.visits import next_visit
from caselog.errors import ConcurrencyError, ValidationError
from caselog.events.envelope import Event, Metadata, Pending, StreamWrite

if TYPE_CHECKING:
    from caselog.events.mapper import EventMapper
    from caselog.store import EventStore, Expected
    from caselog.times import Clock

__all__ = ["CaseFiles", "child_stream", "code", "household_stream", "id_number_stream"]

_DIRECTORY_TYPES = frozenset(
    {"area_registered", "worker_registered", "worker_assigned", "worker_deactivated"}
)


def child_stream(child_id: str) -> str:
    return f"child:{child_id}"


def household_stream(household_id: str) -> str:
    return f"household:{household_id}"


def id_number_stream(id_number: str) -> str:
    """The stream that holds an ID number's claims, named by a digest, not the number itself."""
    digest = hashlib.sha256(id_number.strip().upper().encode()).hexdigest()
    return f"id-number:{digest}"


def _check_moment(field: str, value: date | datetime | None) -> None:
    if value is None:
        return
    if not isinstance(value, date):
        raise ValidationError(field, f"expected a date or datetime, not {value!r}")
    if isinstance(value, datetime) and value.utcoffset() is None:
        raise ValidationError(field, f"{value} has no timezone")


def code(kind: type[Any], value: object, field: str) -> Any:
    """Return ``value`` as a member of the code list ``kind``, or refuse the field."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ValidationError(field, f"{value!r} is not one of {allowed}") from None


class CaseFiles:
    """Case-file reads (``child_file``, ``directory``) and the shared machinery of commands."""

    store: EventStore
    clock: Clock
    rules: RuleSet
    _mapper: EventMapper
    new_id: Callable[[], str]
    _directory_state: Directory | None = None

    if TYPE_CHECKING:

        def read_stream(
            self, stream: str, *, first: int = 1, last: int | None = None
        ) -> list[Event[Any]]: ...

        def append_streams(
            self,
            writes: Sequence[StreamWrite],
            *,
            effective: date | datetime | None = None,
            meta: Metadata = ...,
        ) -> list[Event[Any]]: ...

        def iter_log(self, *, after: int = 0, page_size: int = 1000) -> Iterator[Event[Any]]: ...

    def directory(self) -> Directory:
        """Return the areas and workers, caught up with the log."""
        if self._directory_state is None:
            self._directory_state = Directory()
        directory = self._directory_state
        after = directory.position
        while page := self.store.read_log(after=after, limit=1000):
            for record in page:
                if record.type in _DIRECTORY_TYPES:
                    directory.apply(self._mapper.event(record))
            after = page[-1].position
        directory.position = after
        return directory

    def _child_events(self, child_id: str) -> list[Event[Any]]:
        events = self.read_stream(child_stream(child_id))
        if not events:
            raise ValidationError("child_id", f"no child {child_id!r} is registered")
        households = {
            e.data.household_id
            for e in events
            if isinstance(e.data, ChildRegistered | ChildMovedIn) and e.data.household_id
        }
        for household in sorted(households):
            events += self.read_stream(household_stream(household))
        return events + self.read_stream(benefits_stream(child_id))

    def child_file(
        self,
        child_id: str,
        *,
        as_of: date | datetime | None = None,
        known_at: datetime | None = None,
    ) -> ChildFile | None:
        """Return the child's file as it stood on ``as_of``, as known at ``known_at``.

        Without ``as_of``, everything effective so far; without ``known_at``, everything recorded.
        None if the child was not registered by then.
        """
        _check_moment("as_of", as_of)
        if known_at is not None and not isinstance(known_at, datetime):
            raise ValidationError("known_at", f"expected an aware datetime, not {known_at!r}")
        _check_moment("known_at", known_at)
        return self._file_of(child_id, self._child_events(child_id), as_of, known_at)

    def _file_of(
        self,
        child_id: str,
        events: list[Event[Any]],
        as_of: date | datetime | None = None,
        known_at: datetime | None = None,
    ) -> ChildFile | None:
        """Fold a child's events, already read, into the file as ``child_file`` describes it."""
        file = fold(select(events, as_of=as_of, known_at=known_at))
        if file is None:
            return None
        stream = child_stream(child_id)
        version = max(e.version for e in events if e.stream == stream)
        file = attrs.evolve(file, version=version)  # what the next append must expect
        if file.entitlements:
            file = self._with_standards(file, as_of, known_at)
        day = day_of(as_of) if as_of is not None else self._today()
        file = on_the_calendar(file, day)
        if file.categories is not None:
            file = attrs.evolve(file, categories=on_the_day(file.categories, day, self.rules))
        if file.status is not FileStatus.ACTIVE:
            return file
        return attrs.evolve(file, next_visit=next_visit(file, self.rules.visits))

    def _with_standards(
        self, file: ChildFile, as_of: date | datetime | None, known_at: datetime | None
    ) -> ChildFile:
        """Give the file's monthly allowances their county's standards, as of and known at the
        question's moments."""

        def standards(benefit: str, county: str) -> tuple[tuple[str, int], ...]:
            events = self.read_stream(standard_stream(benefit, county))
            return standard_amounts(select(events, as_of=as_of, known_at=known_at))

        folded = with_standards(Benefits(file.applications, file.entitlements), standards)
        return attrs.evolve(file, entitlements=folded.entitlements)

    def _household(self, household_id: str) -> HouseholdRegistered:
        events = self.read_stream(household_stream(household_id), last=1)
        if not events:
            raise ValidationError("household_id", f"no household {household_id!r} is registered")
        registered: HouseholdRegistered = events[0].data
        return registered

    def _check_birth(self, birth_date: object, registered: date | datetime) -> None:
        """Refuse a birth date after the registration, or 18 years or more before it."""
        if not isinstance(birth_date, date) or isinstance(birth_date, datetime):
            raise ValidationError("birth_date", f"expected a date, not {birth_date!r}")
        day = day_of(registered)
        if birth_date > day:
            raise ValidationError("birth_date", f"{birth_date} is after the registration date")
        if age_on(birth_date, day) >= ADULT_AGE:
            raise ValidationError("birth_date", f"{birth_date} is 18 years or more before {day}")

    def _check_destination(self, village: str, household_id: str | None, actor: str) -> Metadata:
        """Refuse moving a child anywhere but a village, into a household elsewhere, or by a
        worker who does not work there; return what to record for the actor."""
        directory = self.directory()
        if directory.area(village, field="village").level is not AreaLevel.VILLAGE:
            raise ValidationError("village", f"{village!r} is not a village")
        if household_id is not None and self._household(household_id).village != village:
            raise ValidationError("household_id", f"{household_id!r} is not in {village}")
        return directory.authorize(actor, "move_child", area=village)

    def _today(self) -> date:
        return self.clock().date()

    def _check_effective(self, effective: date | datetime) -> None:
        if not isinstance(effective, date):
            raise ValidationError("effective", f"expected a date or datetime, not {effective!r}")
        _check_moment("effective", effective)
        latest_today = (self.clock() + timedelta(hours=14)).date()  # today somewhere on earth
        if (
            moment(effective) > self.clock()
            if isinstance(effective, datetime)
            else (effective > latest_today)
        ):
            raise ValidationError("effective", f"{effective} is in the future")

    def _open_file(
        self, child_id: str, effective: date | datetime, *, is_correction: bool = False
    ) -> ChildFile:
        """Return the child's file now, refusing a command at ``effective`` it cannot take."""
        return self._open(child_id, effective, is_correction=is_correction)[0]

    def _open(
        self, child_id: str, effective: date | datetime, *, is_correction: bool = False
    ) -> tuple[ChildFile, list[Event[Any]]]:
        """Like ``_open_file``, also returning the events read, so that they are read once."""
        self._check_effective(effective)
        events = self._child_events(child_id)
        now = self._file_of(child_id, events)
        if now is None:
            raise ValidationError("child_id", f"no child {child_id!r} is registered")
        if day_of(effective) < now.birth_date:
            raise ValidationError("effective", f"{effective} is before the child's birth")
        if is_correction:
            return now, events
        if now.status is FileStatus.DECEASED:
            raise ValidationError("child_id", f"child {child_id!r} has died; only corrections")
        then = self._file_of(child_id, events, as_of=effective)  # at the fold's own instant
        if then is None:
            raise ValidationError("effective", f"{effective} is before the file was opened")
        if then.status is not FileStatus.ACTIVE:
            raise ValidationError("effective", f"the file was {then.status} on {effective}")
        return now, events

    def _append(
        self,
        writes: Iterable[tuple[str, Sequence[Any], Expected]],
        *,
        effective: date | datetime,
        meta: Metadata,
        conflict: tuple[str, str] | None = None,
    ) -> list[Event[Any]]:
        """Append a command's events; with ``conflict``, a stream that exists already is refused
        as a validation error on that field, else a concurrent change raises ConcurrencyError."""
        normal = self._mapper.normalize
        try:
            return self.append_streams(
                [
                    StreamWrite(
                        stream,
                        [e if isinstance(e, Pending) else normal(e) for e in events],
                        expected,
                    )
                    for stream, events, expected in writes
                ],
                effective=effective,
                meta=meta,
            )
        except ConcurrencyError as exc:
            if conflict is None:
                raise
            field, reason = conflict
            raise ValidationError(field, reason) from exc

    def _record(
        self,
        child_id: str,
        payloads: Sequence[Any],
        *,
        command: str,
        actor: str,
        effective: date | datetime,
        is_correction: bool = False,
        is_classified: bool = False,
    ) -> list[Event[Any]]:
        """Append to an open file after the checks every command on a child shares.

        With ``is_classified``, the facts may change the child's categories: if the rules find
        others than the file has, a ``categories_recorded`` event joins the same append.
        """
        file, existing = self._open(child_id, effective, is_correction=is_correction)
        meta = self.directory().authorize(actor, command, area=file.village)
        pending: list[Any] = [self._pending(payload) for payload in payloads]
        if is_classified:
            pending += self._categories(child_id, existing, pending, effective, meta)
        writes = [(child_stream(child_id), pending, file.version)]
        return self._append(writes, effective=effective, meta=meta)

    def _pending(self, item: Any) -> Pending:
        """Wrap a payload with a fresh event id, in the form it will read back in."""
        if isinstance(item, Pending):
            return attrs.evolve(item, data=self._mapper.normalize(item.data))
        return Pending(self._mapper.normalize(item), event_id=self.new_id())

    def _categories(
        self,
        child_id: str,
        existing: list[Event[Any]],
        pending: list[Pending],
        effective: date | datetime,
        meta: Metadata,
    ) -> list[Pending]:
        """Return the categories events the new facts call for.

        A back-dated fact can change the categories from its date on, so the classification is
        checked at its date and again at each later date on which a fact of the file takes effect.
        """
        start = moment(effective)
        later = {
            moment(e.effective): e.effective
            for e in existing
            if moment(e.effective) > start and not e.stream.startswith("benefits:")
        }
        added: list[Pending] = []
        for point in [effective, *(later[key] for key in sorted(later))]:
            after = self._prospective(existing, [*pending, *added], effective, meta, as_of=point)
            if after is None:
                continue
            found = classify(after, day_of(point), self.rules)
            if after.categories is None or _labels(after.categories) != _labels(found):
                added.append(Pending(self._recorded(child_id, found, meta), effective=point))
        return added

    def _recorded(
        self,
        child_id: str,
        found: Classification,
        meta: Metadata,
        *,
        rules: RuleSet | None = None,
    ) -> CategoriesRecorded:
        required = (rules or self.rules).requires_supervisor_confirmation
        is_confirmed = meta.role == "township_supervisor" or not required
        return CategoriesRecorded(
            child_id,
            found.rule_set,
            found.rule_version,
            found.categories,
            found.basis,
            is_confirmed_by_supervisor=is_confirmed,
        )

    def _prospective(
        self,
        existing: list[Event[Any]],
        pending: list[Pending],
        effective: date | datetime,
        meta: Metadata,
        *,
        as_of: date | datetime | None = None,
    ) -> ChildFile | None:
        """Return the file as it will be on ``as_of`` (by default ``effective``, the date of
        pending events that have none of their own) once the pending events are stored."""
        as_of = effective if as_of is None else as_of
        now = self.clock()
        version = max((e.version for e in existing if e.stream.startswith("child:")), default=0)
        provisional = [
            Event(
                position=2**62 + n,
                stream="child:",
                version=version + n + 1,
                event_id=str(item.event_id),
                type="",
                schema=1,
                effective=item.effective or effective,
                recorded=now,
                actor=meta.actor,
                role=meta.role,
                area=meta.area,
                causation=None,
                correlation=None,
                device=None,
                data=item.data,
                hash="",
                chain="",
            )
            for n, item in enumerate(pending)
        ]
        file = fold(select([*existing, *provisional], as_of=as_of))
        return None if file is None else on_the_calendar(file, day_of(as_of))


def _labels(recorded: CategoriesRecorded | Classification) -> frozenset[tuple[str, str | None]]:
    """Every category recorded or found, those the calendar will start later included."""
    return frozenset((c.category, c.subtype) for c in recorded.categories)
