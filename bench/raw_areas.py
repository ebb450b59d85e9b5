"""The directory as the raw pipelines fold it by hand: each area's parent and level, from
``area_registered`` payloads, and the areas above a place, worked out once per place."""

from __future__ import annotations

from typing import Any


class Areas:
    """Areas registered so far, and what stands above each place asked for."""

    def __init__(self) -> None:
        self.parents: dict[str, str | None] = {}
        self.levels: dict[str, str] = {}
        self._above: dict[str, dict[str, str]] = {}

    def take(self, data: Any) -> None:
        """Fold an ``area_registered`` payload."""
        self.parents[data["code"]] = data["parent"]
        self.levels[data["code"]] = data["level"]
        self._above.clear()

    def above(self, code: str) -> dict[str, str]:
        """The place and the areas above it, by level (``village``, ``township``, ...)."""
        found = self._above.get(code)
        if found is None:
            found = {}
            place: str | None = code
            seen = set()
            while place is not None and place not in seen:
                seen.add(place)
                if place in self.levels:
                    found[self.levels[place]] = place
                place = self.parents.get(place)
            self._above[code] = found
        return found
