"""A child's valid-time history as known at one moment: where the file was open, with what
categories, day by day.

The history is computed with the same functions as :meth:`caselog.Caselog.child_file`: at each
day on which anything may change (an event takes effect, a category period starts or ends, the
child turns 18), the file is folded as of that day and the calendar applied. Between two such days
nothing changes, so the history is a list of pieces ``[valid_from, valid_to)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs

from caselog.domain import lifecycle as lc
from caselog.domain.categories import CategoriesRecorded
from caselog.domain.children import ChildRegistered
from caselog.domain.codes import FileStatus
from caselog.domain.corrections import EventCorrected, EventVoided
from caselog.domain.file import (
    ADULT_AGE,
    ChildFile,
    Folding,
    birthday_at,
    day_of,
    is_aged_out,
    moment,
    select,
)
from caselog.domain.rules.classify import holding_on
from caselog.domain.rules.ruleset import RuleSet
from caselog.events.envelope import Event

__all__ = ["RELEVANT", "Piece", "State", "history"]

RELEVANT = (
    ChildRegistered,
    CategoriesRecorded,
    lc.ChildMovedOut,
    lc.ChildMovedIn,
    lc.CaseClosed,
    lc.CaseReopened,
    lc.ChildDied,
    EventVoided,
    EventCorrected,
)
"""The payloads a child's caseload history depends on (a replacement is of its target's type)."""

_RELEVANT = frozenset(RELEVANT)
_FIXES = frozenset((EventVoided, EventCorrected))


@attrs.frozen
class State:
    """What counts of a child on a day: the open file's village, sex, birth date, categories."""

    village: str
    sex: str
    birth_date: date
    categories: tuple[tuple[str, str | None], ...]


@attrs.frozen
class Piece:
    """A state holding from ``valid_from`` until ``valid_to`` (exclusive; None: still holds)."""

    valid_from: date
    valid_to: date | None
    state: State


def _state(file: ChildFile | None, day: date, rules: RuleSet) -> State | None:
    if file is None or file.status is not FileStatus.ACTIVE or is_aged_out(file, day):
        return None  # on_the_calendar would say AGED_OUT
    labels: tuple[tuple[str, str | None], ...] = ()
    if file.categories is not None:
        held = holding_on(file.categories, day, rules)
        labels = tuple(sorted({(c.category, c.subtype) for c in held}, key=_label_key))
    return State(file.village, file.sex.value, file.birth_date, labels)


_NEXT_DAYS: dict[date, datetime] = {}  # the first instant after each day asked for


def _after_day(day: date) -> datetime:
    found = _NEXT_DAYS.get(day)
    if found is None:
        if len(_NEXT_DAYS) >= 100_000:
            _NEXT_DAYS.clear()
        found = _NEXT_DAYS[day] = moment(day + timedelta(days=1))
    return found


def _label_key(label: tuple[str, str | None]) -> tuple[str, str]:
    return label[0], label[1] or ""


def _days_of(event: Event[Any], days: set[date]) -> None:
    """Add the days on which ``event`` may change a history: the day it takes effect (both
    dates of a timestamp, its own and UTC's), its category periods' starts and ends, the 18th
    birthday it registers."""
    effective = event.effective
    if isinstance(effective, datetime):
        days.add(effective.date())
        days.add(moment(effective).astimezone(UTC).date())
    else:
        days.add(effective)
    data = event.data
    if type(data) is CategoriesRecorded:
        for period in data.categories:
            days.add(period.since)
            if period.until is not None:
                days.add(period.until)
    elif type(data) is ChildRegistered:
        days.add(birthday_at(data.birth_date, ADULT_AGE))


class _Walked:
    """What a history worked out, kept (in the ``memo`` of :func:`history`) so that the next
    history of the same child, knowing only later events more, goes on from where it differs:
    the events known, the fold of them all, the days walked, the pieces, the sort key of the
    last event folded, and the states the walk met (by file and day)."""

    __slots__ = ("days", "folding", "has_fixes", "known", "last", "pieces", "states")

    def __init__(self) -> None:
        self.known: list[Event[Any]] = []
        self.folding = Folding()
        self.days: set[date] = set()
        self.pieces: list[Piece] = []
        self.last: tuple[datetime, int] | None = None
        self.has_fixes = False
        self.states: dict[Any, Any] = {}


