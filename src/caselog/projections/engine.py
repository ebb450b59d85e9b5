"""The projection engine: follow the log from a projection's position, in batches.

A :class:`Projection` declares its tables, the event types it reads, and turns a batch of events
into table changes. The engine reads the log after the projection's position a page at a time,
decodes the events the projection reads, and has the store apply the changes **and** move the
position in one transaction: a process killed at any point resumes where the last committed
batch ended, without a row lost or doubled. Catching up and rebuilding run the same code, so a
rebuild comes out identical to the tables kept up to date batch by batch.
"""

from __future__ import annotations

import functools
import gc
import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from caselog.errors import ConcurrencyError, StoreError
from caselog.events.envelope import Event
from caselog.store import StoredEvent
from caselog.tables import ProjectionStore, ProjectionWrite, Query, Table, TableChanges, committed

if TYPE_CHECKING:
    from caselog.domain.directory import Directory
    from caselog.log import Caselog

__all__ = [
    "CACHED_EVENTS",
    "KEPT_WEIGHT",
    "Batch",
    "Projection",
    "Streams",
    "catch_up",
    "catch_up_all",
    "projection_store",
    "rebuild",
    "rebuild_all",
]

Progress = Callable[[int], None]


class _Cached:
    """The events a catch-up holds of one stream: those (of the types read) after version
    ``since``, 0 for the whole stream."""

    __slots__ = ("events", "since")

    def __init__(self, since: int, events: list[Event[Any]]) -> None:
        self.since = since
        self.events = events


def _after(events: list[Event[Any]], version: int) -> list[Event[Any]]:
    """The events after ``version`` of a list in version order (usually a short tail)."""
    start = len(events)
    while start and events[start - 1].version > version:
        start -= 1
    return events[start:]


