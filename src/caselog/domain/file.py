"""The child file: one pure fold over a child's events, as of any moment.

``select`` picks the events a question may see (recorded by ``known_at``, effective by ``as_of``,
not voided or corrected by anything known by then) in ``(effective, position)`` order; ``fold``
turns them into a :class:`ChildFile`; ``as_of`` then applies what follows from the calendar alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import attrs

from caselog.domain import children as ch
from caselog.domain import lifecycle as lc
from caselog.domain import visits as vs
from caselog.domain.benefits import BENEFIT_EVENTS, Application, Entitlement, fold_benefits
from caselog.domain.categories import CategoriesRecorded
from caselog.domain.codes import FileStatus, HowFound, Sex
from caselog.domain.corrections import EventCorrected, EventVoided
from caselog.domain.households import HouseholdEconomicStatusRecorded
from caselog.events.envelope import Event

__all__ = [
    "ADULT_AGE",
    "ChildFile",
    "Folding",
    "Source",
    "VisitDue",
    "age_on",
    "birthday_at",
    "day_of",
    "fold",
    "is_aged_out",
    "moment",
    "on_the_calendar",
    "select",
    "voided_ids",
]

ADULT_AGE = 18


_MIDNIGHTS: dict[date, datetime] = {}  # moments of days already asked for: folds sort by them


def moment(value: date | datetime) -> datetime:
    """Return an effective time as an instant: a date counts from the start of its day (UTC)."""
    if isinstance(value, datetime):
        return value
    found = _MIDNIGHTS.get(value)
    if found is None:
        if len(_MIDNIGHTS) >= 100_000:
            _MIDNIGHTS.clear()
        found = _MIDNIGHTS[value] = datetime.combine(value, time.min, tzinfo=UTC)
    return found


def day_of(value: date | datetime) -> date:
    """Return the day of an effective time: a datetime's own date, a date itself."""
    return value.date() if isinstance(value, datetime) else value


def _as_of_limit(as_of: date | datetime) -> datetime:
    """Return the first instant after ``as_of``: a date means the whole day."""
    if isinstance(as_of, datetime):
        return as_of + timedelta(microseconds=1)
    return moment(as_of + timedelta(days=1))


def age_on(birth_date: date, day: date) -> int:
    """Return the age in whole years on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def voided_ids(known: Iterable[Event[Any]]) -> set[str]:
    """Return the ids of events voided or corrected by fixes that are themselves in force."""
    undone: set[str] = set()
    for event in sorted(known, key=lambda e: e.position, reverse=True):
        # latest first: a void of a void restores the event the first one voided
        data = event.data
        if not isinstance(data, EventVoided | EventCorrected):
            continue
        if event.event_id in undone:
            if isinstance(data, EventCorrected):
                undone.add(data.replacement)  # an undone correction takes its replacement along
            continue
        undone.add(data.target)
    return undone


def _in_order(event: Event[Any]) -> tuple[datetime, int]:
    return moment(event.effective), event.position


def select(
    events: Iterable[Event[Any]],
    *,
    as_of: date | datetime | None = None,
    known_at: datetime | None = None,
) -> list[Event[Any]]:
    """Return the events that hold for the question, in the order they are folded."""
    known = [e for e in events if known_at is None or e.recorded <= known_at]
    limit = None if as_of is None else _as_of_limit(as_of)
    if not any(isinstance(e.data, EventVoided | EventCorrected) for e in known):
        chosen = known if limit is None else [e for e in known if moment(e.effective) < limit]
        return sorted(chosen, key=_in_order)  # nothing undone, nothing replaced
    undone = voided_ids(known)
    positions = {e.event_id: e.position for e in known}
    replaced: dict[str, int] = {}  # a replacement sorts where the event it replaces first stood
    for event in sorted(known, key=lambda e: e.position):
        data = event.data
        if isinstance(data, EventCorrected) and event.event_id not in undone:
            replaced[data.replacement] = replaced.get(data.target, positions.get(data.target, 0))
    chosen = [
        e
        for e in known
        if e.event_id not in undone and (limit is None or moment(e.effective) < limit)
    ]
    return sorted(chosen, key=lambda e: (moment(e.effective), replaced.get(e.event_id, e.position)))


@attrs.frozen
class VisitDue:
    """A visit due in the window ``[due_from, due_by]``, overdue after ``due_by``, and why."""

    due_from: date
    due_by: date
    reason: str

    def is_overdue(self, on: date) -> bool:
        """True after the due date."""
        return on > self.due_by


@attrs.frozen
class Source:
    """Where a fact of the file comes from: the event, and the effective time it holds from."""

    kind: str
    event_id: str
    effective: date | datetime


@attrs.frozen
class ChildFile:
    """What is known of one child at one moment: identity, family, care, needs, visits, status,
    and the child's applications and entitlements (with their payments).

    Facts hold the latest payload of their kind. ``basis`` says, for each kind of fact, which event
    it comes from and since when it holds, for the rules and for auditors.
    """

    child_id: str
    name: str
    sex: Sex
    birth_date: date
    village: str
    household_id: str
    registered_on: date | datetime
    id_number: str | None = None
    hukou_place: str | None = None
    ethnicity: str | None = None
    how_found: HowFound = HowFound.CENSUS
    status: FileStatus = FileStatus.ACTIVE
    status_since: date | datetime | None = None
    father: ch.ParentStatusRecorded | None = None
    mother: ch.ParentStatusRecorded | None = None
    care: ch.CareArrangementRecorded | None = None
    schooling: ch.SchoolingRecorded | None = None
    health: ch.HealthRecorded | None = None
    disability: ch.DisabilityRecorded | None = None
    needs: ch.NeedsAssessed | None = None
    risk: ch.RiskAssessed | None = None
    household_economic_status: HouseholdEconomicStatusRecorded | None = None
    categories: CategoriesRecorded | None = None
    last_visit: date | datetime | None = None
    scheduled_visits: tuple[vs.VisitScheduled, ...] = ()
    open_concerns: tuple[vs.ConcernReported, ...] = ()
    followed_up: tuple[str, ...] = ()  # concerns someone has followed up, resolved or not
    duplicates: tuple[str, ...] = ()
    basis: tuple[Source, ...] = ()
    version: int = 0
    next_visit: VisitDue | None = None  # set when the file is read with a rule set
    applications: tuple[Application, ...] = ()
    entitlements: tuple[Entitlement, ...] = ()

    def age_on(self, day: date) -> int:
        """The child's age in whole years on ``day``."""
        return age_on(self.birth_date, day)

    @property
    def is_open(self) -> bool:
        """True while the file is active (neither moved out, closed, deceased nor aged out)."""
        return self.status is FileStatus.ACTIVE

    def fact_event(self, kind: str) -> str | None:
        """Return the id of the event the fact of this kind comes from."""
        source = self.source(kind)
        return None if source is None else source.event_id

    def source(self, kind: str) -> Source | None:
        """Return where the fact of this kind comes from, if the file has one."""
        return next((source for source in self.basis if source.kind == kind), None)


