"""Helpers the built-in projections share: column declarations and the areas above a place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from caselog.tables import Column

if TYPE_CHECKING:
    from caselog.domain.directory import Directory

__all__ = ["areas_above", "integer", "text"]


def text(name: str, description: str, *, nullable: bool = True) -> Column:
    """A text column."""
    return Column(name, "text", is_nullable=nullable, description=description)


def integer(name: str, description: str, *, nullable: bool = True) -> Column:
    """An integer column."""
    return Column(name, "integer", is_nullable=nullable, description=description)


def areas_above(directory: Directory, code: str) -> Mapping[str, str]:
    """The area ``code`` and those above it, by level name (``village``, ``township``, ...)."""
    return directory.levels(code)
