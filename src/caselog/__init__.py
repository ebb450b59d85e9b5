"""caselog: an immutable, tamper-evident, bitemporal event log for children's case files."""

from caselog import domain as domain  # registers the case-file event types
from caselog.errors import (
    CaselogError,
    ConcurrencyError,
    DuplicateEventError,
    IntegrityError,
    PayloadError,
    StoreError,
    StoreFormatError,
    UnknownEventTypeError,
    UnknownStoreError,
    ValidationError,
)
from caselog.events import (
    Event,
    EventRegistry,
    EventType,
    Metadata,
    Pending,
    StreamWrite,
    Upcaster,
    canonical_json,
    converter,
    default_registry,
    event_type,
    upcaster,
)
from caselog.events.schema import json_schema, json_schema_text
from caselog.integrity import GENESIS, Checkpoint, Problem, VerifyReport, verify
from caselog.log import Caselog, open
from caselog.memory import MemoryStore
from caselog.sqlite import SQLiteStore
from caselog.store import (
    ANY,
    NO_STREAM,
    EventStore,
    Expected,
    ExpectedVersion,
    NewEvent,
    StoredEvent,
    StreamAppend,
)
from caselog.stores import open_store
from caselog.times import Clock, system_clock

__all__ = [
    "ANY",
    "GENESIS",
    "NO_STREAM",
    "Caselog",
    "CaselogError",
    "Checkpoint",
    "Clock",
    "ConcurrencyError",
    "DuplicateEventError",
    "Event",
    "EventRegistry",
    "EventStore",
    "EventType",
    "Expected",
    "ExpectedVersion",
    "IntegrityError",
    "MemoryStore",
    "Metadata",
    "NewEvent",
    "PayloadError",
    "Pending",
    "Problem",
    "SQLiteStore",
    "StoreError",
    "StoreFormatError",
    "StoredEvent",
    "StreamAppend",
    "StreamWrite",
    "UnknownEventTypeError",
    "UnknownStoreError",
    "Upcaster",
    "ValidationError",
    "VerifyReport",
    "canonical_json",
    "converter",
    "default_registry",
    "event_type",
    "json_schema",
    "json_schema_text",
    "open",
    "open_store",
    "system_clock",
    "upcaster",
    "verify",
]
