"""The caselog object: appending payloads, reading events, verifying and checkpointing."""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import attrs
import pytest

import caselog
from caselog import (
    NO_STREAM,
    Caselog,
    ConcurrencyError,
    EventRegistry,
    Metadata,
    Pending,
    StreamWrite,
)
from caselog.testing import ManualClock

registry = EventRegistry()


@registry.register("note_added")
@attrs.frozen
class NoteAdded:
    text: str


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def log(clock: ManualClock) -> Iterator[Caselog]:
    with caselog.open("memory:", clock=clock, registry=registry) as log:
        yield log


def test_append_returns_decoded_events(log: Caselog, clock: ManualClock) -> None:
    """Appending payloads returns events carrying the payloads and the store's fields."""
    meta = Metadata(actor="worker-1", role="village_worker", area="v-1", device="tablet-1")
    (event,) = log.append("child-1", [NoteAdded("你好")], expected=NO_STREAM, meta=meta)
    assert event.data == NoteAdded("你好")
    assert (event.stream, event.version, event.type) == ("child-1", 1, "note_added")
    assert (event.actor, event.role, event.area, event.device) == (
        "worker-1",
        "village_worker",
        "v-1",
        "tablet-1",
    )
    assert event.recorded == clock.now == event.effective


def test_effective_applies_to_events_without_their_own(log: Caselog) -> None:
    """A batch's effective date applies to every event that does not set one."""
    events = log.append(
        "child-1",
        [NoteAdded("a"), Pending(NoteAdded("b"), effective=date(2024, 1, 5))],
        effective=date(2024, 3, 3),
    )
    assert [event.effective for event in events] == [date(2024, 3, 3), date(2024, 1, 5)]


def test_pending_event_id_makes_retries_idempotent(log: Caselog) -> None:
    """Appending the same pending events again returns the first result and adds nothing."""
    batch = [Pending(NoteAdded("a"), event_id="5b0d0b52-4d57-4a55-9d2c-8f0f8e2f7d11")]
    first = log.append("child-1", batch, expected=NO_STREAM)
    assert log.append("child-1", batch, expected=NO_STREAM) == first
    assert len(log.read_stream("child-1")) == 1


def test_append_streams_is_atomic(log: Caselog) -> None:
    """Appending to several streams writes all of them or none."""
    log.append("household-1", [NoteAdded("x")])
    writes = [
        StreamWrite("child-1", [NoteAdded("a")], NO_STREAM),
        StreamWrite("household-1", [NoteAdded("b")], NO_STREAM),
    ]
    with pytest.raises(ConcurrencyError):
        log.append_streams(writes)
    assert log.read_stream("child-1") == []


def test_iter_log_reads_every_page(log: Caselog) -> None:
    """Iterating the log yields every event in position order across pages."""
    for n in range(7):
        log.append(f"child-{n % 2}", [NoteAdded(str(n))])
    events = list(log.iter_log(page_size=3))
    assert [event.position for event in events] == list(range(1, 8))
    assert [event.data.text for event in log.iter_log(after=5)] == ["5", "6"]


def test_checkpoint_of_an_empty_log_is_the_genesis(log: Caselog) -> None:
    """An empty log's checkpoint is position 0 at the genesis hash, and verifies."""
    checkpoint = log.checkpoint()
    assert (checkpoint.position, checkpoint.chain) == (0, caselog.GENESIS)
    assert log.verify(checkpoint=checkpoint).is_ok


def test_checkpoint_is_the_head_of_the_log(log: Caselog) -> None:
    """The checkpoint names the last event's position and chain value."""
    (event,) = log.append("child-1", [NoteAdded("a")])
    checkpoint = log.checkpoint()
    assert (checkpoint.position, checkpoint.chain) == (1, event.chain)
    assert log.verify(checkpoint=checkpoint).is_ok


def test_open_accepts_a_store_object(clock: ManualClock) -> None:
    """``caselog.open`` takes a store object as well as a URL."""
    store = caselog.MemoryStore(clock=clock)
    log = caselog.open(store, registry=registry)
    assert log.store is store


def test_naive_effective_time_is_refused(log: Caselog) -> None:
    """An effective timestamp without a timezone is refused and nothing is written."""
    with pytest.raises(caselog.ValidationError) as caught:
        log.append("child-1", [NoteAdded("a")], effective=datetime(2024, 3, 3, 10))
    assert caught.value.field == "effective"
    assert log.read_stream("child-1") == []


def test_effective_timestamps_are_kept_in_utc(log: Caselog) -> None:
    """An aware effective timestamp comes back as the same instant in UTC."""
    moment = datetime(2024, 3, 3, 10, tzinfo=UTC)
    (event,) = log.append("child-1", [NoteAdded("a")], effective=moment)
    assert event.effective == moment


def test_events_may_come_from_a_generator(log: Caselog) -> None:
    """Payloads given as a one-shot iterator are all appended and all returned."""
    events = log.append("child-1", (NoteAdded(str(n)) for n in range(3)))
    assert [event.data.text for event in events] == ["0", "1", "2"]


def test_ids_name_the_events_the_commands_write() -> None:
    """``caselog.open(..., ids=...)`` chooses the ids of the events commands write."""
    from caselog.domain import AreaLevel

    names = iter(f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 100))
    log = caselog.open("memory:", ids=lambda: next(names))
    day = date(2025, 1, 1)
    log.register_area("51", "Sichuan", AreaLevel.PROVINCE, actor=None, effective=day)
    log.register_area("52", "Guizhou", AreaLevel.PROVINCE, actor=None, effective=day)
    assert [e.event_id for e in log.iter_log()] == [
        "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"]  # fmt: skip