def _replacer(cls: type[ChildFile]) -> Callable[..., ChildFile]:
    """A faster ``attrs.evolve`` for the file: the class's fields are known once, so each call
    is one call of the class."""
    names = [field.name for field in attrs.fields(cls)]
    arguments = ", ".join(f"changes.get({name!r}, file.{name})" for name in names)
    namespace: dict[str, Any] = {"cls": cls, "names": frozenset(names)}
    source = (
        "def replace(file, /, **changes):\n"
        "    if not names.issuperset(changes):\n"
        "        raise TypeError(f'no such fields: {sorted(set(changes) - names)}')\n"
        f"    return cls({arguments})\n"
    )
    exec(source, namespace)
    replace: Callable[..., ChildFile] = namespace["replace"]
    return replace


_evolve = _replacer(ChildFile)

_FIELDS = tuple(field.name for field in attrs.fields(ChildFile))


class _Draft:
    """A file while it is folded: the fields of :class:`ChildFile`, changed in place, so that
    an event costs the fields it changes rather than a new file. :meth:`Folding.file` hands out
    frozen files; :meth:`Folding.peek` the draft itself, to be read at once."""

    __slots__ = _FIELDS

    age_on = ChildFile.age_on
    is_open = ChildFile.is_open
    fact_event = ChildFile.fact_event
    source = ChildFile.source


def _converters() -> tuple[Callable[[ChildFile], Any], Callable[[Any], ChildFile]]:
    """Generated copies between a file and a draft, field by field."""
    namespace: dict[str, Any] = {"ChildFile": ChildFile, "Draft": _Draft}
    copy = "".join(f"    draft.{name} = file.{name}\n" for name in _FIELDS)
    arguments = ", ".join(f"draft.{name}" for name in _FIELDS)  # positional: in field order
    source = (
        "def to_draft(file):\n"
        "    draft = Draft()\n"
        f"{copy}"
        "    return draft\n"
        "def to_file(draft):\n"
        f"    return ChildFile({arguments})\n"
    )
    exec(source, namespace)
    return namespace["to_draft"], namespace["to_file"]


_to_draft, _to_file = _converters()

Draft = Any  # a _Draft: its fields are those of ChildFile
_Handler = Callable[[Draft, Any, Event[Any]], None]