class Streams:
    """The streams a catch-up has read, decoded once and kept for the rest of the run.

    From position 0 every stream is seen from its first event, so nothing is read twice; a
    catch-up that starts later reads a stream from the store the first time it is asked for.
    Past ``limit`` events the streams used least recently are let go (down to three quarters of
    the limit), which keeps memory bounded whatever the size of the log while the streams being
    written to stay at hand. A stream let go is read again when asked for whole (:meth:`get`);
    the events that come after it was let go are held as its tail, so that a projection that
    keeps its fold and asks only for what it has not folded (:meth:`after`) reads nothing.

    Projections may also keep what they worked out from the streams (a child's fold so far) in
    :meth:`kept`, for the rest of the run, each entry counting as :data:`KEPT_WEIGHT` events.
    When entries fill more than half the limit, each projection's oldest half is let go; a
    projection's whole part goes when another process moved it. What a projection keeps is
    *whole* (:meth:`is_whole`) while it holds everything the projection wrote: from empty
    tables, nothing let go since.
    """

    def __init__(
        self,
        log: Caselog,
        *,
        types: frozenset[str] | None,
        is_complete: bool,
        limit: int,
        empty: frozenset[str] = frozenset(),
    ) -> None:
        self.log = log
        self.types = types
        self.is_complete = is_complete
        self.limit = limit
        # least recently used first: an OrderedDict, as a dict emptied from its front is slow
        # to take the next first item of
        self._streams: OrderedDict[str, _Cached] = OrderedDict()
        self._ends: dict[str, int] = {}  # streams let go: the last version they held
        self._kept: dict[str, dict[str, Any]] = {}
        self._whole = set(empty)
        self._size = 0

    def add(self, events: list[Event[Any]], *, new: frozenset[str] = frozenset()) -> None:
        """Take in a page's decoded events; ``new`` names the streams that begin in the page
        (whose first event is in it), which are kept from their start."""
        self._trim(len(events))
        streams = self._streams
        for event in events:
            found = streams.get(event.stream)
            if found is not None:
                found.events.append(event)
            elif self.is_complete or event.stream in new:
                streams[event.stream] = _Cached(0, [event])
            elif (since := self._ends.pop(event.stream, None)) is not None:
                streams[event.stream] = _Cached(since, [event])  # the tail after it was let go
            else:
                continue
            self._size += 1

    def _trim(self, coming: int) -> None:
        """Let go of kept entries and streams, oldest first, to make room for ``coming``."""
        kept = sum(len(entries) for entries in self._kept.values()) * KEPT_WEIGHT
        if self._size + kept + coming <= self.limit:
            return
        if kept > self.limit // 2:
            for name, entries in self._kept.items():
                for key in list(itertools.islice(entries, len(entries) // 2)):
                    del entries[key]
                self._whole.discard(name)
            kept = sum(len(entries) for entries in self._kept.values()) * KEPT_WEIGHT
        room = self.limit * 3 // 4 - kept - coming
        streams = self._streams
        while streams and self._size > room:
            stream, held = streams.popitem(last=False)
            self._ends[stream] = held.events[-1].version if held.events else held.since
            self._size -= len(held.events)
            self.is_complete = False

    def _used(self, stream: str) -> _Cached | None:
        """The stream's cached events, now the most recently used."""
        found = self._streams.get(stream)
        if found is not None:
            self._streams.move_to_end(stream)
        return found

    def get(self, stream: str, end: int) -> list[Event[Any]]:
        """The stream's events (of the types read) up to ``end``, the end of the page."""
        found = self._used(stream)
        if found is not None and found.since == 0:
            return found.events
        if found is None and self.is_complete:
            return []
        return self._read(stream, 0, end, found)

    def after(self, stream: str, version: int, end: int) -> list[Event[Any]]:
        """The stream's events (of the types read) after ``version``, up to ``end``."""
        found = self._used(stream)
        if found is not None and found.since <= version:
            return _after(found.events, version)
        if found is None and (self.is_complete or self._ends.get(stream, version + 1) <= version):
            return []  # nothing came after what was let go, which the caller has read
        return self._read(stream, version, end, found)

    def _read(self, stream: str, since: int, end: int, held: _Cached | None) -> list[Event[Any]]:
        """Read the stream after version ``since`` from the store, and hold it."""
        types = self.types
        events = [
            self.log._mapper.event(record)
            for record in self.log.store.read_stream(stream, first=since + 1)
            if record.position <= end and (types is None or record.type in types)
        ]
        self._streams[stream] = _Cached(since, events)
        self._ends.pop(stream, None)
        self._size += len(events) - (0 if held is None else len(held.events))
        return events

    def kept(self, name: str) -> dict[str, Any]:
        """What the projection ``name`` keeps between batches of this run."""
        return self._kept.setdefault(name, {})

    def is_whole(self, name: str) -> bool:
        """True while what ``name`` keeps covers every row it has written (see the class)."""
        return name in self._whole

    def forget(self, name: str) -> None:
        """Drop what the projection ``name`` kept."""
        self._kept.pop(name, None)
        self._whole.discard(name)


class Batch:
    """What a projection sees of one batch: its events, the position the batch ends at, and
    the log to read more from (streams, folds) as it stood at that position."""

    def __init__(
        self,
        log: Caselog,
        events: list[Event[Any]],
        end: int,
        streams: Streams | None = None,
        *,
        directory: Directory | None = None,
    ) -> None:
        self.log = log
        self.events = events
        self.end = end
        self._streams = streams
        self._directory = directory
        self._own: dict[str, dict[str, Any]] = {}

    @functools.cached_property
    def directory(self) -> Directory:
        """The areas and workers, read once per batch after its page (by the engine, before
        the page before it began to commit, when the batches of that page read them)."""
        given = self._directory
        return self.log.directory() if given is None else given

    def read_stream(self, stream: str) -> list[Event[Any]]:
        """A stream's events up to the end of the batch (only those of the types the catch-up
        reads). The list is shared: do not change it."""
        if self._streams is not None:
            return self._streams.get(stream, self.end)
        return [e for e in self.log.read_stream(stream) if e.position <= self.end]

    def read_stream_after(self, stream: str, version: int) -> list[Event[Any]]:
        """The events of a stream after ``version``, up to the end of the batch: what a
        projection that keeps its fold between batches has not folded yet (only events of the
        types the catch-up reads)."""
        if self._streams is not None:
            return self._streams.after(stream, version, self.end)
        return [
            e for e in self.log.read_stream(stream, first=version + 1) if e.position <= self.end
        ]

    def kept(self, name: str) -> dict[str, Any]:
        """A dictionary the projection ``name`` may keep things in from one batch to the next
        of the same run (what it worked out from the streams, or the rows it wrote). It may be
        emptied between any two batches: what is kept must be something it can work out again."""
        if self._streams is None:  # a batch of its own: nothing carries over
            return self._own.setdefault(name, {})
        return self._streams.kept(name)

    def is_kept_whole(self, name: str) -> bool:
        """True when what :meth:`kept` holds for ``name`` covers every row the projection has
        written (its tables were empty when this run began, and nothing kept was emptied since):
        what is not kept then has no rows, and need not be looked up."""
        return self._streams is not None and self._streams.is_whole(name)

    def rows(self, query: Query) -> list[tuple[Any, ...]]:
        """Rows as committed before this batch."""
        return self._store.query(query)

    @functools.cached_property
    def _store(self) -> ProjectionStore:
        return projection_store(self.log)


class Projection:
    """A derived view of the log, kept in tables.

    Subclasses set ``name``, ``version`` (change it when the rows a projection writes change;
    the engine then rebuilds it), ``tables`` and ``types`` (the event types it reads; None for
    all), and implement :meth:`apply`.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    types: ClassVar[frozenset[str] | None] = None

    def key(self, log: Caselog) -> str:
        """The version written with the tables; by default ``version``."""
        return self.version

    def apply(self, batch: Batch) -> list[TableChanges]:
        """Return the changes a batch of events makes to the tables."""
        raise NotImplementedError


def projection_store(log: Caselog) -> ProjectionStore:
    """The log's store, if it keeps projections."""
    store = log.store
    if not isinstance(store, ProjectionStore):
        raise StoreError(f"{store!r} does not keep projections")
    return store


def _ready(log: Caselog, projection: Projection) -> int:
    """Create the projection's tables if needed, rebuilding a stale version; return its
    position."""
    store = projection_store(log)
    version = projection.key(log)
    state = store.projection_state(projection.name)
    if state is not None and state.version != version:
        store.drop_projection(projection.name, tables=projection.tables)
        state = None
    if state is None:
        store.create_projection(projection.name, version=version, tables=projection.tables)
        return 0
    return state.position


def catch_up(
    log: Caselog,
    projection: Projection,
    *,
    page_size: int = 1000,
    progress: Progress | None = None,
) -> int:
    """Bring the projection's tables up to the end of the log; return its new position.

    Several processes may catch up the same projection at once: a batch another process
    committed first is skipped, not applied twice.
    """
    return catch_up_all(log, [projection], page_size=page_size, progress=progress)[projection.name]


CACHED_EVENTS = 500_000
"""How many decoded events a catch-up keeps to read streams from (see :class:`Streams`)."""

KEPT_WEIGHT = 2
"""How many events one entry kept by a projection counts as, against :data:`CACHED_EVENTS`."""


def catch_up_all(
    log: Caselog,
    projections: Sequence[Projection],
    *,
    page_size: int = 1000,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Bring several projections up to the end of the log in one pass over it, each page read
    and decoded once; return their positions."""
    positions = {p.name: _ready(log, p) for p in projections}
    if not projections:
        return positions
    types: frozenset[str] | None = frozenset()
    for projection in projections:
        types = None if types is None or projection.types is None else types | projection.types
    is_collecting = gc.isenabled()
    gc.disable()  # a batch makes many short-lived objects and no cycles
    try:
        while not _pass(log, projections, positions, types, page_size, progress):
            pass  # another process left a projection inside a page: read again from there
    finally:
        if is_collecting:
            gc.enable()
    return positions


def _pass(
    log: Caselog,
    projections: Sequence[Projection],
    positions: dict[str, int],
    types: frozenset[str] | None,
    page_size: int,
    progress: Progress | None,
) -> bool:
    """One pass over the log from the lowest position; False when it has to start again.

    A store that can commit in the background (``start_projection_writes``) commits each page
    while the next one is folded: the next page, and the directory its batch reads, are read
    before the commit starts, and the commit is waited for before anything else is written.
    """
    start = min(positions.values())
    empty = frozenset(name for name, position in positions.items() if position == 0)
    streams = Streams(log, types=types, is_complete=start == 0, limit=CACHED_EVENTS, empty=empty)
    decode = log._mapper.event
    pages = _pages(log, start, page_size)
    page = next(pages, None)
    directory: Directory | None = None  # None: a batch reads it when asked, after its page
    committing: _Committing | None = None  # the last page written, until its commit is done
    try:
        while page is not None:
            end = page[-1].position
            wanted = page if types is None else [r for r in page if r.type in types]
            decoded = [decode(record) for record in wanted]
            streams.add(decoded, new=frozenset(r.stream for r in page if r.version == 1))
            writes, is_directory_read = _changes(
                log, projections, positions, decoded, end, streams, directory
            )
            page = next(pages, None)  # read before this page's commit holds the store
            done, committing = committing, None
            if done is not None:
                done.wait(progress)
            # the next batch's directory, for the same reason, if this page's batches read it
            directory = log.directory() if is_directory_read else None
            committing, is_level = _write(log, writes, positions, end, streams)
            if not is_level:
                done, committing = committing, None
                if done is not None:
                    done.wait(None)  # not caught up to its end: read again from before it
                return False
    except BaseException as error:
        if committing is not None:
            committing.settle(error)  # committed or failed, before the error goes on
        raise
    if committing is not None:
        committing.wait(progress)
    return True


class _Committing:
    """A page written, its commit perhaps still under way: :meth:`wait` for it."""

    __slots__ = ("end", "finish")

    def __init__(self, finish: Callable[[], None], end: int) -> None:
        self.finish = finish
        self.end = end

    def wait(self, progress: Progress | None) -> None:
        """Wait until the page is committed (raising what committing raised), then report it."""
        self.finish()
        if progress is not None:
            progress(self.end)

    def settle(self, error: BaseException) -> None:
        """Wait until the page is committed or has failed, while ``error`` goes on: a failed
        commit is noted on it."""
        try:
            self.finish()
        except Exception as failed:
            error.add_note(f"and committing the page that ends at {self.end} failed: {failed}")


def _pages(log: Caselog, after: int, size: int) -> Iterator[list[StoredEvent]]:
    """The pages of the log after ``after``, each extended so that it ends with a recorded
    moment: the events of one append (which share their ``recorded`` time) are never split
    between two batches, so a projection sees each moment of knowledge whole, whatever the page
    size. What is read past a page's end starts the next page: nothing is read twice."""
    ahead: list[StoredEvent] = []  # read, but past the end of the last page
    while True:
        page = ahead
        if len(page) < size:
            read_to = page[-1].position if page else after
            page = page + log.store.read_log(after=read_to, limit=size - len(page))
        ahead = []
        while len(page) >= size:  # more of the last moment may follow
            last = page[-1]
            more = log.store.read_log(after=last.position, limit=size)
            cut = 0
            while cut < len(more) and more[cut].recorded == last.recorded:
                cut += 1
            page += more[:cut]
            if cut < len(more) or not more:
                ahead = more[cut:]
                break
        if not page:
            return
        yield page
        after = page[-1].position


def _changes(
    log: Caselog,
    projections: Sequence[Projection],
    positions: dict[str, int],
    decoded: list[Event[Any]],
    end: int,
    streams: Streams,
    directory: Directory | None,
) -> tuple[list[ProjectionWrite], bool]:
    """What one page changes in each projection not past it already, and whether a batch read
    the directory."""
    writes = []
    is_directory_read = False
    first = decoded[0].position if decoded else end
    kinds_met = {e.type for e in decoded}
    for projection in projections:
        after = positions[projection.name]
        if after >= end:
            continue  # another process, or an earlier run, got here first
        kinds = projection.types
        if after < first and (kinds is None or kinds.issuperset(kinds_met)):
            events = decoded  # all of the page's, as is usual
        else:
            events = [e for e in decoded
                      if e.position > after and (kinds is None or e.type in kinds)]  # fmt: skip
        batch = Batch(log, events, end, streams, directory=directory)
        changes = projection.apply(batch) if events else []
        writes.append(ProjectionWrite(projection.name, after, end, tuple(changes)))
        is_directory_read = is_directory_read or "directory" in batch.__dict__  # (cached)
    return writes, is_directory_read


def _write(
    log: Caselog,
    writes: list[ProjectionWrite],
    positions: dict[str, int],
    end: int,
    streams: Streams,
) -> tuple[_Committing | None, bool]:
    """Write one page's changes in one transaction; return its commit, perhaps still under
    way, and False when another process moved a projection to a position inside the page,
    from which the catch-up must read again."""
    if not writes:
        return None, True
    store = projection_store(log)
    skipped, finish = _start_all(store, writes)
    committing = _Committing(finish, end)
    level = True
    try:
        for write in writes:
            if write.name not in skipped:
                positions[write.name] = end
                continue
            streams.forget(write.name)  # what it kept may describe rows that were not written
            state = store.projection_state(write.name)
            if state is None:
                raise StoreError(f"projection {write.name} was dropped while catching up")
            positions[write.name] = state.position  # another process moved it: skip
            level = level and state.position >= end  # not if it stopped inside this page
    except BaseException as error:
        committing.settle(error)
        raise
    return committing, level


def _start_all(
    store: ProjectionStore, writes: list[ProjectionWrite]
) -> tuple[frozenset[str], Callable[[], None]]:
    """Start writing a page's batches: committed in the background by a store that can, else
    at once; return the names of those skipped and a function that waits for the commit."""
    start = getattr(store, "start_projection_writes", None)
    if start is not None:
        started: tuple[frozenset[str], Callable[[], None]] = start(writes)
        return started
    return _write_all(store, writes), committed


def _write_all(store: ProjectionStore, writes: list[ProjectionWrite]) -> frozenset[str]:
    """Write a page's batches in one transaction, or one by one in a store without
    ``write_projections``; return the names of those skipped, their position moved."""
    write_all = getattr(store, "write_projections", None)
    if write_all is not None:
        found: frozenset[str] = write_all(writes)
        return found
    skipped = set()
    for write in writes:
        try:
            store.write_projection(write.name, expected=write.expected, position=write.position,
                                   changes=write.changes)  # fmt: skip
        except ConcurrencyError:
            skipped.add(write.name)
    return frozenset(skipped)


def rebuild(
    log: Caselog,
    projection: Projection,
    *,
    page_size: int = 1000,
    progress: Progress | None = None,
) -> int:
    """Drop the projection's tables and replay the whole log into them."""
    return rebuild_all(log, [projection], page_size=page_size, progress=progress)[projection.name]


def rebuild_all(
    log: Caselog,
    projections: Sequence[Projection],
    *,
    page_size: int = 1000,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Drop several projections' tables and replay the whole log into them in one pass."""
    for projection in projections:
        projection_store(log).drop_projection(projection.name, tables=projection.tables)
    return catch_up_all(log, projections, page_size=page_size, progress=progress)
