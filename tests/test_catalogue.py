"""docs/events.md is generated from the payload classes and kept fresh."""

from pathlib import Path

import attrs

from caselog import EventRegistry, default_registry
from caselog.events.catalogue import describe

EVENTS_MD = Path(__file__).parent.parent / "docs" / "events.md"


def test_docs_events_is_fresh() -> None:
    """docs/events.md equals the catalogue generated now (regenerate it if this fails)."""
    assert EVENTS_MD.read_text() == describe(default_registry), (
        "docs/events.md is stale: run `python -m caselog.events.catalogue > docs/events.md`"
    )


def test_catalogue_lists_types_fields_and_code_lists() -> None:
    """The catalogue shows each type with its schema, fields, defaults and privacy marks."""
    registry = EventRegistry()

    @registry.register("note_added", schema=2)
    @attrs.frozen
    class NoteAdded:
        """A note was added."""

        text: str
        author: str | None = None

    text = describe(registry)
    assert "### `note_added` (schema 2)" in text
    assert "A note was added." in text
    assert "| `text` | `str` | required |  |" in text
    assert "| `author` | `str \\| None` | none |  |" in text