def _fact(kind: str) -> _Handler:
    def handle(file: Draft, data: Any, event: Event[Any]) -> None:
        source = Source(kind, event.event_id, event.effective)
        file.basis = (*[s for s in file.basis if s.kind != kind], source)
        setattr(file, kind, data)

    return handle


_PARENTS = {kind: _fact(kind) for kind in ("father", "mother")}


def _parent(file: Draft, data: ch.ParentStatusRecorded, event: Event[Any]) -> None:
    _PARENTS[data.parent.value](file, data, event)


def _status(status: FileStatus) -> _Handler:
    def handle(file: Draft, data: Any, event: Event[Any]) -> None:
        if file.status is FileStatus.DECEASED:
            return  # death is final; only voiding the death undoes it
        file.status = status
        file.status_since = event.effective

    return handle


def _scheduled(file: Draft, data: vs.VisitScheduled, event: Event[Any]) -> None:
    file.scheduled_visits = (*file.scheduled_visits, data)


def _unschedule(file: Draft, visit_id: str) -> tuple[vs.VisitScheduled, ...]:
    return tuple(v for v in file.scheduled_visits if v.visit_id != visit_id)


def _visited(file: Draft, data: vs.VisitCompleted, event: Event[Any]) -> None:
    file.last_visit = event.effective
    if file.scheduled_visits:
        file.scheduled_visits = _unschedule(file, data.visit_id)
    if data.concern_ids:
        ids = data.concern_ids
        file.open_concerns = tuple(c for c in file.open_concerns if c.concern_id not in ids)
        file.followed_up = (*file.followed_up, *sorted(ids))


def _cancelled(file: Draft, data: vs.VisitCancelled, event: Event[Any]) -> None:
    file.scheduled_visits = _unschedule(file, data.visit_id)


def _concern(file: Draft, data: vs.ConcernReported, event: Event[Any]) -> None:
    source = Source(f"concern:{data.concern_id}", event.event_id, event.effective)
    file.open_concerns = (*file.open_concerns, data)
    file.basis = (*file.basis, source)


def _followed_up(file: Draft, data: vs.ConcernFollowedUp, event: Event[Any]) -> None:
    file.followed_up = (*file.followed_up, data.concern_id)
    if data.is_resolved:
        concern = data.concern_id
        file.open_concerns = tuple(c for c in file.open_concerns if c.concern_id != concern)


def _moved_in(file: Draft, data: lc.ChildMovedIn, event: Event[Any]) -> None:
    if file.status is FileStatus.DECEASED:
        return
    household = data.household_id or file.household_id
    if household != file.household_id:
        file.household_economic_status = None
        file.basis = tuple(s for s in file.basis if s.kind != "household_economic_status")
    file.village = data.village
    file.household_id = household
    file.status = FileStatus.ACTIVE
    file.status_since = event.effective


def _merged(file: Draft, data: lc.ChildRecordsMerged, event: Event[Any]) -> None:
    file.duplicates = (*file.duplicates, data.duplicate_id)


_MEANS = _fact("household_economic_status")


def _economy(file: Draft, data: HouseholdEconomicStatusRecorded, event: Event[Any]) -> None:
    if data.household_id == file.household_id:
        _MEANS(file, data, event)


def _registered(file: Draft, data: ch.ChildRegistered, event: Event[Any]) -> None:
    """A second registration on the same stream (a correction's replacement) restates identity."""
    file.name = data.name
    file.sex = data.sex
    file.birth_date = data.birth_date
    file.id_number = data.id_number
    file.hukou_place = data.hukou_place
    file.ethnicity = data.ethnicity
    file.how_found = data.how_found


_HANDLERS: dict[type, _Handler] = {
    ch.ChildRegistered: _registered,
    ch.ParentStatusRecorded: _parent,
    ch.CareArrangementRecorded: _fact("care"),
    ch.SchoolingRecorded: _fact("schooling"),
    ch.HealthRecorded: _fact("health"),
    ch.DisabilityRecorded: _fact("disability"),
    ch.NeedsAssessed: _fact("needs"),
    ch.RiskAssessed: _fact("risk"),
    CategoriesRecorded: _fact("categories"),
    HouseholdEconomicStatusRecorded: _economy,
    vs.VisitScheduled: _scheduled,
    vs.VisitCompleted: _visited,
    vs.VisitCancelled: _cancelled,
    vs.ConcernReported: _concern,
    vs.ConcernFollowedUp: _followed_up,
    lc.ChildMovedOut: _status(FileStatus.MOVED_OUT),
    lc.ChildMovedIn: _moved_in,
    lc.CaseClosed: _status(FileStatus.CLOSED),
    lc.CaseReopened: _status(FileStatus.ACTIVE),
    lc.ChildDied: _status(FileStatus.DECEASED),
    lc.ChildRecordsMerged: _merged,
}


