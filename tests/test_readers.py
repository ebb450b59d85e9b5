"""Generated readers structure stored payload data exactly as the converter does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import given, settings

from caselog import PayloadError, default_registry
from caselog.events.codec import canonical_json, structure, unstructure
from caselog.events.readers import reader
from caselog.testing.strategies import payloads

ODD_VALUES: tuple[Any, ...] = (None, 1, 2.5, True, "x", " ", "2025-02-30", [], ["x"], {}, {"a": 1})


def _variants(cls: type[Any], data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The data as written, then with each field missing or replaced by odd values, and with a
    key the class does not have."""
    yield data
    yield {**data, "no_such_field": 1}
    for field in attrs.fields(cls):
        yield {key: value for key, value in data.items() if key != field.name}
        for value in ODD_VALUES:
            yield {**data, field.name: value}


def _outcome(read: Any, data: Any) -> tuple[str, Any]:
    try:
        return "made", read(data)
    except PayloadError as exc:
        return "refused", str(exc)


@pytest.mark.parametrize("name", default_registry.names())
def test_a_reader_agrees_with_the_converter(name: str) -> None:
    """For valid payloads of every type, and for every single change to them, the reader makes
    the same payload as the converter, or refuses it with the same error."""
    cls = default_registry.of_name(name).cls
    read: Any = reader(cls, name)

    @settings(max_examples=10)
    @given(payloads(cls))
    def agree(payload: object) -> None:
        data = json.loads(canonical_json(unstructure(payload, name)))
        assert read(data) == payload
        for variant in _variants(cls, data):
            mine = _outcome(read, variant)
            theirs = _outcome(lambda d: structure(d, cls, name), variant)
            assert mine == theirs, variant

    agree()


def test_a_reader_names_the_event_it_refuses() -> None:
    """The refusal of damaged stored data names the event, as the converter's does."""
    cls = default_registry.of_name("visit_completed").cls
    with pytest.raises(PayloadError) as refused:
        reader(cls, "visit_completed")({"visit_id": "v-1"}, "e-1")
    assert refused.value.event_id == "e-1"
    assert "child_id" in str(refused.value)
