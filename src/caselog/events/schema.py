"""The JSON Schema (draft 2020-12) of every event type, generated from the payload classes.

``caselog schema > events.schema.json`` writes it, so that tools written in other
languages can check what they send. It describes each payload exactly as the codec
(:mod:`caselog.events.codec`) writes it: attrs fields without a default are required, unknown
keys are refused, dates and times are ISO text, code lists are enumerations of their values, sets
and tuples are arrays. Field validators become keywords where JSON Schema can say the same thing.
The root schema is an event, ``{"type": ..., "data": ...}`` plus, optionally, the rest of a
stored event's envelope, as ``caselog log`` prints it; its ``data`` is checked against the
payload schema its ``type`` names.
"""

from __future__ import annotations

import copy
import enum
import inspect
import json
import types
import typing
import uuid
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

import attrs

from caselog.errors import ValidationError
from caselog.events.codec import canonical_json, converter
from caselog.events.registry import EventRegistry, EventType, default_registry
from caselog.privacy import privacy_of
from caselog.store import StoredEvent

__all__ = ["SCHEMA_ID", "VALIDATOR_KEYWORDS", "json_schema", "json_schema_text"]

SCHEMA_ID = "https://caselog.dev/schema/events.json"
"""The ``$id`` of the generated document."""

_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_NOT_BLANK = MappingProxyType({"minLength": 1, "pattern": r"\S"})

VALIDATOR_KEYWORDS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "caselog.domain.checks.non_empty": _NOT_BLANK,
        "caselog.domain.checks.optional_non_empty": _NOT_BLANK,
        "caselog.domain.checks.positive": {"minimum": 1},
        "caselog.domain.checks.grade": {"minimum": 1, "maximum": 4},
        "caselog.domain.calendar.month_text": {"pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"},
        "caselog.domain.homes._minutes": {"minimum": 1, "maximum": 24 * 60},
    }
)
"""JSON Schema keywords that say what an attrs validator checks, by the validator's dotted name.

Validators that compare fields with each other (a visit window, say) have no entry: JSON Schema
cannot express them, and caselog's decoder still enforces them.
"""

