"""Hypothesis strategies for caselog's records, shared by the conformance suite and tests."""

from __future__ import annotations

import enum
import types
import typing
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import attrs
from hypothesis import reject
from hypothesis import strategies as st

from caselog.errors import ValidationError
from caselog.events.codec import canonical_json
from caselog.store import NewEvent

__all__ = [
    "event_ids",
    "json_payloads",
    "new_events",
    "payloads",
    "stream_names",
    "type_names",
    "validators",
]

_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=12
)


def event_ids() -> st.SearchStrategy[str]:
    """Random event ids in canonical UUID form."""
    return st.uuids(version=4).map(str)


def stream_names() -> st.SearchStrategy[str]:
    """Stream names from a small pool, so that streams are appended to more than once."""
    return st.sampled_from(["child-1", "child-2", "household-1", "village-a", "孩子-3"])


def type_names() -> st.SearchStrategy[str]:
    """Stable event type names."""
    return st.sampled_from(["child_registered", "visit_completed", "note_added"])


def json_payloads() -> st.SearchStrategy[str]:
    """Canonical JSON text of small objects, Chinese text and nesting included."""
    scalars = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | _TEXT
    values: st.SearchStrategy[Any] = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
        max_leaves=6,
    )
    return st.dictionaries(_TEXT, values, max_size=4).map(canonical_json)


@st.composite
def new_events(draw: st.DrawFn) -> NewEvent:
    """New events with random ids, types, payloads and metadata."""
    return NewEvent(
        event_id=draw(event_ids()),
        type=draw(type_names()),
        schema=draw(st.integers(1, 3)),
        data=draw(json_payloads()),
        effective=draw(st.none() | st.dates().map(lambda day: day.isoformat())),
        actor=draw(st.none() | st.sampled_from(["worker-1", "supervisor-2"])),
        role=draw(st.none() | st.sampled_from(["village_worker", "county_officer"])),
        area=draw(st.none() | st.just("110101001001")),
        device=draw(st.none() | st.just(str(uuid.UUID(int=7)))),
    )


def _for_type(kind: Any) -> st.SearchStrategy[Any]:
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        return st.one_of([_for_type(argument) for argument in arguments])
    if origin is frozenset:
        return st.frozensets(_for_type(arguments[0]), max_size=3)
    if origin is tuple:
        return st.lists(_for_type(arguments[0]), max_size=3).map(tuple)
    if kind is type(None):
        return st.none()
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return st.sampled_from(kind)
    if isinstance(kind, type) and attrs.has(kind):
        return payloads(kind)
    return _SCALARS[kind]


_SCALARS: dict[Any, st.SearchStrategy[Any]] = {
    str: _TEXT.filter(str.strip),
    int: st.integers(1, 4),  # within every int field's range: grades, years, minutes
    bool: st.booleans(),
    date: st.dates(),
    datetime: st.datetimes(timezones=st.just(UTC)),
}


def validators(validator: Any) -> Iterator[Any]:
    """The validators of an attrs field, unwrapped from attrs' ``optional`` and ``and_``."""
    inner = getattr(validator, "validator", None)
    parts = getattr(validator, "_validators", None)
    if inner is not None:
        yield from validators(inner)
    elif parts is not None:
        for part in parts:
            yield from validators(part)
    elif validator is not None:
        yield validator


def _for_field(field: attrs.Attribute[Any], kind: Any) -> st.SearchStrategy[Any]:
    """Values of one field: its type's, or months where the field must hold a month."""
    from caselog.domain.calendar import month_of, month_text

    if month_text in validators(field.validator):
        months = st.dates().map(month_of)
        return months | st.none() if type(None) in typing.get_args(kind) else months
    return _for_type(kind)


def payloads(cls: type[Any]) -> st.SearchStrategy[Any]:
    """Valid instances of a payload class, built from its field types and checks."""
    hints = typing.get_type_hints(cls)
    fields = {field.name: _for_field(field, hints[field.name]) for field in attrs.fields(cls)}
    return _valid(cls, fields)


@st.composite
def _valid(draw: st.DrawFn, cls: type[Any], fields: dict[str, st.SearchStrategy[Any]]) -> Any:
    values = {name: draw(strategy, label=name) for name, strategy in fields.items()}
    try:
        return cls(**values)
    except ValidationError:
        reject()  # values that pass each field alone but not together (a window, say)
