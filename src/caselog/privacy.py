"""Which payload fields identify a person, and which are sensitive.

Payload classes declare it per field, with ``attrs.field(metadata=IDENTIFYING)`` or
``attrs.field(metadata=SENSITIVE)``. Identifying fields (names, ID numbers, addresses, phone
numbers, guardians' names) and sensitive ones (health, disability, parents' imprisonment or
rehabilitation, abuse concerns) are what sealing encrypts under a child's key and what exports
mask; everything else (areas, sex, birth year-month, categories) keeps the statistics whole after
a child is forgotten.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

import attrs

__all__ = ["IDENTIFYING", "SENSITIVE", "Privacy", "privacy_of"]

_KEY = "caselog.privacy"


class Privacy(enum.StrEnum):
    """How a field is protected."""

    IDENTIFYING = "identifying"
    SENSITIVE = "sensitive"


IDENTIFYING: Mapping[str, Privacy] = MappingProxyType({_KEY: Privacy.IDENTIFYING})
"""Field metadata for a value that identifies a person: ``attrs.field(metadata=IDENTIFYING)``."""

SENSITIVE: Mapping[str, Privacy] = MappingProxyType({_KEY: Privacy.SENSITIVE})
"""Field metadata for sensitive personal information: ``attrs.field(metadata=SENSITIVE)``."""


def privacy_of(cls: type) -> dict[str, Privacy]:
    """Return the protected fields of a payload class and how each is protected."""
    return {
        field.name: field.metadata[_KEY] for field in attrs.fields(cls) if _KEY in field.metadata
    }