_DATE = MappingProxyType(
    {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
)
_DATETIME = MappingProxyType(
    {
        "type": "string",
        "format": "date-time",
        "pattern": (
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
            "([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
        ),
    }
)
_SCALARS: Mapping[Any, Mapping[str, Any]] = MappingProxyType(
    {
        str: {"type": "string"},
        int: {"type": "integer"},
        float: {"type": "number"},
        bool: {"type": "boolean"},
        type(None): {"type": "null"},
        date: _DATE,
        datetime: _DATETIME,
        uuid.UUID: {"type": "string", "format": "uuid"},
    }
)
_BOUNDS = MappingProxyType(
    {">=": "minimum", ">": "exclusiveMinimum", "<=": "maximum", "<": "exclusiveMaximum"}
)
_JSON_TYPES = MappingProxyType({str: "string", bool: "boolean", int: "integer", float: "number"})


def _doc(cls: type) -> str | None:
    """Return the class's own docstring, cleaned, or None (never an inherited one)."""
    text = vars(cls).get("__doc__")
    return inspect.cleandoc(text) if isinstance(text, str) and text.strip() else None


def _described(schema: dict[str, Any], cls: type) -> dict[str, Any]:
    """Add the class's name as ``title`` and its docstring as ``description``."""
    schema["title"] = cls.__name__
    text = _doc(cls)
    if text is not None:
        schema["description"] = text
    return schema


def _merge(schema: dict[str, Any], keywords: Mapping[str, Any]) -> None:
    """Add keywords to a schema; one that would overwrite another joins ``allOf`` instead."""
    for key, value in keywords.items():
        if key in schema and schema[key] != value:
            schema.setdefault("allOf", []).append({key: value})
        else:
            schema[key] = value


def _validators(validator: Any) -> Iterator[Any]:
    """Yield the validators inside attrs' ``optional`` and ``and_`` wrappers, or ``validator``."""
    if validator is None:
        return
    inner = getattr(validator, "validator", None)  # attrs.validators.optional
    parts = getattr(validator, "_validators", None)  # attrs.validators.and_
    if inner is not None:
        yield from _validators(inner)
    elif parts is not None:
        for part in parts:
            yield from _validators(part)
    else:
        yield validator


def _keywords(validator: Any, table: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any]:
    """Return the keywords that say what one validator checks, or none if unknown."""
    name = f"{getattr(validator, '__module__', '')}.{getattr(validator, '__qualname__', '')}"
    if name in table:
        return table[name]
    operator: Any = getattr(validator, "compare_op", None)  # attrs.validators.ge, gt, le, lt
    if operator in _BOUNDS:
        return {_BOUNDS[operator]: validator.bound}
    return {}


def _json_value(value: Any, kind: Any) -> Any:
    """Return a value as the codec writes it, as plain JSON data."""
    return json.loads(canonical_json(converter.unstructure(value, unstructure_as=kind)))


def _default(field: attrs.Attribute[Any]) -> Any:
    """Return a field's default value, calling a factory that does not need the instance."""
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return attrs.NOTHING if default.takes_self else default.factory()
    return default


def _nullable(members: list[dict[str, Any]], has_none: bool) -> dict[str, Any]:
    """Return the schema of a union: ``X | None`` as a type list where it can be, else anyOf."""
    if has_none and len(members) == 1 and isinstance(members[0].get("type"), str):
        return {**members[0], "type": [members[0]["type"], "null"]}
    if has_none:
        members.append({"type": "null"})
    return members[0] if len(members) == 1 else {"anyOf": members}


class _Builder:
    """Collects the ``$defs`` of payloads, the records inside them, and code lists."""

    def __init__(self, entries: list[EventType], table: Mapping[str, Mapping[str, Any]]) -> None:
        self.table = table
        self.defs: dict[str, dict[str, Any]] = {}
        self.names: dict[type, str] = {}
        self._claim(StoredEvent, "StoredEvent")  # the envelope's definition
        for entry in entries:
            self._claim(entry.cls, entry.name)

    def _claim(self, cls: type, name: str) -> str:
        """Reserve ``$defs/name`` for ``cls``, refusing a name another class holds."""
        holder = next((known for known, held in self.names.items() if held == name), cls)
        if holder is not cls:
            reason = f"both {holder.__qualname__} and {cls.__qualname__} would be $defs/{name}"
            raise ValidationError("$defs", reason)
        self.names[cls] = name
        return name

    def ref(self, cls: type) -> dict[str, Any]:
        """Return a ``$ref`` to the definition of a record or code list, building it once."""
        name = self.names.get(cls) or self._claim(cls, cls.__name__)
        if name not in self.defs:
            self.defs[name] = {}  # claimed before building: records may refer to themselves
            self.defs[name] = self.record(cls) if attrs.has(cls) else self.code_list(cls)
        return {"$ref": f"#/$defs/{name}"}

    def code_list(self, cls: type[enum.Enum]) -> dict[str, Any]:
        """Return the schema of an enumeration: the values the codec writes for it."""
        values = [_json_value(member, cls) for member in cls]
        schema: dict[str, Any] = {"enum": values}
        kinds = {_JSON_TYPES.get(type(value)) for value in values}
        if len(kinds) == 1 and None not in kinds:
            schema["type"] = kinds.pop()
        return _described(schema, cls)

    def record(self, cls: type) -> dict[str, Any]:
        """Return the schema of an attrs class: an object of its fields, unknown keys refused."""
        hints, marks = typing.get_type_hints(cls), privacy_of(cls)
        properties: dict[str, Any] = {}
        for field in attrs.fields(cls):
            where = f"{cls.__qualname__}.{field.name}"
            properties[field.name] = self.field(field, hints[field.name], where)
            if field.name in marks:
                properties[field.name]["x-caselog-privacy"] = str(marks[field.name])
        required = [field.name for field in attrs.fields(cls) if field.default is attrs.NOTHING]
        schema = {"type": "object", "properties": properties, "required": required}
        return _described({**schema, "additionalProperties": False}, cls)

    def field(self, field: attrs.Attribute[Any], kind: Any, where: str) -> dict[str, Any]:
        """Return the schema of one field: its type, its validators' keywords, its default."""
        schema = self.kind(kind, where)
        for validator in _validators(field.validator):
            _merge(schema, _keywords(validator, self.table))
        default = _default(field)
        if default is not attrs.NOTHING:
            schema["default"] = _json_value(default, kind)
        return schema

    def kind(self, kind: Any, where: str) -> dict[str, Any]:
        """Return the schema of a type annotation as the codec writes values of it."""
        origin, arguments = typing.get_origin(kind), typing.get_args(kind)
        if origin in (types.UnionType, typing.Union):
            members = [self.kind(arg, where) for arg in arguments if arg is not type(None)]
            return _nullable(members, type(None) in arguments)
        if origin is not None:
            return self.container(origin, arguments, where)
        if kind in _SCALARS:
            return dict(_SCALARS[kind])
        if isinstance(kind, type) and (attrs.has(kind) or issubclass(kind, enum.Enum)):
            return self.ref(kind)
        raise ValidationError(where, f"{kind!r} has no JSON Schema form here")

    def container(self, origin: Any, arguments: tuple[Any, ...], where: str) -> dict[str, Any]:
        """Return the schema of a set, tuple, list or dict: arrays, sets of unique items."""
        if isinstance(origin, type) and issubclass(origin, AbstractSet):
            return {"type": "array", "items": self.kind(arguments[0], where), "uniqueItems": True}
        if origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis:
            return {"type": "array", "items": self.kind(arguments[0], where)}
        if origin is tuple:
            items = [self.kind(argument, where) for argument in arguments]
            count = len(items)
            return {"type": "array", "prefixItems": items, "minItems": count, "maxItems": count}
        if origin is list:
            return {"type": "array", "items": self.kind(arguments[0], where)}
        if origin is dict and arguments[0] is str:
            return {"type": "object", "additionalProperties": self.kind(arguments[1], where)}
        raise ValidationError(where, f"{origin!r} has no JSON Schema form here")


_UUID = {
    "type": "string",
    "format": "uuid",
    "pattern": "^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$",
}
_RECORDED = {
    "type": "string",
    "format": "date-time",
    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{6}[+]00:00$",
}
_STREAM = {
    "type": "string",
    "minLength": 1,
    "maxLength": 200,
    "pattern": "^[^\\u0000-\\u001f\\u007f]*$",
}
_TEXT = {**_STREAM, "type": ["string", "null"]}
_HASH = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_NUMBER = {"type": "integer", "minimum": 1}


def _envelope_fields() -> dict[str, Any]:
    """Return the schemas of the envelope's fields other than ``type`` and ``data``."""
    fields: dict[str, tuple[Mapping[str, Any], str]] = {
        "position": (_NUMBER, "the event's number in the log, gap-free, in commit order"),
        "stream": (_STREAM, "the stream the event belongs to"),
        "version": (_NUMBER, "the event's 1-based number in its stream"),
        "event_id": (_UUID, "the writer's UUID for the event, in canonical form"),
        "schema": (_NUMBER, "the schema version of the payload; must be the current one"),
        "effective": ({"anyOf": [dict(_DATE), _RECORDED]}, "when the fact holds in the world"),
        "recorded": (_RECORDED, "when the store committed the event, in UTC"),
        "actor": (_TEXT, "who recorded the event"),
        "role": (_TEXT, "acting as what"),
        "area": (_TEXT, "for which area"),
        "causation": (_TEXT, "what caused the event"),
        "correlation": (_TEXT, "the piece of work the event belongs to"),
        "device": (_TEXT, "the device that captured the event"),
        "hash": (_HASH, "SHA-256 of the event, chained to the previous event of its stream"),
        "chain": (_HASH, "SHA-256 chaining the event to the previous event of the log"),
    }
    return {name: {**schema, "description": text} for name, (schema, text) in fields.items()}


def _dispatch(entry: EventType) -> dict[str, Any]:
    """Return the ``if``/``then`` that checks ``data`` against the payload ``type`` names."""
    return {
        "if": {"properties": {"type": {"const": entry.name}}, "required": ["type"]},
        "then": {
            "properties": {
                "schema": {"const": entry.schema},
                "data": {"$ref": f"#/$defs/{entry.name}"},
            }
        },
    }


def _event(entries: list[EventType]) -> dict[str, Any]:
    """Return the schema of an event: a type, its payload, and optionally the envelope."""
    properties = _envelope_fields()
    properties["type"] = {"enum": [entry.name for entry in entries], "description": "event type"}
    properties["data"] = {"type": "object", "description": "the payload, as its type describes"}
    return {
        "type": "object",
        "properties": properties,
        "required": ["type", "data"],
        "additionalProperties": False,
        "allOf": [_dispatch(entry) for entry in entries],
    }


def _stored_event() -> dict[str, Any]:
    """Return the schema of a stored event: an event with every envelope field present."""
    return {
        "title": "StoredEvent",
        "description": "An event as a store keeps it and `caselog log` prints it.",
        "$ref": "#",
        "required": ["type", "data", *_envelope_fields()],
    }


def json_schema(
    registry: EventRegistry = default_registry,
    *,
    validators: Mapping[str, Mapping[str, Any]] = VALIDATOR_KEYWORDS,
) -> dict[str, Any]:
    """Return the JSON Schema document of every event type in ``registry``.

    ``$defs`` holds one schema per type name, one per record class used inside payloads and one
    per code list, and ``$defs/StoredEvent`` the full envelope. ``validators`` maps the dotted
    names of attrs validators to the keywords that express them. Raises
    :class:`~caselog.ValidationError` if a field's type has no JSON form.
    """
    entries = [registry.of_name(name) for name in registry.names()]
    builder = _Builder(entries, validators)
    for entry in entries:
        builder.ref(entry.cls)
    document = {
        "$schema": _DRAFT,
        "$id": SCHEMA_ID,
        "title": "caselog events",
        "description": "An event of caselog's catalogue: its type, its payload as `data`, "
        "and optionally the rest of its stored envelope.",
        **_event(entries),
        "$defs": {**builder.defs, "StoredEvent": _stored_event()},
    }
    return copy.deepcopy(document)  # shares nothing with this module's constants


def json_schema_text(
    registry: EventRegistry = default_registry,
    *,
    validators: Mapping[str, Mapping[str, Any]] = VALIDATOR_KEYWORDS,
) -> str:
    """Return :func:`json_schema` as indented JSON text with sorted keys, the same on every run."""
    schema = json_schema(registry, validators=validators)
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
