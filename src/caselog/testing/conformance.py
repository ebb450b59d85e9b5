"""The storage contract's example tests, for every store and adapter to pass.

Subclass :class:`StoreConformance`, implement :meth:`~StoreConformance.make_store`, and name the
subclass ``Test...`` so pytest collects it::

    class TestMyStore(StoreConformance):
        def make_store(self, *, clock):
            return MyStore(..., clock=clock)
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from caselog.errors import ConcurrencyError, DuplicateEventError, ValidationError
from caselog.integrity import GENESIS, chain_hash, content, event_hash, verify
from caselog.store import ANY, NO_STREAM, EventStore, NewEvent, StreamAppend
from caselog.testing.clock import ManualClock
from caselog.testing.concurrency import append_many, check_log
from caselog.times import Clock, format_recorded

__all__ = ["StoreConformance", "new_event"]


def new_event(data: str = '{"n":1}', *, type: str = "note_added", **fields: str) -> NewEvent:
    """Return a new event with a fresh id; ``fields`` set other envelope fields."""
    return NewEvent(event_id=str(uuid.uuid4()), type=type, schema=1, data=data, **fields)


def _write(stream: str, count: int = 1, expected: object = ANY) -> StreamAppend:
    events = [new_event(f'{{"n":{n}}}') for n in range(count)]
    return StreamAppend(stream, events, expected)  # type: ignore[arg-type]


class StoreConformance:
    """Example tests of the storage contract; one behaviour each."""

    tmp_path: Path

    def make_store(self, *, clock: Clock) -> EventStore:
        """Return a new, empty store that takes its time from ``clock``."""
        raise NotImplementedError

    @pytest.fixture(autouse=True)
    def _keep_tmp_path(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path

    @pytest.fixture
    def clock(self) -> ManualClock:
        return ManualClock()

    @pytest.fixture
    def store(self, clock: ManualClock) -> Iterator[EventStore]:
        store = self.make_store(clock=clock)
        yield store
        store.close()

    def test_new_store_is_empty(self, store: EventStore) -> None:
        """A new store has no events, no streams and no last event."""
        assert store.read_log() == []
        assert store.read_stream("child-1") == []
        assert store.stream_version("child-1") == 0
        assert store.last_event() is None

    def test_append_returns_what_it_stored(self, store: EventStore) -> None:
        """An append returns the stored events, the same as reading them back."""
        stored = store.append([_write("child-1", 2)])
        assert [(e.position, e.version) for e in stored] == [(1, 1), (2, 2)]
        assert store.read_stream("child-1") == stored
        assert store.read_log() == stored

    def test_append_keeps_every_field_given(self, store: EventStore) -> None:
        """Every field a writer gives comes back unchanged."""
        event = new_event(
            '{"name":"王小明"}',
            effective="2024-03-03",
            actor="worker-7",
            role="village_worker",
            area="110101001001",
            causation="cause-1",
            correlation="census-2024",
            device="tablet-3",
        )
        (stored,) = store.append([StreamAppend("child-1", [event])])
        assert stored.event_id == event.event_id
        assert (stored.type, stored.schema, stored.data) == (event.type, 1, event.data)
        assert stored.effective == "2024-03-03"
        assert (stored.actor, stored.role, stored.area) == (
            "worker-7",
            "village_worker",
            event.area,
        )
        assert (stored.causation, stored.correlation, stored.device) == (
            "cause-1",
            "census-2024",
            "tablet-3",
        )

    def test_versions_continue_across_appends(self, store: EventStore) -> None:
        """A stream's versions go on from where its last append ended."""
        store.append([_write("child-1", 2)])
        stored = store.append([_write("child-1", 3)])
        assert [e.version for e in stored] == [3, 4, 5]
        assert store.stream_version("child-1") == 5

    def test_positions_are_global_across_streams(self, store: EventStore) -> None:
        """Positions number the events of all streams in one sequence."""
        store.append([_write("child-1")])
        store.append([_write("child-2")])
        store.append([_write("child-1")])
        assert [(e.position, e.stream, e.version) for e in store.read_log()] == [
            (1, "child-1", 1),
            (2, "child-2", 1),
            (3, "child-1", 2),
        ]

    def test_read_stream_takes_a_version_range(self, store: EventStore) -> None:
        """Reading a stream from ``first`` to ``last`` returns those versions only."""
        store.append([_write("child-1", 5)])
        assert [e.version for e in store.read_stream("child-1", first=2, last=4)] == [2, 3, 4]
        assert [e.version for e in store.read_stream("child-1", first=4)] == [4, 5]
        assert store.read_stream("child-1", first=6) == []

    def test_read_log_pages(self, store: EventStore) -> None:
        """Reading the log after a position returns at most ``limit`` events in order."""
        store.append([_write("child-1", 5), _write("child-2", 2)])
        page = store.read_log(after=2, limit=3)
        assert [e.position for e in page] == [3, 4, 5]
        assert [e.position for e in store.read_log(after=5, limit=10)] == [6, 7]
        assert store.read_log(after=7) == []

    def test_no_stream_refuses_an_existing_stream(self, store: EventStore) -> None:
        """Expecting no stream fails on a stream that has events, naming both versions."""
        store.append([_write("child-1")])
        with pytest.raises(ConcurrencyError) as caught:
            store.append([_write("child-1", expected=NO_STREAM)])
        assert (caught.value.stream, caught.value.expected, caught.value.actual) == (
            "child-1",
            NO_STREAM,
            1,
        )

    def test_no_stream_accepts_a_new_stream(self, store: EventStore) -> None:
        """Expecting no stream succeeds on a stream without events."""
        (stored,) = store.append([_write("child-1", expected=NO_STREAM)])
        assert stored.version == 1

    def test_exact_version_accepts_the_current_version(self, store: EventStore) -> None:
        """Expecting the stream's current version succeeds."""
        store.append([_write("child-1", 2)])
        (stored,) = store.append([_write("child-1", expected=2)])
        assert stored.version == 3

    def test_stale_version_is_refused(self, store: EventStore) -> None:
        """Expecting an old version fails and writes nothing."""
        store.append([_write("child-1", 2)])
        with pytest.raises(ConcurrencyError) as caught:
            store.append([_write("child-1", expected=1)])
        assert caught.value.actual == 2
        assert store.stream_version("child-1") == 2

    def test_exact_zero_means_an_empty_stream(self, store: EventStore) -> None:
        """Expecting version 0 succeeds on a new stream and fails on one with events."""
        store.append([_write("child-1", expected=0)])
        with pytest.raises(ConcurrencyError):
            store.append([_write("child-1", expected=0)])

    def test_multi_stream_append_is_all_or_nothing(self, store: EventStore) -> None:
        """If one stream of a batch is not at its expected version, no stream is written."""
        store.append([_write("household-1")])
        batch = [_write("child-1", 2, expected=NO_STREAM), _write("household-1", expected=5)]
        with pytest.raises(ConcurrencyError):
            store.append(batch)
        assert store.read_stream("child-1") == []
        assert len(store.read_log()) == 1

    def test_multi_stream_append_takes_batch_order(self, store: EventStore) -> None:
        """A batch's events take consecutive positions in the order the batch lists them."""
        stored = store.append([_write("child-1", 2), _write("household-1", 1)])
        assert [(e.position, e.stream) for e in stored] == [
            (1, "child-1"),
            (2, "child-1"),
            (3, "household-1"),
        ]

    def test_retry_returns_the_stored_events(self, store: EventStore) -> None:
        """Sending a stored batch again returns the stored events and writes nothing."""
        batch = [_write("child-1", 2, expected=NO_STREAM), _write("child-2")]
        first = store.append(batch)
        store.append([_write("child-1")])
        assert store.append(batch) == first
        assert len(store.read_log()) == 4

    def test_retry_of_an_any_append_writes_nothing(self, store: EventStore) -> None:
        """A retry succeeds without writing even when its expected version would still hold."""
        batch = [_write("child-1", 2)]
        first = store.append(batch)
        assert store.append(batch) == first
        assert store.stream_version("child-1") == 2

    def test_batch_mixing_stored_and_new_ids_is_refused(self, store: EventStore) -> None:
        """A batch with some stored and some new ids raises and writes nothing."""
        (old,) = store.append([_write("child-1")])
        stored_again = NewEvent(event_id=old.event_id, type=old.type, schema=1, data=old.data)
        mixed = StreamAppend("child-1", [stored_again, new_event()])
        with pytest.raises(DuplicateEventError) as caught:
            store.append([mixed])
        assert caught.value.event_ids == (old.event_id,)
        assert len(store.read_log()) == 1

    def test_new_ids_before_a_stored_one_are_refused(self, store: EventStore) -> None:
        """A batch whose stored id comes after new ones raises and writes none of them."""
        (old,) = store.append([_write("child-1")])
        again = NewEvent(event_id=old.event_id, type=old.type, schema=1, data=old.data)
        batch = [_write("child-2", 2), StreamAppend("child-1", [new_event(), again])]
        with pytest.raises(DuplicateEventError):
            store.append(batch)
        assert store.read_log() == [old]
        assert store.stream_version("child-2") == 0

    def test_retry_in_another_order_is_refused(self, store: EventStore) -> None:
        """Stored ids sent again in another order are not a retry of that batch."""
        one, two = new_event(), new_event()
        store.append([StreamAppend("child-1", [one, two])])
        with pytest.raises(DuplicateEventError):
            store.append([StreamAppend("child-1", [two, one])])
        assert len(store.read_log()) == 2

    def test_read_arguments_are_checked(self, store: EventStore) -> None:
        """Reading with a negative limit or a version that is not a number is refused."""
        with pytest.raises(ValidationError) as caught:
            store.read_log(limit=-1)
        assert caught.value.field == "limit"
        with pytest.raises(ValidationError) as caught:
            store.read_stream("child-1", first="1")  # type: ignore[arg-type]
        assert caught.value.field == "first"

    def test_stored_id_with_other_content_is_refused(self, store: EventStore) -> None:
        """Reusing a stored id for different content raises and writes nothing."""
        (old,) = store.append([_write("child-1")])
        other = NewEvent(event_id=old.event_id, type=old.type, schema=1, data='{"n":99}')
        with pytest.raises(DuplicateEventError):
            store.append([StreamAppend("child-1", [other])])
        assert store.read_log() == [old]

    def test_stored_id_in_another_stream_is_refused(self, store: EventStore) -> None:
        """Reusing a stored id in another stream raises and writes nothing."""
        (old,) = store.append([_write("child-1")])
        moved = NewEvent(event_id=old.event_id, type=old.type, schema=1, data=old.data)
        with pytest.raises(DuplicateEventError):
            store.append([StreamAppend("child-2", [moved])])
        assert store.read_stream("child-2") == []

    def test_same_id_twice_in_a_batch_is_refused(self, store: EventStore) -> None:
        """A batch that carries one id twice raises and writes nothing."""
        event = new_event()
        with pytest.raises(DuplicateEventError):
            store.append([StreamAppend("child-1", [event, event])])
        assert store.read_log() == []

    def test_same_stream_twice_in_a_batch_is_refused(self, store: EventStore) -> None:
        """A batch that names one stream twice raises a validation error naming the stream."""
        with pytest.raises(ValidationError) as caught:
            store.append([_write("child-1"), _write("child-1")])
        assert caught.value.field == "stream"
        assert store.read_log() == []

    def test_empty_batch_is_refused(self, store: EventStore) -> None:
        """An append with no streams raises a validation error."""
        with pytest.raises(ValidationError):
            store.append([])

    def test_recorded_comes_from_the_clock(self, store: EventStore, clock: ManualClock) -> None:
        """The store sets ``recorded`` from its clock."""
        (stored,) = store.append([_write("child-1")])
        assert stored.recorded == format_recorded(clock.now)

    def test_batch_shares_one_recorded_time(self, store: EventStore, clock: ManualClock) -> None:
        """All events of one append are recorded at the same moment."""
        stored = store.append([_write("child-1", 3), _write("child-2")])
        assert {e.recorded for e in stored} == {format_recorded(clock.now)}

    def test_recorded_never_goes_back(self, store: EventStore, clock: ManualClock) -> None:
        """When the clock is turned back, ``recorded`` stays at the last recorded time."""
        (first,) = store.append([_write("child-1")])
        clock.advance(-3600)
        (second,) = store.append([_write("child-1")])
        assert second.recorded == first.recorded

    def test_effective_defaults_to_recorded(self, store: EventStore) -> None:
        """An event without an effective time is effective when it is recorded."""
        (stored,) = store.append([_write("child-1")])
        assert stored.effective == stored.recorded

    def test_stream_hashes_link_each_event_to_the_previous(self, store: EventStore) -> None:
        """Each event's hash covers its content and its stream's previous hash."""
        store.append([_write("child-1", 2), _write("child-2")])
        one, two = store.read_stream("child-1")
        assert one.hash == event_hash(GENESIS, content(one))
        assert two.hash == event_hash(one.hash, content(two))

    def test_global_chain_links_every_position(self, store: EventStore) -> None:
        """Each event's chain covers the previous chain value, its position and its hash."""
        store.append([_write("child-1"), _write("child-2")])
        one, two = store.read_log()
        assert one.chain == chain_hash(GENESIS, 1, one.hash)
        assert two.chain == chain_hash(one.chain, 2, two.hash)

    def test_written_store_verifies(self, store: EventStore) -> None:
        """Verification passes on a store written only through the contract."""
        for _ in range(3):
            store.append([_write("child-1", 2), _write("household-1")])
        report = verify(store, page_size=4)
        assert report.is_ok, report
        assert report.checked == 9

    def test_last_event_is_the_end_of_the_log(self, store: EventStore) -> None:
        """The last event is the one with the highest position."""
        store.append([_write("child-1", 2), _write("child-2")])
        last = store.last_event()
        assert last is not None
        assert (last.position, last.stream) == (3, "child-2")

    def test_append_checks_its_records(self, store: EventStore) -> None:
        """An append of something other than stream appends raises a validation error."""
        with pytest.raises(ValidationError):
            store.append([new_event()])  # type: ignore[list-item]
        assert store.read_log() == []

    def test_threads_appending_at_once_lose_nothing(self, store: EventStore) -> None:
        """Threads appending to shared streams at once leave every event exactly once, in order."""
        written: dict[int, list[str]] = {}

        def work(worker: int) -> None:
            written[worker] = append_many(store, worker=worker, appends=30, streams=3)

        threads = [threading.Thread(target=work, args=(worker,)) for worker in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(written) == len(threads), "a thread failed"
        check_log(store, [event_id for ids in written.values() for event_id in ids])
