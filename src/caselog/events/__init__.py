"""Events: the envelope, payload classes and their registry, the codec and upcasters."""

from caselog.events.codec import canonical_json, converter
from caselog.events.envelope import Event, Metadata, Pending, StreamWrite
from caselog.events.registry import (
    EventRegistry,
    EventType,
    Upcaster,
    default_registry,
    event_type,
    upcaster,
)

__all__ = [
    "Event",
    "EventRegistry",
    "EventType",
    "Metadata",
    "Pending",
    "StreamWrite",
    "Upcaster",
    "canonical_json",
    "converter",
    "default_registry",
    "event_type",
    "upcaster",
]
