"""The records of the storage contract check what they are given."""

import uuid
from datetime import UTC, date, datetime

import pytest

from caselog import ANY, NO_STREAM, NewEvent, StoredEvent, StreamAppend, ValidationError
from caselog.testing import new_event

_ID = "5b0d0b52-4d57-4a55-9d2c-8f0f8e2f7d11"


def _event(**changes: object) -> NewEvent:
    fields: dict[str, object] = {"event_id": _ID, "type": "note_added", "schema": 1, "data": "{}"}
    return NewEvent(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event_id", "not-a-uuid"),
        ("event_id", _ID.upper()),
        ("type", "has space"),
        ("type", ""),
        ("schema", 0),
        ("schema", "1"),
        ("data", b"{}"),
        ("data", '{"x":"\ud800"}'),
        ("effective", "03/03/2024"),
        ("effective", "2024-03-03T10:00:00"),
        ("effective", datetime(2024, 3, 3, 10)),
        ("actor", ""),
        ("area", "line\nbreak"),
    ],
)
def test_bad_fields_are_refused_by_name(field: str, value: object) -> None:
    """A new event with a bad field raises a validation error naming that field."""
    with pytest.raises(ValidationError) as caught:
        _event(**{field: value})
    assert caught.value.field == field


def test_event_ids_may_be_uuid_objects() -> None:
    """A UUID object is accepted and kept in canonical text form."""
    assert _event(event_id=uuid.UUID(_ID)).event_id == _ID


def test_effective_takes_dates_and_aware_times() -> None:
    """Dates and aware timestamps become their stored text."""
    assert _event(effective=date(2024, 3, 3)).effective == "2024-03-03"
    moment = datetime(2024, 3, 3, 10, tzinfo=UTC)
    assert _event(effective=moment).effective == "2024-03-03T10:00:00.000000+00:00"


@pytest.mark.parametrize(
    ("field", "stream", "events", "expected"),
    [
        ("stream", "", [new_event()], ANY),
        ("stream", "a\x00b", [new_event()], ANY),
        ("events", "child-1", [], ANY),
        ("events[0]", "child-1", ["not an event"], ANY),
        ("expected", "child-1", [new_event()], -1),
        ("expected", "child-1", [new_event()], "any"),
    ],
)
def test_bad_stream_appends_are_refused_by_name(
    field: str, stream: str, events: list[object], expected: object
) -> None:
    """A stream append with a bad stream, events or expected version names the field."""
    with pytest.raises(ValidationError) as caught:
        StreamAppend(stream, events, expected)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_expected_versions_read_as_words() -> None:
    """The expected-version markers print as what they mean."""
    assert (str(ANY), str(NO_STREAM)) == ("any", "no stream")


def test_stored_events_are_plain_tuples_in_column_order() -> None:
    """Stored events list their fields in the order stores keep their columns."""
    assert StoredEvent._fields[:3] == ("position", "stream", "version")
    assert StoredEvent._fields[-3:] == ("data", "hash", "chain")
