"""Helpers the built-in projections share: column declarations and the areas above a place."""

from __future__ import annotations

from typing import Any

from caselog.tables import Column

__all__ = ["areas_above", "integer", "text"]


def text(name: str, description: str, *, nullable: bool = True) -> Column:
    """A text column."""
    return Column(name, "text", is_nullable=nullable, description=description)


def integer(name: str, description: str, *, nullable: bool = True) -> Column:
    """An integer column."""
    return Column(name, "integer", is_nullable=nullable, description=description)


def areas_above(directory: Any, code: str) -> dict[str, str]:
    """The area ``code`` and those above it, by level name (``village``, ``township``, ...)."""
    found: dict[str, str] = {}
    for place in directory.lineage(code):
        area = directory.areas.get(place)
        if area is not None:
            found[area.level.value] = place
    return found
