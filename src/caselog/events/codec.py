"""One cattrs converter, and the canonical JSON text of payloads.

Canonical JSON: keys sorted, no insignificant white space, UTF-8 text unescaped, no NaN or
infinity; dates as ``YYYY-MM-DD``; timestamps in UTC as in :mod:`caselog.times`; sets as sorted
lists. The same payload always gives the same text, so stored text can be compared and hashed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Set as AbstractSet
from datetime import date, datetime
from typing import Any, TypeVar, get_origin

import cattrs
from cattrs.v import format_exception

from caselog.errors import PayloadError, ValidationError
from caselog.times import format_recorded

__all__ = ["canonical_json", "converter", "structure", "unstructure"]

T = TypeVar("T")


def _make_converter() -> cattrs.Converter:
    made = cattrs.Converter(forbid_extra_keys=True)
    made.register_unstructure_hook(datetime, format_recorded)
    made.register_structure_hook(datetime, lambda value, _: datetime.fromisoformat(value))
    made.register_unstructure_hook(date, date.isoformat)
    made.register_structure_hook(date, lambda value, _: date.fromisoformat(value))
    made.register_unstructure_hook(uuid.UUID, str)
    made.register_structure_hook(uuid.UUID, lambda value, _: uuid.UUID(value))
    made.register_unstructure_hook_func(
        _is_set, lambda value: sorted(made.unstructure(item) for item in value)
    )
    return made


def _is_set(cls: Any) -> bool:
    origin = get_origin(cls) or cls
    return isinstance(origin, type) and issubclass(origin, AbstractSet)


converter = _make_converter()
"""The converter for every payload class; register hooks for new field types here."""


def canonical_json(data: Any) -> str:
    """Return the canonical JSON text of plain JSON data."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def unstructure(payload: object, type_name: str) -> dict[str, Any]:
    """Return a payload's plain JSON data."""
    try:
        data: dict[str, Any] = converter.unstructure(payload)
    except (ValueError, TypeError, ValidationError) as exc:
        raise PayloadError(type_name, f"cannot be encoded: {exc}") from exc
    return data


def _describe(exc: BaseException, kind: Any) -> str:
    """Say what went wrong with a value; our own validators already say it best."""
    if isinstance(exc, ValidationError):
        return str(exc)
    return format_exception(exc, kind)


def structure(data: Any, cls: type[T], type_name: str, *, event_id: str | None = None) -> T:
    """Return the payload object of plain JSON data, or raise :class:`PayloadError`."""
    try:
        return converter.structure(data, cls)
    except cattrs.BaseValidationError as exc:
        reasons = "; ".join(cattrs.transform_error(exc, cls.__name__, _describe))
        raise PayloadError(type_name, f"does not structure: {reasons}", event_id=event_id) from exc
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise PayloadError(type_name, f"does not structure: {exc}", event_id=event_id) from exc
