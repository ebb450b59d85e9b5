"""Hypothesis strategies for caselog's records, shared by the conformance suite and tests."""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import strategies as st

from caselog.events.codec import canonical_json
from caselog.store import NewEvent

__all__ = ["event_ids", "json_payloads", "new_events", "stream_names", "type_names"]

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
