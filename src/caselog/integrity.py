"""Hash chains over the log, their verification, and checkpoints.

Every event carries two hashes. ``hash`` is the SHA-256 of the event's stored content and the
``hash`` of the previous event in its stream; ``chain`` is the SHA-256 of the previous event's
``chain`` in the global log, the event's position and its ``hash``. Both start from
:data:`GENESIS`. The exact byte layouts are in ``docs/concepts.md``, so that any tool can recompute
them. Hashes cover stored bytes (ciphertext, where fields are sealed), so erasing a key never breaks
verification.

The chains are unkeyed: anyone who can write the database can rewrite the whole tail consistently.
A :class:`Checkpoint` kept elsewhere (position and chain head) detects that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring_ascii as _escape
from typing import TYPE_CHECKING, Any

import attrs

from caselog.errors import IntegrityError, StoreError, ValidationError

if TYPE_CHECKING:
    from caselog.store import EventStore, StoredEvent

__all__ = [
    "GENESIS",
    "Checkpoint",
    "Problem",
    "VerifyReport",
    "chain_hash",
    "content",
    "event_hash",
    "verify",
]

GENESIS = "0" * 64
"""The hash that the first event of every stream, and of the log, links to."""


def _optional(value: str | None) -> str:
    return "null" if value is None else _escape(value)


def event_hash(previous: str, fields: tuple[Any, ...]) -> str:
    """Return the hash of an event's content linked to its stream's previous hash.

    ``fields`` are the stored fields from ``stream`` to ``data`` in :class:`StoredEvent` order.
    The header is the JSON array ``json.dumps([previous, *fields[:-1]], separators=(",", ":"))``
    would write; it is spelled out here because appends compute it for every event.
    """
    (stream, version, event_id, type_, schema, effective, recorded, actor, role, area) = fields[:10]
    (causation, correlation, device, data) = fields[10:]
    header = (
        f'["{previous}",{_escape(stream)},{int(version)},{_escape(event_id)},'
        f"{_escape(type_)},{int(schema)},{_escape(effective)},{_escape(recorded)},"
        f"{_optional(actor)},{_optional(role)},{_optional(area)},{_optional(causation)},"
        f"{_optional(correlation)},{_optional(device)}]"
    )
    return hashlib.sha256(f"{header}\n{data}".encode()).hexdigest()


def content(event: StoredEvent) -> tuple[Any, ...]:
    """Return the stored fields that an event's ``hash`` covers, from ``stream`` to ``data``."""
    return event[1:15]


def chain_hash(previous: str, position: int, hash: str) -> str:
    """Return the global chain value at ``position`` for an event whose hash is ``hash``."""
    return hashlib.sha256(f"{previous}:{position}:{hash}".encode()).hexdigest()


