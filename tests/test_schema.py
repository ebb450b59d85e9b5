"""The JSON Schema of the event catalogue agrees with what the codec writes and reads."""

import enum
import importlib
import json
import typing
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from referencing import Registry, Resource

import caselog
from benefit_programme import approved, build, de_facto, orphan
from caselog import Caselog, EventRegistry, PayloadError, ValidationError, default_registry
from caselog.domain import (
    CareArrangementRecorded,
    CarerRelation,
    ClosureReason,
    ConcernKind,
    ConcernReported,
    HomeSessionHeld,
    VisitCompleted,
    VisitScheduled,
)
from caselog.domain.calendar import month_text
from caselog.domain.checks import non_empty, positive
from caselog.events.codec import canonical_json, structure, unstructure
from caselog.events.schema import (
    SCHEMA_ID,
    VALIDATOR_KEYWORDS,
    json_schema,
    json_schema_text,
)
from caselog.testing import ManualClock
from caselog.testing.strategies import payloads, validators

SCHEMA = json_schema()
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
DAY = date(2025, 2, 3)


def _stored_event_validator() -> Draft202012Validator:
    """A validator for ``$defs/StoredEvent``, resolving its references into the document."""
    registry: Registry[Any] = Registry().with_resource(SCHEMA_ID, Resource.from_contents(SCHEMA))
    return Draft202012Validator(
        {"$ref": f"{SCHEMA_ID}#/$defs/StoredEvent"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _is_accepted(name: str, data: Any) -> bool:
    """Whether the schema accepts ``data`` as the payload of an event of type ``name``."""
    return bool(VALIDATOR.is_valid({"type": name, "data": data}))


def _is_decoded(name: str, data: Any) -> bool:
    """Whether caselog's own decoder reads ``data`` as the payload of type ``name``."""
    try:
        structure(data, default_registry.of_name(name).cls, name)
    except PayloadError:
        return False
    return True


# The document


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    """The generated document is itself a valid JSON Schema of draft 2020-12."""
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] == SCHEMA_ID


def test_every_registered_type_has_a_schema() -> None:
    """Each registered type has a payload definition and a branch of the dispatch on ``type``."""
    names = default_registry.names()
    dispatched = [branch["if"]["properties"]["type"]["const"] for branch in SCHEMA["allOf"]]
    assert SCHEMA["properties"]["type"]["enum"] == names
    assert dispatched == names
    assert [name for name in names if SCHEMA["$defs"][name]["type"] != "object"] == []


def test_payload_definitions_follow_the_attrs_fields() -> None:
    """A payload's properties are its fields, required are those without a default, and no
    other key is allowed."""
    definition = SCHEMA["$defs"]["visit_scheduled"]
    assert list(definition["properties"]) == [f.name for f in attrs.fields(VisitScheduled)]
    assert definition["required"] == ["visit_id", "child_id", "due_from", "due_by"]
    assert definition["additionalProperties"] is False
    assert definition["properties"]["purpose"] == {
        "$ref": "#/$defs/VisitPurpose",
        "default": "routine",
    }
    assert definition["description"].startswith("A visit falls due in the window")


def test_text_is_deterministic_with_sorted_keys() -> None:
    """The JSON text is the same on every run and its keys are sorted, so it can be diffed."""
    text = json_schema_text()
    assert text == json_schema_text()
    assert json.loads(text) == SCHEMA
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_command_prints_the_schema() -> None:
    """``caselog schema`` prints the document's JSON text."""
    from click.testing import CliRunner

    from caselog.cli import cli

    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert result.output == json_schema_text()


# Events written by the library


def _write_programme(log: Caselog) -> None:
    """Write children, an approved application with payments, visits, a concern, a home
    session, a correction, a void and a closure."""
    orphan(log, "c-1")
    de_facto(log, "c-2")
    approved(log, "a-1", "c-1", "orphan_allowance", DAY)
    paid = date(2025, 3, 2)
    log.issue_payment("a-1", "2025-03", reference="tx-1", actor="chen", effective=paid)
    log.confirm_payment("a-1", "2025-03", actor="chen", effective=paid)
    care = CareArrangementRecorded("c-1", CarerRelation.GRANDPARENT, carer_name="王奶奶")
    [recorded, *_] = log.record_fact(care, actor="li", effective=DAY)
    log.correct("c-1", recorded.event_id, attrs.evolve(care, is_living_alone=True),
                reason="she lives with the child", actor="li", effective=DAY)  # fmt: skip
    log.schedule_visit(VisitScheduled("v-1", "c-1", DAY, date(2025, 2, 28)), actor="li",
                       effective=DAY)  # fmt: skip
    concern = ConcernReported("k-1", "c-1", ConcernKind.NEGLECT, "No winter clothes.")
    log.report_concern(concern, actor="li", effective=DAY)
    visit = VisitCompleted("v-1", "c-1", notes="Clothes bought.", concern_ids=frozenset({"k-1"}))
    log.record_visit(visit, actor="li", effective=date(2025, 2, 10))
    session = HomeSessionHeld("s-1", "51010101", 90, "reading", attendees=frozenset({"c-1", "c-2"}))
    log.record_home_session(session, actor="li", effective=date(2025, 2, 11))
    scheduled = log.schedule_visit(VisitScheduled("v-2", "c-2", DAY, date(2025, 3, 1)),
                                   actor="li", effective=DAY)  # fmt: skip
    log.void("c-2", scheduled.event_id, reason="scheduled twice", actor="li", effective=DAY)
    log.close_case("c-2", ClosureReason.MOVED_AWAY, actor="li", effective=date(2025, 2, 20))


@pytest.fixture(scope="module")
def stored_events() -> list[dict[str, Any]]:
    """Every event of a programme written through the command API, as ``caselog log`` prints
    them: the stored envelope with the payload as JSON data."""
    with caselog.open("memory:", clock=ManualClock(datetime(2025, 3, 3, 9, tzinfo=UTC))) as log:
        build(log)
        _write_programme(log)
        records = [event._asdict() for event in log.store.read_log(limit=10_000)]
    return [{**record, "data": json.loads(record["data"])} for record in records]


def test_stored_events_validate(stored_events: list[dict[str, Any]]) -> None:
    """Every stored event of a realistic programme is valid, as an event and as a full stored
    event."""
    full = _stored_event_validator()
    errors = [
        f"{record['type']}: {error.message}"
        for record in stored_events
        for error in [*VALIDATOR.iter_errors(record), *full.iter_errors(record)]
    ]
    assert errors == []
    assert {record["type"] for record in stored_events} >= {
        "application_approved", "payment_confirmed", "event_corrected", "event_voided",
        "home_session_held", "visit_completed", "case_closed", "categories_recorded",
    }  # fmt: skip


def test_stored_event_definition_requires_the_whole_envelope(
    stored_events: list[dict[str, Any]],
) -> None:
    """A stored event without its hash is a valid event but not a valid stored event."""
    record = {key: value for key, value in stored_events[-1].items() if key != "hash"}
    assert VALIDATOR.is_valid(record)
    assert not _stored_event_validator().is_valid(record)


def test_nested_records_are_checked(stored_events: list[dict[str, Any]]) -> None:
    """A bad month deep inside a decision's evidence is refused by the schema and the decoder."""
    [record] = [r for r in stored_events if r["type"] == "application_approved"]
    data = json.loads(json.dumps(record["data"]))
    assert _is_accepted("application_approved", data)
    data["evidence"]["standard"]["from_month"] = "2025-13"
    assert not _is_accepted("application_approved", data)
    assert not _is_decoded("application_approved", data)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"type": "no_such_type"}, "an unregistered type"),
        ({"type": "visit_completed"}, "another type's payload"),
        ({"schema": 2}, "a schema version this code does not know"),
        ({"recorded": "2025-03-03T09:00:00"}, "a timestamp without its offset"),
        ({"event_id": "not-a-uuid"}, "an event id that is not a UUID"),
        ({"colour": "blue"}, "an unknown envelope field"),
    ],
)
def test_envelope_mistakes_are_refused(
    stored_events: list[dict[str, Any]], change: dict[str, Any], reason: str
) -> None:
    """An event is refused for a wrong type, schema version or envelope field."""
    [record] = [r for r in stored_events if r["type"] == "child_registered"][:1]
    assert VALIDATOR.is_valid(record)
    assert not VALIDATOR.is_valid({**record, **change}), reason


