"""The event catalogue as Markdown, generated from the registered payload classes.

``python -m caselog.events.catalogue > docs/events.md`` writes the project's catalogue; a test
fails when the file is stale.
"""

from __future__ import annotations

import enum
import inspect
import types
import typing
from collections.abc import Iterator
from typing import Any

import attrs

from caselog.events.registry import EventRegistry, default_registry
from caselog.privacy import privacy_of

__all__ = ["describe"]

_HEADER = """# Event catalogue

Every event type caselog records, generated from the payload classes by
`python -m caselog.events.catalogue`; do not edit by hand. Each payload is stored as canonical JSON
under its type name; fields marked *identifying* or *sensitive* are personal data (see
[concepts.md](concepts.md)).
"""


def _type_text(kind: Any) -> str:
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        return " | ".join(map(_type_text, arguments))
    if origin is not None:
        inner = ", ".join("..." if arg is Ellipsis else _type_text(arg) for arg in arguments)
        return f"{origin.__name__}[{inner}]"
    return "None" if kind is type(None) else getattr(kind, "__name__", repr(kind))


def _default_text(field: attrs.Attribute[Any]) -> str:
    default = field.default
    if default is attrs.NOTHING:
        return "required"
    if isinstance(default, enum.Enum):
        return f"`{default.value}`"
    if isinstance(default, frozenset | tuple) and not default:
        return "empty"
    return f"`{default!r}`" if default is not None else "none"


def _rows(cls: type) -> Iterator[str]:
    marks, hints = privacy_of(cls), typing.get_type_hints(cls)
    yield "| field | type | default | personal data |"
    yield "|---|---|---|---|"
    for field in attrs.fields(cls):
        kind = _type_text(hints[field.name]).replace("|", "\\|")  # a bare | ends the cell
        mark = marks.get(field.name, "")
        yield f"| `{field.name}` | `{kind}` | {_default_text(field)} | {mark} |"


def _walk(kind: Any) -> Iterator[type]:
    if isinstance(kind, type):
        yield kind
    for argument in typing.get_args(kind):
        yield from _walk(argument)


def _referenced(classes: list[type]) -> tuple[list[type], list[type]]:
    """Return the code lists and the nested records the classes' fields use."""
    enums: dict[str, type] = {}
    records: dict[str, type] = {}
    pending = list(classes)
    while pending:
        for hint in typing.get_type_hints(pending.pop()).values():
            for kind in _walk(hint):
                if issubclass(kind, enum.Enum):
                    enums[kind.__name__] = kind
                elif attrs.has(kind) and kind.__name__ not in records:
                    records[kind.__name__] = kind
                    pending.append(kind)
    return sorted(enums.values(), key=lambda k: k.__name__), sorted(
        records.values(), key=lambda k: k.__name__
    )


def _section(title: str, cls: type) -> Iterator[str]:
    yield f"### {title}"
    yield ""
    yield inspect.cleandoc(cls.__doc__ or "")
    yield ""
    yield from _rows(cls)
    yield ""


def describe(registry: EventRegistry = default_registry) -> str:
    """Return the Markdown catalogue of every event type in ``registry``."""
    entries = [registry.of_name(name) for name in registry.names()]
    lines = [_HEADER, "## Event types", ""]
    for entry in entries:
        lines += _section(f"`{entry.name}` (schema {entry.schema})", entry.cls)
    enums, records = _referenced([entry.cls for entry in entries])
    lines += ["## Records inside payloads", ""]
    for record in records:
        lines += _section(f"`{record.__name__}`", record)
    lines += ["## Code lists", "", "| code list | values |", "|---|---|"]
    for code_list in enums:
        values = ", ".join(f"`{member.value}`" for member in code_list)  # type: ignore[attr-defined]
        lines.append(f"| `{code_list.__name__}` | {values} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import caselog  # noqa: F401  (registers the catalogue)

    print(describe(), end="")
