"""Payload classes, their registry, the canonical codec and upcasters."""

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from caselog import (
    EventRegistry,
    PayloadError,
    UnknownEventTypeError,
    ValidationError,
    canonical_json,
)
from caselog.events.codec import structure, unstructure
from caselog.events.mapper import EventMapper
from caselog.store import StoredEvent
from caselog.testing import new_event


@attrs.frozen
class ChildRegistered:
    name: str
    birth_date: date
    tags: frozenset[str] = frozenset()


@attrs.frozen
class VisitCompleted:
    child: str
    at: datetime
    notes: str | None = None


@pytest.fixture
def registry() -> EventRegistry:
    registry = EventRegistry()
    registry.add(ChildRegistered, "child_registered", schema=2)
    registry.add(VisitCompleted, "visit_completed")
    return registry


def _stored(type: str, data: str, schema: int = 1) -> StoredEvent:
    event = new_event(data, type=type)
    return StoredEvent(
        1, "child-1", 1, event.event_id, type, schema, "2024-03-03",
        "2024-03-10T08:00:00.000000+00:00", None, None, None, None, None, None, data,
        "0" * 64, "0" * 64,
    )  # fmt: skip


def test_registered_class_is_found_by_name_and_by_class(registry: EventRegistry) -> None:
    """A registration is found both from its stored name and from its class."""
    assert registry.of_name("child_registered").cls is ChildRegistered
    assert registry.of_class(ChildRegistered).name == "child_registered"
    assert registry.names() == ["child_registered", "visit_completed"]


def test_decorator_registers_and_returns_the_class() -> None:
    """The decorator form registers the class and hands it back unchanged."""
    registry = EventRegistry()

    @registry.register("note_added", schema=3)
    @attrs.frozen
    class NoteAdded:
        text: str

    assert registry.of_class(NoteAdded).schema == 3


def test_mutable_or_plain_classes_are_refused() -> None:
    """Only frozen attrs classes can be payloads."""

    @attrs.define
    class Mutable:
        text: str

    class Plain:
        pass

    registry = EventRegistry()
    for cls in (Mutable, Plain):
        with pytest.raises(ValidationError) as caught:
            registry.add(cls, "note_added")
        assert caught.value.field == "cls"


def test_one_name_cannot_serve_two_classes(registry: EventRegistry) -> None:
    """Registering a second class under a taken name is refused."""
    with pytest.raises(ValidationError, match="registered already"):
        registry.add(VisitCompleted, "child_registered")


@pytest.mark.parametrize("name", ["", "1abc", "has space", "x" * 101])
def test_bad_type_names_are_refused(name: str) -> None:
    """Type names must be short identifiers."""
    with pytest.raises(ValidationError) as caught:
        EventRegistry().add(ChildRegistered, name)
    assert caught.value.field == "name"


def test_unknown_name_raises_naming_the_event(registry: EventRegistry) -> None:
    """Looking up an unregistered type name raises, naming the type and the event."""
    with pytest.raises(UnknownEventTypeError) as caught:
        registry.of_name("child_adopted", event_id="e-1")
    assert (caught.value.type_name, caught.value.event_id) == ("child_adopted", "e-1")
    assert isinstance(caught.value, LookupError)


def test_canonical_json_is_sorted_compact_and_unescaped() -> None:
    """Canonical JSON sorts keys, drops spaces and keeps Chinese text as it is."""
    assert canonical_json({"b": 1, "a": ["王", None]}) == '{"a":["王",null],"b":1}'


def test_canonical_json_refuses_nan() -> None:
    """NaN has no JSON form and is refused."""
    with pytest.raises(ValueError, match="JSON compliant"):
        canonical_json({"x": float("nan")})


def test_dates_times_and_sets_have_one_text_form() -> None:
    """Dates, UTC timestamps and sorted lists are how payload values are written."""
    beijing = timezone(timedelta(hours=8))
    visit = VisitCompleted("child-1", datetime(2024, 3, 3, 16, 30, tzinfo=beijing))
    assert unstructure(visit, "visit_completed") == {
        "child": "child-1",
        "at": "2024-03-03T08:30:00.000000+00:00",
        "notes": None,
    }
    child = ChildRegistered("王小明", date(2015, 4, 1), frozenset({"b", "a"}))
    assert unstructure(child, "child_registered")["tags"] == ["a", "b"]


def test_naive_timestamps_are_refused() -> None:
    """A payload timestamp without a timezone cannot be encoded."""
    with pytest.raises(PayloadError, match="timezone"):
        unstructure(VisitCompleted("child-1", datetime(2024, 3, 3)), "visit_completed")


@given(
    name=st.text(min_size=1),
    birth=st.dates(),
    tags=st.frozensets(st.text(max_size=5), max_size=4),
)
def test_payloads_round_trip(name: str, birth: date, tags: frozenset[str]) -> None:
    """Any payload comes back equal from its canonical JSON."""
    child = ChildRegistered(name, birth, tags)
    text = canonical_json(unstructure(child, "child_registered"))
    assert structure(json.loads(text), ChildRegistered, "child_registered") == child


def test_payload_that_does_not_structure_names_field_and_event() -> None:
    """Decoding a payload with a bad field raises, naming the type, the event and the field."""
    data = {"name": "王小明", "birth_date": "not a date", "tags": []}
    with pytest.raises(PayloadError) as caught:
        structure(data, ChildRegistered, "child_registered", event_id="e-7")
    assert caught.value.event_id == "e-7"
    assert "birth_date" in caught.value.reason