# Schema and decoder agree


def _child() -> dict[str, Any]:
    """The JSON data of a valid ``child_registered`` payload."""
    return {
        "child_id": "c-1",
        "household_id": "h-1",
        "village": "51010101",
        "name": "王小明",
        "sex": "male",
        "birth_date": "2015-04-01",
    }


def _without(data: dict[str, Any], key: str) -> dict[str, Any]:
    """``data`` without ``key``."""
    return {name: value for name, value in data.items() if name != key}


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_without(_child(), "name"), id="missing-required-field"),
        pytest.param({**_child(), "sex": "boy"}, id="wrong-enum-value"),
        pytest.param({**_child(), "birth_date": "2015-02-30"}, id="impossible-date"),
        pytest.param({**_child(), "birth_date": "01/04/2015"}, id="date-not-iso"),
        pytest.param({**_child(), "nickname": "明明"}, id="unknown-field"),
        pytest.param({**_child(), "child_id": ""}, id="empty-text"),
        pytest.param({**_child(), "name": "   "}, id="blank-text"),
        pytest.param({**_child(), "how_found": None}, id="null-for-a-code"),
    ],
)
def test_schema_and_decoder_both_refuse(data: dict[str, Any]) -> None:
    """A payload the schema refuses is one caselog's decoder refuses too."""
    assert _is_accepted("child_registered", _child())
    assert not _is_accepted("child_registered", data)
    assert not _is_decoded("child_registered", data)