@attrs.frozen
class Checkpoint:
    """The head of the global chain at a position; keep it outside the store to detect rewrites."""

    position: int
    chain: str
    recorded: str

    def to_json(self) -> str:
        """Return the checkpoint as a small JSON document."""
        return json.dumps({"caselog_checkpoint": 1, **attrs.asdict(self)}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """Read a checkpoint written by :meth:`to_json`."""
        try:
            data = json.loads(text)
            if data.pop("caselog_checkpoint") != 1:
                raise ValueError("unknown checkpoint format")
            checkpoint = cls(**data)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValidationError("checkpoint", f"not a caselog checkpoint: {exc}") from None
        if (
            type(checkpoint.position) is not int
            or not isinstance(checkpoint.chain, str)
            or len(checkpoint.chain) != len(GENESIS)
            or not isinstance(checkpoint.recorded, str)
        ):
            raise ValidationError("checkpoint", "position, chain or recorded has the wrong form")
        return checkpoint

    @classmethod
    def of(cls, event: StoredEvent) -> Checkpoint:
        """Return the checkpoint at a stored event."""
        return cls(event.position, event.chain, event.recorded)


@attrs.frozen
class Problem:
    """The first place where the stored log stops matching its chains or a checkpoint.

    ``kind`` is one of ``altered``, ``deleted``, ``inserted``, ``reordered``, ``broken`` (the
    chain breaks and the cause cannot be told apart), ``truncated`` or ``rewritten`` (against a
    checkpoint).
    """

    kind: str
    position: int
    detail: str
    stream: str | None = None
    version: int | None = None
    event_id: str | None = None

    def __str__(self) -> str:
        where = f"position {self.position}"
        if self.stream is not None:
            where += f" (stream {self.stream!r} version {self.version}, event {self.event_id})"
        return f"{self.kind} at {where}: {self.detail}"


@attrs.frozen
class VerifyReport:
    """The result of :func:`verify`: how many events were checked and the first problem, if any."""

    checked: int
    head: Checkpoint | None
    problem: Problem | None

    @property
    def is_ok(self) -> bool:
        """True if the log matched its chains (and the checkpoint, if one was given)."""
        return self.problem is None

    def raise_for_problem(self) -> None:
        """Raise :class:`IntegrityError` describing the problem, if there is one."""
        if self.problem is not None:
            raise IntegrityError(str(self.problem))

    def __str__(self) -> str:
        if self.problem is None:
            head = f", head {self.head.chain[:16]} at {self.head.position}" if self.head else ""
            return f"ok: {_events(self.checked)} verified{head}"
        return f"FAILED after {_events(self.checked)}: {self.problem}"


def _events(count: int) -> str:
    return f"{count} event" if count == 1 else f"{count} events"


def _problem(kind: str, event: StoredEvent, detail: str) -> Problem:
    return Problem(kind, event.position, detail, event.stream, event.version, event.event_id)


_OPTIONAL = (str, type(None))


def _is_well_typed(event: StoredEvent) -> bool:
    """Integers where the contract has integers, text where it has text."""
    (position, stream, version, event_id, type_, schema, effective, recorded) = event[:8]
    return (
        all(type(value) is int for value in (position, version, schema))
        and all(type(value) is str for value in (stream, event_id, type_, effective, recorded))
        and all(isinstance(value, _OPTIONAL) for value in event[8:14])
        and all(type(value) is str for value in event[14:])
    )


def _matches(previous: str, event: StoredEvent) -> bool:
    """Say whether an event's content still gives its hash; a field of the wrong type does not."""
    if not _is_well_typed(event):
        return False
    try:
        return event_hash(previous, content(event)) == event.hash
    except (TypeError, ValueError, UnicodeEncodeError):
        return False


def _pairs(store: EventStore, page_size: int) -> Iterator[tuple[StoredEvent, StoredEvent | None]]:
    """Yield each event of the log with the one after it."""
    previous: StoredEvent | None = None
    after = -(2**62)  # below 1, where nothing belongs: a forged row there is reported
    while page := store.read_log(after=after, limit=page_size):
        for event in page:
            if previous is not None:
                yield previous, event
            previous = event
        after = page[-1].position
    if previous is not None:
        yield previous, None


@attrs.define
class _Walk:
    """What verification has seen so far."""

    store: EventStore
    position: int = 0
    chain: str = GENESIS
    chain_before: str | None = None
    recorded: str = ""
    streams: dict[str, tuple[int, str]] = attrs.Factory(dict)

    def check(self, event: StoredEvent, following: StoredEvent | None) -> Problem | None:
        if not _is_well_typed(event):
            return Problem("altered", self.position + 1, "a stored field has the wrong type")
        if event.position <= self.position:
            detail = "a row outside the log's numbering (positions start at 1)"
            return Problem("inserted", event.position, detail, event.stream, event.version)
        if event.position != self.position + 1:
            missing = f"{self.position + 1}..{event.position - 1}"
            return Problem("deleted", self.position + 1, f"positions {missing} are missing")
        links = chain_hash(self.chain, event.position, event.hash) == event.chain
        if not links:
            inserted = self._inserted(event, following)
            if inserted is not None:
                return inserted
        version, previous = self.streams.get(event.stream, (0, GENESIS))
        if event.version != version + 1:
            return self._out_of_step(event, version)
        if not _matches(previous, event):
            return _problem("altered", event, "its content no longer matches its hash")
        if not links:
            return self._broken(event, following)
        self.streams[event.stream] = (event.version, event.hash)
        self.position, self.chain_before, self.chain = event.position, self.chain, event.chain
        self.recorded = event.recorded
        return None

    def _inserted(self, event: StoredEvent, following: StoredEvent | None) -> Problem | None:
        if following is not None and following.chain == chain_hash(
            self.chain, event.position, following.hash
        ):
            if event.chain == chain_hash(following.chain, following.position, event.hash):
                return _problem("reordered", event, "it changed places with the next event")
            return _problem("inserted", event, "the log fits together without this event")
        if self.chain_before is not None and event.chain == chain_hash(
            self.chain_before, event.position - 1, event.hash
        ):
            return Problem(
                "inserted",
                self.position,
                "the log fits together without this event: the next one links across it",
            )
        return None

    def _out_of_step(self, event: StoredEvent, version: int) -> Problem:
        if event.version <= version:
            return _problem("reordered", event, f"its stream was already at version {version}")
        missing = self.store.read_stream(event.stream, first=version + 1, last=version + 1)
        if missing and missing[0].position > event.position:
            where = f"version {version + 1} comes later, at position {missing[0].position}"
            return _problem("reordered", event, where)
        return _problem("deleted", event, f"version {version + 1} of its stream is missing")

    def _broken(self, event: StoredEvent, following: StoredEvent | None) -> Problem:
        if following is not None:
            if following.chain == chain_hash(event.chain, following.position, following.hash):
                detail = "its hash was rewritten: it no longer links to the event before it"
                return _problem("altered", event, detail)
            if following.chain == chain_hash(event.chain, following.position + 1, following.hash):
                detail = "an event before it was removed and the positions after it renumbered"
                return _problem("deleted", event, detail)
        if event.recorded < self.recorded or (
            following is not None and following.recorded < event.recorded
        ):
            return _problem("reordered", event, "it is out of recording order")
        return _problem("broken", event, "it does not link to the event before it")


def verify(
    store: EventStore,
    *,
    checkpoint: Checkpoint | None = None,
    page_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> VerifyReport:
    """Recompute both hash chains over the whole log and name the first event that fails.

    With a ``checkpoint``, also check that the log still holds the same chain head at the
    checkpoint's position, which detects a rewritten or truncated tail.
    """
    if type(page_size) is not int or page_size < 1:
        raise ValidationError("page_size", f"{page_size!r} is not a whole number above 0")
    walk = _Walk(store)
    try:
        for event, following in _pairs(store, page_size):
            problem = walk.check(event, following)
            if problem is None and checkpoint is not None and event.position == checkpoint.position:
                problem = _against(checkpoint, event)
            if problem is not None:
                return VerifyReport(walk.position, _head(store), problem)
            if progress is not None and event.position % page_size == 0:
                progress(event.position)
    except StoreError:  # a row the store cannot even read (bytes that are not UTF-8, say)
        return VerifyReport(walk.position, _head(store), _unreadable(store, walk.position))
    if checkpoint is not None and checkpoint.position > walk.position:
        detail = f"the log ends at position {walk.position}, before the checkpoint"
        problem = Problem("truncated", walk.position + 1, detail)
        return VerifyReport(walk.position, _head(store), problem)
    return VerifyReport(walk.position, _head(store), None)


def _unreadable(store: EventStore, after: int) -> Problem:
    """Name the first row after ``after`` that the store fails to read."""
    while True:
        try:
            page = store.read_log(after=after, limit=1)
        except StoreError as exc:
            return Problem("altered", after + 1, f"the stored row cannot be read: {exc}")
        if not page:
            return Problem("altered", after + 1, "the store failed to read the log here")
        after = page[0].position


def _against(checkpoint: Checkpoint, event: StoredEvent) -> Problem | None:
    if event.chain == checkpoint.chain:
        return None
    detail = "the log up to here differs from the checkpoint: it was rewritten after it was taken"
    return _problem("rewritten", event, detail)


def _head(store: EventStore) -> Checkpoint | None:
    try:
        last = store.last_event()
    except StoreError:
        return None
    return None if last is None else Checkpoint.of(last)
