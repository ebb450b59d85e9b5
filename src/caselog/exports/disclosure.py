"""What an export may show: the one place where protected values are masked.

Every sheet written by the command or by :func:`caselog.exports.write` passes through a
:class:`Disclosure`. Today it masks identifying or sensitive values on request; scoping by role
and area belongs here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from caselog.exports.sheet import Sheet
from caselog.privacy import Privacy

__all__ = ["EVERYTHING", "MASK", "MASKED", "Disclosure"]

MASKED = "***"
"""What a masked value is written as."""


@attrs.frozen
class Disclosure:
    """Which protected values are masked."""

    masks: frozenset[Privacy] = frozenset()

    def apply(self, sheet: Sheet) -> Sheet:
        """The sheet as this disclosure lets it be seen."""
        if not self.masks:
            return sheet
        columns = sheet.columns
        shown = []
        for row, record in zip(sheet.rows, sheet.records(), strict=True):
            shown.append(tuple(
                MASKED if value is not None and column.privacy_in(record) in self.masks
                else value
                for column, value in zip(columns, row, strict=True)
            ))  # fmt: skip
        return attrs.evolve(sheet, rows=tuple(shown))

    def record(self, record: Mapping[str, Any], privacy: Mapping[str, Privacy]) -> dict[str, Any]:
        """A record (a file as JSON, say) as this disclosure lets it be seen, given how each
        of its keys is protected."""
        return {
            key: MASKED if value not in (None, [], ()) and privacy.get(key) in self.masks
            else value
            for key, value in record.items()
        }  # fmt: skip


EVERYTHING = Disclosure()
"""Show every value (the person running the export can read the store itself)."""

MASK = {
    "none": EVERYTHING,
    "identifying": Disclosure(frozenset({Privacy.IDENTIFYING})),
    "sensitive": Disclosure(frozenset({Privacy.IDENTIFYING, Privacy.SENSITIVE})),
}
"""The disclosures the command offers, by name: ``sensitive`` masks identifying values too."""