def _mutations(cls: type[Any], data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Wrong versions of valid payload data, found from the class, not from the schema."""
    hints = typing.get_type_hints(cls)
    yield "unknown field", {**data, "no_such_field": 1}
    for field in attrs.fields(cls):
        name, kinds = field.name, {hints[field.name], *typing.get_args(hints[field.name])}
        checks = list(validators(field.validator))
        if field.default is attrs.NOTHING:
            yield f"{name} missing", _without(data, name)
        if any(isinstance(k, type) and issubclass(k, enum.Enum) for k in kinds):
            yield f"{name} not a code", {**data, name: "no_such_code"}
        if date in kinds:
            yield f"{name} not a date", {**data, name: "2025-02-30"}
        if non_empty in checks:
            yield f"{name} blank", {**data, name: " "}
        if month_text in checks:
            yield f"{name} not a month", {**data, name: "2025-13"}
        if positive in checks:
            yield f"{name} not positive", {**data, name: 0}


@pytest.mark.parametrize("name", default_registry.names())
def test_generated_payloads_agree(name: str) -> None:
    """Any valid payload of each type is accepted by the schema; each single mistake in it is
    refused by the schema and by the decoder alike."""
    cls = default_registry.of_name(name).cls

    @settings(max_examples=10)
    @given(payloads(cls))
    def agree(payload: object) -> None:
        data = json.loads(canonical_json(unstructure(payload, name)))
        assert list(VALIDATOR.iter_errors({"type": name, "data": data})) == []
        assert structure(data, cls, name) == payload
        for mistake, wrong in _mutations(cls, data):
            assert not _is_accepted(name, wrong), f"the schema accepts {mistake}"
            assert not _is_decoded(name, wrong), f"the decoder accepts {mistake}"

    agree()


# Validators


def _dotted(validator: Any) -> str:
    """The dotted name ``VALIDATOR_KEYWORDS`` knows a validator by."""
    return f"{validator.__module__}.{validator.__qualname__}"


def test_validator_keywords_name_realvalidators() -> None:
    """Every validator named in ``VALIDATOR_KEYWORDS`` exists, so a rename cannot go unseen."""
    missing = []
    for dotted in VALIDATOR_KEYWORDS:
        module, _, attribute = dotted.rpartition(".")
        if not callable(getattr(importlib.import_module(module), attribute, None)):
            missing.append(dotted)
    assert missing == []


def _inner_types(kind: Any) -> Iterator[Any]:
    """A type annotation and every type inside it."""
    yield kind
    for argument in typing.get_args(kind):
        yield from _inner_types(argument)


def test_every_payload_validator_is_mapped_or_known_to_be_inexpressible() -> None:
    """Each validator on a payload field has keywords, except checks across fields."""
    found: set[str] = set()
    pending = [default_registry.of_name(name).cls for name in default_registry.names()]
    seen: set[type] = set()
    while pending:
        cls = pending.pop()
        seen.add(cls)
        for field in attrs.fields(cls):
            found.update(_dotted(check) for check in validators(field.validator))
        hints = typing.get_type_hints(cls).values()
        kinds = [kind for hint in hints for kind in _inner_types(hint)]
        pending.extend(kind for kind in kinds if attrs.has(kind) and kind not in seen)
    assert {cls.__name__ for cls in seen} >= {"DecisionEvidence", "StandardSeen"}
    assert found - set(VALIDATOR_KEYWORDS) == {"caselog.domain.visits._window"}


# Other registries


class Colour(enum.Enum):
    """A colour."""

    RED = "red"
    BLUE = "blue"


@attrs.frozen
class Point:
    """A point, its fields checked by attrs' own validators."""

    x: int = attrs.field(validator=attrs.validators.ge(0))
    y: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.lt(10))
    )


