"""attrs validators for payload fields that raise :class:`~caselog.ValidationError`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from caselog.errors import ValidationError

__all__ = ["grade", "non_empty", "optional_non_empty", "positive"]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def non_empty(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is text with something in it."""
    if not isinstance(value, str):
        raise ValidationError(attribute.name, f"expected text, not {value!r}")
    if not value.strip():
        raise ValidationError(attribute.name, "must not be empty")


def optional_non_empty(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is None or text with something in it."""
    if value is not None:
        non_empty(instance, attribute, value)


def grade(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is None or a disability grade from 1 (most severe) to 4."""
    if value is not None and (type(value) is not int or not 1 <= value <= 4):
        raise ValidationError(attribute.name, f"{value!r} is not a grade from 1 to 4")


def positive(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is a whole number above zero (an amount in whole yuan, say)."""
    if type(value) is not int or value <= 0:
        raise ValidationError(attribute.name, f"{value!r} is not a whole number above zero")
