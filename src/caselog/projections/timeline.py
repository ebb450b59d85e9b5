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


def history(
    events: Sequence[Event[Any]],
    *,
    known_at: datetime | None,
    rules: RuleSet,
    memo: dict[Any, Any] | None = None,
) -> list[Piece]:
    """The child's open-file pieces as known at ``known_at`` (everything when None).

    ``memo``, a dictionary kept between calls for one child and one rule set, saves working out
    again the state of the same file on the same day (what a later moment mostly asks again); it
    holds what the last call used.
    """
    known = [
        e
        for e in events
        if type(e.data) in _RELEVANT and (known_at is None or e.recorded <= known_at)
    ]
    days: set[date] = set()
    for event in known:
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
    # The events a file as of a day sees are a prefix of those it sees as of any later day
    # (``select`` orders by effective time first): one fold, walked forward day by day.
    chosen = select(known)
    starts = [moment(e.effective) for e in chosen]
    folding = Folding()
    folded = 0
    pieces: list[Piece] = []
    ordered = sorted(days)
    states: dict[Any, Any] = {} if memo is None else memo
    used: dict[Any, Any] = {}
    for n, day in enumerate(ordered):
        limit = _after_day(day)
        while folded < len(chosen) and starts[folded] < limit:
            folding.add(chosen[folded])
            folded += 1
        file = folding.peek()
        if file is None or file.status is not FileStatus.ACTIVE:
            continue
        recorded = file.categories  # held in the memo with its state, so its id stays its own
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
    if memo is not None:
        memo.clear()
        memo.update(used)
    return pieces