def _blank() -> Callable[[], Any]:
    """A generated maker of a draft holding the file's defaults, for :func:`_opened`."""
    namespace: dict[str, Any] = {"Draft": _Draft}
    lines = []
    for field in attrs.fields(ChildFile):
        if field.default is not attrs.NOTHING:
            namespace[f"default_{field.name}"] = field.default
            lines.append(f"    draft.{field.name} = default_{field.name}\n")
    source = "def blank():\n    draft = Draft()\n" + "".join(lines) + "    return draft\n"
    exec(source, namespace)
    blank: Callable[[], Any] = namespace["blank"]
    return blank


_new_draft = _blank()


def _opened(data: ch.ChildRegistered, event: Event[Any]) -> Draft:
    """The draft of a file a registration opens."""
    file = _new_draft()
    file.child_id = data.child_id
    file.village = data.village
    file.household_id = data.household_id
    file.registered_on = event.effective
    file.status_since = event.effective
    _registered(file, data, event)
    return file


class Folding:
    """A fold kept open: events are added one at a time, in the order :func:`select` puts them,
    and :meth:`file` reads the file folded so far without ending the fold.

    :func:`fold` is one ``Folding`` run to the end; a reader that learns of new events sorting
    after those already added (a projection catching up) adds only those.
    """

    __slots__ = ("_benefits", "_draft", "_file", "_means", "_version")

    def __init__(self) -> None:
        self._draft: Draft | None = None
        self._file: ChildFile | None = None  # the draft as a file, until the next event
        self._means: dict[str, tuple[HouseholdEconomicStatusRecorded, Event[Any]]] = {}
        self._benefits: list[Event[Any]] = []
        self._version = 0

    def add(self, event: Event[Any]) -> None:
        """Fold in one more event."""
        data = event.data
        kind = type(data)
        if kind in BENEFIT_EVENTS:
            self._benefits.append(event)
            self._file = None
            return
        if kind is HouseholdEconomicStatusRecorded:
            self._means[data.household_id] = (data, event)  # whoever lives there
        draft = self._draft
        if draft is None:
            if kind is ch.ChildRegistered:
                draft = self._draft = _opened(data, event)
                _with_means(draft, self._means)
        else:
            handler = _HANDLERS.get(kind)
            if handler is not None:
                handler(draft, data, event)
            if kind is lc.ChildMovedIn:
                _with_means(draft, self._means)
        if draft is not None:
            self._file = None
            if event.version > self._version and event.stream[:6] == "child:":
                self._version = event.version

    def file(self) -> ChildFile | None:
        """The file folded so far; None until the child is registered."""
        if self._file is not None:
            return self._file
        draft = self.peek()
        if draft is None:
            return None
        file = self._file = _to_file(draft)
        return file

    def peek(self) -> ChildFile | None:
        """The file folded so far without copying it: what :meth:`file` would return, but
        changed by the next :meth:`add`, so to be read at once and not kept (a reader that
        writes a row of it, say). None until the child is registered."""
        if self._file is not None:
            return self._file
        draft = self._draft
        if draft is None:
            return None
        draft.version = self._version
        if self._benefits:
            folded = fold_benefits(self._benefits)
            draft.applications = folded.applications
            draft.entitlements = folded.entitlements
        view: ChildFile = draft  # the same fields and reading methods
        return view


def fold(events: Iterable[Event[Any]]) -> ChildFile | None:
    """Fold selected events into the file; None until the child is registered."""
    folding = Folding()
    for event in events:
        folding.add(event)
    return folding.file()


def _with_means(
    file: Draft, means: dict[str, tuple[HouseholdEconomicStatusRecorded, Event[Any]]]
) -> None:
    """Give a file the latest means of the household it lives in, recorded before it came."""
    if file.household_economic_status is None and file.household_id in means:
        _economy(file, *means[file.household_id])


def is_aged_out(file: ChildFile, day: date) -> bool:
    """True when the calendar closes an active file on ``day``: the child is 18."""
    return file.status is FileStatus.ACTIVE and age_on(file.birth_date, day) >= ADULT_AGE


def on_the_calendar(file: ChildFile, day: date) -> ChildFile:
    """Apply what follows from the calendar alone: an active file ages out at 18."""
    if is_aged_out(file, day):
        birthday = birthday_at(file.birth_date, ADULT_AGE)
        return _evolve(file, status=FileStatus.AGED_OUT, status_since=birthday)
    return file


def birthday_at(birth_date: date, years: int) -> date:
    """Return the day a child turns ``years`` old; a 29 February birthday falls on 1 March."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return date(birth_date.year + years, 3, 1)