def history(
    events: Sequence[Event[Any]],
    *,
    known_at: datetime | None,
    rules: RuleSet,
    memo: dict[str, Any] | None = None,
) -> list[Piece]:
    """The child's open-file pieces as known at ``known_at`` (everything when None).

    ``memo``, a dictionary kept between calls for one child and one rule set, holds what the
    last call worked out. When a call knows the same events and more, all taking effect after
    those (no fix among them, nothing back-dated), the history before the first day they take
    effect stands, and only the days from then on are walked again.
    """
    known = [
        e
        for e in events
        if type(e.data) in _RELEVANT and (known_at is None or e.recorded <= known_at)
    ]
    walked: _Walked | None = None if memo is None else memo.get("walked")
    if memo is not None and walked is not None:
        try:
            pieces = _walk_on(walked, known, rules)
        except BaseException:
            del memo["walked"]  # half gone on: the next call starts anew
            raise
        if pieces is not None:
            return pieces
    fresh = _Walked()
    for event in known:
        _days_of(event, fresh.days)
    # The events a file as of a day sees are a prefix of those it sees as of any later day
    # (``select`` orders by effective time first): one fold, walked forward day by day.
    chosen = select(known)
    fresh.known = known
    fresh.has_fixes = len(chosen) != len(known) or any(type(e.data) in _FIXES for e in known)
    fresh.last = max(((moment(e.effective), e.position) for e in chosen), default=None)
    _walk(fresh, sorted(fresh.days), chosen, rules, {} if walked is None else walked.states)
    if memo is not None:
        memo["walked"] = fresh
    return list(fresh.pieces)


def _walk_on(walked: _Walked, known: list[Event[Any]], rules: RuleSet) -> list[Piece] | None:
    """The history of ``known`` from what ``walked`` worked out, or None when it cannot go on
    from there (see :func:`history`)."""
    count = len(walked.known)
    if len(known) < count or known[:count] != walked.known:  # the same objects compare at once
        return None  # not the same events first
    extra = known[count:]
    if not extra:
        return list(walked.pieces)
    if walked.has_fixes or any(type(e.data) in _FIXES for e in extra):
        return None  # a fix may reach anywhere back
    keyed = sorted(((moment(e.effective), e.position), e) for e in extra)
    if walked.last is not None and keyed[0][0] < walked.last:
        return None  # back-dated: sorts among the events folded
    own: set[date] = set()
    for event in extra:
        _days_of(event, own)
    first = min(day_of(e.effective) for e in extra)  # effective.date() or the date itself
    first = min(first, min(moment(e.effective).astimezone(UTC).date() for e in extra))
    if walked.last is not None and walked.last[0] >= _after_day(first):
        return None  # folded already an event that takes effect after that day
    # Days before ``first`` keep their states: the events added take effect later, and a new
    # day among them (a period's start) only splits a piece into two equal ones.
    pieces = [piece for piece in walked.pieces if piece.valid_from < first]
    if pieces and (pieces[-1].valid_to is None or pieces[-1].valid_to > first):
        pieces[-1] = Piece(pieces[-1].valid_from, first, pieces[-1].state)
    walked.days |= own
    walked.known = known
    walked.pieces = pieces
    walked.last = keyed[-1][0]
    chosen = [event for _, event in keyed]
    _walk(walked, sorted(day for day in walked.days if day >= first), chosen, rules,
          walked.states)  # fmt: skip
    return list(walked.pieces)


def _walk(
    walked: _Walked,
    ordered: list[date],
    chosen: list[Event[Any]],
    rules: RuleSet,
    states: dict[Any, Any],
) -> None:
    """Fold ``chosen`` into ``walked.folding`` day by day over ``ordered``, adding the pieces
    of the days the file is open; keep the states met in ``walked.states``."""
    starts = [moment(e.effective) for e in chosen]
    folding = walked.folding
    pieces = walked.pieces
    used: dict[Any, Any] = {}
    folded = 0
    for n, day in enumerate(ordered):
        limit = _after_day(day)
        while folded < len(chosen) and starts[folded] < limit:
            folding.add(chosen[folded])
            folded += 1
        file = folding.peek()
        if file is None or file.status is not FileStatus.ACTIVE:
            continue
        recorded = file.categories  # held with its state, so that its id stays its own
        key = (file.village, file.sex, file.birth_date, id(recorded), day)
        found = states.get(key)
        if found is None:
            found = (recorded, _state(file, day, rules))
        used[key] = found
        state = found[1]
        if state is None:
            continue
        until = ordered[n + 1] if n + 1 < len(ordered) else None
        last = pieces[-1] if pieces else None
        if (
            last is not None
            and last.valid_to == day
            and (last.state is state or last.state == state)
        ):
            pieces[-1] = Piece(last.valid_from, until, state)
        else:
            pieces.append(Piece(day, until, state))
    for event in chosen[folded:]:  # none left: the last day is each event's own or later
        folding.add(event)
    walked.states = used
