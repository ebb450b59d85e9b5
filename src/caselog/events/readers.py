"""Readers: payload classes structured from stored JSON data by generated code.

Reading the log back is where the time of a rebuild goes, and most of structuring's time is
spent finding and calling a hook per field. A reader is one generated function per payload class
that converts each field inline, the way the converter would (text, numbers and flags as they
are, codes by their enumeration, dates and times parsed, optional values, tuples and sets,
nested records), and calls the class, whose validators still run.

A reader never decides what is valid on its own: data it does not take as it is (an unknown
key, a value of another type, a failing validator, a field type it does not know) is handed to
:func:`caselog.events.codec.structure`, which structures it or raises the error naming the
field. Stored payloads were read back once when written, so that slow path is for damaged or
foreign data only.
"""

from __future__ import annotations

import enum
import types
import typing
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import attrs

from caselog.events.codec import structure

__all__ = ["reader"]

T = TypeVar("T")

_SCALARS: dict[Any, str] = {
    date: "date.fromisoformat",
    datetime: "datetime.fromisoformat",
    uuid.UUID: "UUID",
}
_SIMPLE = (str, int, bool, float)  # JSON gives them as they are: checked by type, not converted
_MISSING = object()  # a key the data does not have


class _Unknown(Exception):
    """A field type no reader is generated for; the class is read by the converter."""


class _Builder:
    """The source and namespace of one class's reader, and of the records nested in it."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "date": date,
            "datetime": datetime,
            "UUID": uuid.UUID,
            "_missing": _MISSING,
        }
        self.names = 0

    def name(self, value: Any) -> str:
        """A name in the namespace bound to ``value``."""
        self.names += 1
        name = f"_v{self.names}"
        self.namespace[name] = value
        return name

    def value(self, kind: Any, expr: str) -> str:
        """An expression converting the JSON value ``expr`` to ``kind``; raises on failure."""
        if kind in _SIMPLE:
            # type(x) is exact: True is not an int here, 1 is not a float; anything else is
            # handed to the converter, which knows what to do with it
            return f"({expr} if type({expr}) is {kind.__name__} else _wrong())"
        if kind in _SCALARS:
            return f"{_SCALARS[kind]}({expr})"
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            # the members by value, as the enumeration looks them up first; a value it does not
            # hold (or cannot hash) raises, and the converter says why
            return f"{self.name(kind._value2member_map_)}[{expr}]"
        if attrs.has(kind):
            return f"{self.name(self.record(kind))}({expr})"
        origin, args = typing.get_origin(kind), typing.get_args(kind)
        if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
            (inner,) = [arg for arg in args if arg is not type(None)]
            return f"(None if {expr} is None else {self.value(inner, expr)})"
        if origin in (tuple, frozenset) and (
            origin is frozenset or (len(args) == 2 and args[1] is Ellipsis)
        ):
            inner = self.value(args[0], "_x")
            return f"{origin.__name__}([{inner} for _x in _list({expr})])"
        raise _Unknown(kind)

    def record(self, cls: type[Any]) -> Callable[[Any], Any]:
        """The generated function reading a dict into ``cls``: each field taken into a local,
        checked or converted, and the class called with them in field order."""
        hints = typing.get_type_hints(cls)
        known = frozenset(field.name for field in attrs.fields(cls))
        lines = []
        arguments = []
        for number, field in enumerate(attrs.fields(cls)):
            if not field.init or (field.alias or field.name) != field.name:
                raise _Unknown(cls)  # the converter knows how such fields are read
            if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
                raise _Unknown(cls)  # no factory defaults among payloads
            local, kind = f"_a{number}", hints[field.name]
            is_required = field.default is attrs.NOTHING
            if is_required:
                lines.append(f"{local} = _o[{field.name!r}]")
            else:
                lines.append(f"{local} = _o.get({field.name!r}, _missing)")
            if kind in _SIMPLE:  # checked, not converted
                check = f"type({local}) is not {kind.__name__}"
                if not is_required:
                    check = f"{local} is not _missing and {check}"
                lines.append(f"if {check}: _wrong()")
                if not is_required:
                    lines.append(f"if {local} is _missing: {local} = {self.name(field.default)}")
            elif is_required:
                lines.append(f"{local} = {self.value(kind, local)}")
            else:
                default = self.name(field.default)
                converted = self.value(kind, local)
                lines.append(f"{local} = {default} if {local} is _missing else {converted}")
            arguments.append(f"{field.name}={local}" if field.kw_only else local)
        cls_name, keys = self.name(cls), self.name(known)
        function = f"_read_{cls.__name__}_{self.names}"
        body = "".join(f"    {line}\n" for line in lines)
        source = (
            f"def {function}(_o):\n"
            f"    if type(_o) is not dict or not {keys}.issuperset(_o):\n"
            "        _wrong()\n"
            f"{body}"
            f"    return {cls_name}({', '.join(arguments)})\n"
        )
        exec(source, self.namespace)
        made: Callable[[Any], Any] = self.namespace[function]
        return made


class _Wrong(Exception):
    """Raised inside a reader: the data is not as written; the converter takes over."""


def _wrong() -> Any:
    raise _Wrong


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise _Wrong
    return value


def reader(cls: type[T], type_name: str) -> Callable[..., T]:
    """A function ``read(data, event_id=None)`` that returns the payload of stored JSON data,
    as :func:`caselog.events.codec.structure` would, raising its errors."""
    builder = _Builder()
    builder.namespace.update(_wrong=_wrong, _list=_list)
    try:
        fast = builder.record(cls)
    except _Unknown:

        def read_slowly(data: Any, event_id: str | None = None) -> T:
            return structure(data, cls, type_name, event_id=event_id)

        return read_slowly

    def read(data: Any, event_id: str | None = None) -> T:
        try:
            made: T = fast(data)
        except Exception:  # the converter reads it, or says exactly what is wrong
            return structure(data, cls, type_name, event_id=event_id)
        return made

    return read