def _registry(*classes: tuple[str, type]) -> EventRegistry:
    """A registry of its own holding the given (type name, class) pairs."""
    registry = EventRegistry()
    for name, cls in classes:
        registry.add(cls, name)
    return registry


def test_field_types_map_to_their_json_forms() -> None:
    """Sets, tuples, dicts, UUIDs, times, optional codes, nested records and factory defaults
    take the forms the codec writes."""

    @attrs.frozen
    class Drawn:
        """Shapes were drawn."""

        at: datetime
        pair: tuple[int, str]
        points: tuple[Point, ...]
        tags: frozenset[str]
        counts: dict[str, int]
        device: uuid.UUID
        colour: Colour | None = None
        labels: tuple[str, ...] = attrs.Factory(lambda: ("a",))

    schema = json_schema(_registry(("drawn", Drawn)))
    Draft202012Validator.check_schema(schema)
    properties = schema["$defs"]["drawn"]["properties"]
    assert properties["at"]["format"] == "date-time"
    assert properties["pair"] == {
        "type": "array",
        "prefixItems": [{"type": "integer"}, {"type": "string"}],
        "minItems": 2,
        "maxItems": 2,
    }
    assert properties["points"] == {"type": "array", "items": {"$ref": "#/$defs/Point"}}
    assert properties["tags"] == {"type": "array", "items": {"type": "string"}, "uniqueItems": True}
    assert properties["counts"] == {"type": "object", "additionalProperties": {"type": "integer"}}
    assert properties["device"] == {"type": "string", "format": "uuid"}
    assert properties["colour"] == {
        "anyOf": [{"$ref": "#/$defs/Colour"}, {"type": "null"}],
        "default": None,
    }
    assert properties["labels"]["default"] == ["a"]
    assert schema["$defs"]["Colour"] == {
        "title": "Colour",
        "description": "A colour.",
        "type": "string",
        "enum": ["red", "blue"],
    }
    point = schema["$defs"]["Point"]["properties"]
    assert point == {
        "x": {"type": "integer", "minimum": 0},
        "y": {"type": ["integer", "null"], "exclusiveMaximum": 10, "default": None},
    }


def test_own_validator_keywords_can_be_given() -> None:
    """Keywords for an application's own validators come from the ``validators`` argument."""

    @attrs.frozen
    class Noted:
        text: str = attrs.field(validator=non_empty)

    registry = _registry(("noted", Noted))
    custom = {_dotted(non_empty): {"maxLength": 5}}
    assert json_schema(registry, validators=custom)["$defs"]["noted"]["properties"]["text"] == {
        "type": "string",
        "maxLength": 5,
    }
    assert json_schema(registry, validators={})["$defs"]["noted"]["properties"]["text"] == {
        "type": "string"
    }


def test_a_type_without_a_json_form_is_refused() -> None:
    """A field type the schema cannot describe raises ``ValidationError`` naming the field."""

    @attrs.frozen
    class Blob:
        content: bytes

    with pytest.raises(ValidationError, match="bytes") as caught:
        json_schema(_registry(("blob", Blob)))
    assert caught.value.field.endswith("Blob.content")


def test_two_classes_under_one_definition_name_are_refused() -> None:
    """A type name equal to another class's name would share a definition: it is refused."""

    @attrs.frozen
    class Placed:
        point: Point

    @attrs.frozen
    class Other:
        x: int

    with pytest.raises(ValidationError, match=r"\$defs/Point"):
        json_schema(_registry(("placed", Placed), ("Point", Other)))