def test_unknown_keys_are_refused() -> None:
    """A payload with a key its class does not have is refused, not silently dropped."""
    data = {"name": "a", "birth_date": "2015-04-01", "tags": [], "hukou": "x"}
    with pytest.raises(PayloadError, match="hukou"):
        structure(data, ChildRegistered, "child_registered")


def test_upcasters_lift_old_payloads_step_by_step(registry: EventRegistry) -> None:
    """A payload stored at schema 1 is lifted through each upcaster to the current schema."""

    @registry.upcaster("child_registered", schema=1)
    def add_tags(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "tags": ["from-schema-1"]}

    stored = _stored("child_registered", '{"birth_date":"2015-04-01","name":"王小明"}')
    event = EventMapper(registry).event(stored)
    assert event.data == ChildRegistered("王小明", date(2015, 4, 1), frozenset({"from-schema-1"}))
    assert event.schema == 1
    assert stored.data == '{"birth_date":"2015-04-01","name":"王小明"}'


def test_missing_upcaster_is_an_error_naming_the_step(registry: EventRegistry) -> None:
    """Without an upcaster for a stored schema, decoding names the missing step."""
    stored = _stored("child_registered", '{"birth_date":"2015-04-01","name":"a"}')
    with pytest.raises(PayloadError, match="no upcaster from schema 1 to 2") as caught:
        EventMapper(registry).event(stored)
    assert caught.value.event_id == stored.event_id


def test_newer_stored_schema_is_refused(registry: EventRegistry) -> None:
    """A payload stored by newer code than this is refused rather than misread."""
    stored = _stored("visit_completed", '{"child":"c","at":"2024-03-03"}', schema=2)
    with pytest.raises(PayloadError, match="newer"):
        EventMapper(registry).event(stored)


def test_upcaster_registered_twice_is_refused(registry: EventRegistry) -> None:
    """Only one upcaster may lift a type from a given schema."""
    registry.add_upcaster("child_registered", dict, schema=1)
    with pytest.raises(ValidationError):
        registry.add_upcaster("child_registered", dict, schema=1)


def test_mapper_encodes_payloads_as_records(registry: EventRegistry) -> None:
    """The mapper turns a payload into a record carrying its type, schema and canonical JSON."""
    record = EventMapper(registry).new_event(ChildRegistered("a", date(2015, 4, 1)))
    assert (record.type, record.schema) == ("child_registered", 2)
    assert record.data == '{"birth_date":"2015-04-01","name":"a","tags":[]}'


def test_mapper_refuses_unregistered_payloads(registry: EventRegistry) -> None:
    """Appending an object of an unregistered class raises UnknownEventTypeError."""
    with pytest.raises(UnknownEventTypeError, match="unregistered class"):
        EventMapper(registry).new_event(object())


def test_mapper_decodes_times(registry: EventRegistry) -> None:
    """Decoded events carry real dates and timestamps."""
    event = EventMapper(registry).event(
        _stored("visit_completed", '{"at":"2024-03-03T08:30:00.000000+00:00","child":"c"}')
    )
    assert event.effective == date(2024, 3, 3)
    assert event.recorded == datetime(2024, 3, 10, 8, tzinfo=UTC)
    assert event.data.at == datetime(2024, 3, 3, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ['{"child":"c"', '{"child":"c"} x', "", "[1, 2]x", "nul"])
def test_stored_text_that_is_not_json_is_refused_naming_the_event(
    registry: EventRegistry, text: str
) -> None:
    """Damaged stored text (cut short, with something after the JSON, empty) is a PayloadError
    naming the event, never a half-read payload."""
    stored = _stored("visit_completed", text)
    with pytest.raises(PayloadError, match="not JSON") as refused:
        EventMapper(registry).event(stored)
    assert refused.value.event_id == stored.event_id


def test_stored_text_with_white_space_around_it_still_reads(registry: EventRegistry) -> None:
    """JSON written by another tool, with white space around it, reads as json.loads reads it."""
    text = ' {"at": "2024-03-03T08:30:00.000000+00:00", "child": "c"}\n'
    assert EventMapper(registry).event(_stored("visit_completed", text)).data.child == "c"


def test_decoded_times_are_equal_whichever_event_parsed_them_first(
    registry: EventRegistry,
) -> None:
    """Events of one moment share its parsed time; each event still carries its own times."""
    mapper = EventMapper(registry)
    text = '{"at":"2024-03-03T08:30:00.000000+00:00","child":"c"}'
    first = mapper.event(_stored("visit_completed", text))
    moved = _stored("visit_completed", text)._replace(
        effective="2024-03-04", recorded="2024-03-11T08:00:00.000000+00:00"
    )
    second, again = mapper.event(moved), mapper.event(_stored("visit_completed", text))
    assert (second.effective, second.recorded) == (
        date(2024, 3, 4), datetime(2024, 3, 11, 8, tzinfo=UTC)
    )  # fmt: skip
    assert (again.effective, again.recorded) == (first.effective, first.recorded)


def test_stored_text_given_as_bytes_still_reads(registry: EventRegistry) -> None:
    """A store that hands payloads back as UTF-8 bytes is read as json.loads would read them."""
    text = '{"at":"2024-03-03T08:30:00.000000+00:00","child":"c"}'
    stored = _stored("visit_completed", text)._replace(data=text.encode())  # type: ignore[arg-type]
    assert EventMapper(registry).event(stored).data.child == "c"
