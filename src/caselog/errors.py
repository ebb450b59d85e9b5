"""The exceptions caselog raises.

Every error derives from :class:`CaselogError` and from the builtin exception whose meaning it
shares, so ``except ValueError`` keeps working for callers who do not know caselog. Errors carry the
facts they report as attributes; the message is built from them.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "CaselogError",
    "ConcurrencyError",
    "DuplicateEventError",
    "IntegrityError",
    "PayloadError",
    "StoreError",
    "StoreFormatError",
    "UnknownEventTypeError",
    "UnknownStoreError",
    "ValidationError",
]


class CaselogError(Exception):
    """The root of every error caselog raises."""


class ValidationError(CaselogError, ValueError):
    """Input that caselog refuses; nothing was written.

    ``field`` names the offending field (dotted for nested values) and ``reason`` says why.
    """

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class ConcurrencyError(CaselogError, RuntimeError):
    """A stream's version was not the one the writer expected; nothing was written.

    Read the stream again, decide again, and retry with the new version.
    """

    def __init__(self, stream: str, expected: object, actual: int) -> None:
        self.stream = stream
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"stream {stream!r} is at version {actual}, but the append expected {expected}"
        )


class DuplicateEventError(CaselogError, ValueError):
    """An append reused event ids in a way that cannot be an idempotent retry.

    Either the batch mixes stored and new ids, or a stored id comes back with other content.
    ``event_ids`` lists the ids concerned.
    """

    def __init__(self, event_ids: Sequence[str], reason: str) -> None:
        self.event_ids = tuple(event_ids)
        self.reason = reason
        shown = ", ".join(self.event_ids[:3]) + (" ..." if len(self.event_ids) > 3 else "")
        super().__init__(f"event ids {shown}: {reason}")


class UnknownEventTypeError(CaselogError, LookupError):
    """A stored or requested event type name has no registered payload class."""

    def __init__(self, type_name: str, *, event_id: str | None = None) -> None:
        self.type_name = type_name
        self.event_id = event_id
        where = f" (event {event_id})" if event_id else ""
        super().__init__(f"unknown event type {type_name!r}{where}")


class PayloadError(CaselogError, ValueError):
    """An event's payload could not be encoded, lifted to the current schema, or decoded."""

    def __init__(self, type_name: str, reason: str, *, event_id: str | None = None) -> None:
        self.type_name = type_name
        self.reason = reason
        self.event_id = event_id
        where = f" (event {event_id})" if event_id else ""
        super().__init__(f"event type {type_name!r}{where}: {reason}")


class IntegrityError(CaselogError, ValueError):
    """The stored log does not match its hash chains or a saved checkpoint."""


class StoreError(CaselogError, OSError):
    """The storage backend failed; the driver's exception is chained as ``__cause__``."""


class StoreFormatError(StoreError):
    """A database is not a caselog store, or was written by a newer caselog; it was not touched."""


class UnknownStoreError(CaselogError, LookupError):
    """No store is known for a URL's scheme."""

    def __init__(self, url: str, scheme: str, known: Sequence[str]) -> None:
        self.url = url
        self.scheme = scheme
        super().__init__(
            f"no caselog store for scheme {scheme!r} in {url!r}; known schemes: "
            f"{', '.join(sorted(known))} (adapters register in the entry-point group "
            "'caselog.stores')"
        )
