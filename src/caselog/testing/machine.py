"""A Hypothesis state machine that drives a store and a plain model side by side.

Subclass :class:`StoreMachine`, implement ``make_store``, and expose its ``TestCase``::

    class MyStoreMachine(StoreMachine):
        def make_store(self, *, clock):
            return MyStore(..., clock=clock)

    TestMyStoreMachine = MyStoreMachine.TestCase
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
)

from caselog.errors import ConcurrencyError, DuplicateEventError
from caselog.integrity import verify
from caselog.store import ANY, NO_STREAM, EventStore, Expected, NewEvent, StreamAppend
from caselog.testing.clock import ManualClock
from caselog.testing.strategies import new_events, stream_names
from caselog.times import Clock

__all__ = ["StoreMachine"]

_Key = tuple[str, str, int, str, str | None]  # what the model keeps of an event


def _key(stream: str, event: NewEvent) -> _Key:
    return (stream, event.type, event.schema, event.data, event.effective)


@attrs.define
class _Model:
    """The contract in its simplest form: a list for the log, lists per stream."""

    log: list[tuple[str, str, _Key]] = attrs.Factory(list)  # (stream, event id, key)
    streams: dict[str, list[str]] = attrs.Factory(dict)
    keys: dict[str, _Key] = attrs.Factory(dict)  # by event id
    positions: dict[str, int] = attrs.Factory(dict)  # by event id

    def version(self, stream: str) -> int:
        return len(self.streams.get(stream, []))

    def outcome(self, batch: list[StreamAppend]) -> str:
        """Say what the store must do with a batch: write, retry, stale or duplicate."""
        pairs = [(append.stream, event) for append in batch for event in append.events]
        ids = [event.event_id for _, event in pairs]
        found = [event_id for event_id in ids if event_id in self.keys]
        if len(set(ids)) != len(ids):
            return "duplicate"
        if found:
            same = all(self.keys.get(e.event_id) == _key(stream, e) for stream, e in pairs)
            positions = [self.positions.get(event_id, 0) for event_id in ids]
            in_order = positions == list(range(positions[0], positions[0] + len(ids)))
            return "retry" if len(found) == len(ids) and same and in_order else "duplicate"
        for append in batch:
            expected, actual = append.expected, self.version(append.stream)
            if expected is not ANY and actual != (0 if expected is NO_STREAM else expected):
                return "stale"
        return "write"

    def apply(self, batch: list[StreamAppend]) -> None:
        for append in batch:
            for event in append.events:
                key = _key(append.stream, event)
                self.log.append((append.stream, event.event_id, key))
                self.streams.setdefault(append.stream, []).append(event.event_id)
                self.keys[event.event_id] = key
                self.positions[event.event_id] = len(self.log)


class StoreMachine(RuleBasedStateMachine):
    """Random appends (stale versions, retries, reused ids, several streams) and reads."""

    batches = Bundle("batches")

    def make_store(self, *, clock: Clock) -> EventStore:
        """Return a new, empty store; ``self.tmp_path`` is a fresh folder for files."""
        raise NotImplementedError

    def __init__(self) -> None:
        super().__init__()
        self.tmp_path = Path(tempfile.mkdtemp(prefix="caselog-machine-"))
        self.clock = ManualClock()
        self.store = self.make_store(clock=self.clock)
        self.model = _Model()
        self.last_recorded = ""

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.tmp_path, ignore_errors=True)

    def _expected(self, data: st.DataObject, stream: str) -> Expected:
        version = self.model.version(stream)
        choices: list[Expected] = [ANY, NO_STREAM, version, max(version - 1, 0), version + 1]
        return data.draw(st.sampled_from(choices), label=f"expected for {stream}")

    @rule(target=batches, data=st.data(), streams=st.sets(stream_names(), min_size=1, max_size=3))
    def append(self, data: st.DataObject, streams: set[str]) -> list[StreamAppend]:
        batch = [
            StreamAppend(
                stream,
                data.draw(st.lists(new_events(), min_size=1, max_size=4), label=stream),
                self._expected(data, stream),
            )
            for stream in sorted(streams)
        ]
        self._send(batch)
        return batch

    def _send(self, batch: list[StreamAppend]) -> None:
        outcome = self.model.outcome(batch)
        before = len(self.model.log)
        ids = [event.event_id for append in batch for event in append.events]
        if outcome in ("write", "retry"):
            stored = self.store.append(batch)
            assert [e.event_id for e in stored] == ids
            if outcome == "write":
                self.model.apply(batch)
            else:
                assert self.store.read_log(after=before) == []
            return
        error = ConcurrencyError if outcome == "stale" else DuplicateEventError
        try:
            self.store.append(batch)
        except error:
            pass
        else:
            raise AssertionError(f"the store accepted a {outcome} batch")
        assert self.store.read_log(after=before) == []

    @rule(batch=batches)
    def retry(self, batch: list[StreamAppend]) -> None:
        self._send(batch)

    @rule(batch=batches, event=new_events(), is_new_first=st.booleans())
    def mix_stored_and_new(
        self, batch: list[StreamAppend], event: NewEvent, is_new_first: bool
    ) -> None:
        first = batch[0]
        events = (event, *first.events) if is_new_first else (*first.events, event)
        self._send([attrs.evolve(first, events=events, expected=ANY), *batch[1:]])

    @rule(seconds=st.integers(-5, 60))
    def tick(self, seconds: int) -> None:
        self.clock.advance(seconds)

    @rule(stream=stream_names(), first=st.integers(1, 8), span=st.integers(0, 8))
    def read_stream(self, stream: str, first: int, span: int) -> None:
        events = self.store.read_stream(stream, first=first, last=first + span)
        wanted = self.model.streams.get(stream, [])[first - 1 : first + span]
        assert [e.event_id for e in events] == wanted
        assert [e.version for e in events] == list(range(first, first + len(wanted)))

    @rule(after=st.integers(0, 40), limit=st.integers(1, 10))
    def read_log(self, after: int, limit: int) -> None:
        events = self.store.read_log(after=after, limit=limit)
        wanted = self.model.log[after : after + limit]
        assert [(e.stream, e.event_id) for e in events] == [(s, i) for s, i, _ in wanted]
        assert [e.position for e in events] == list(range(after + 1, after + 1 + len(wanted)))
        for event, (_, _, key) in zip(events, wanted, strict=True):
            assert (event.stream, event.type, event.schema, event.data) == key[:4]

    @invariant()
    def log_is_whole_and_verifies(self) -> None:
        last = self.store.last_event()
        assert (last.position if last else 0) == len(self.model.log)
        if last is not None:
            assert last.recorded >= self.last_recorded
            self.last_recorded = last.recorded
        report = verify(self.store, page_size=7)
        assert report.is_ok, report
