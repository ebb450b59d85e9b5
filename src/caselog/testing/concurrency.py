"""Several processes or threads appending to the same streams at once, and the checks after.

An adapter proves it loses and doubles nothing under concurrency with::

    ids = append_from_processes(url, workers=4, appends=50)
    check_log(store, ids)
"""

from __future__ import annotations

import multiprocessing
import uuid
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from caselog.errors import ConcurrencyError
from caselog.integrity import verify
from caselog.store import ANY, EventStore, NewEvent, StoredEvent, StreamAppend
from caselog.stores import open_store

__all__ = ["append_from_processes", "append_many", "check_log"]

_RETRIES = 1000


def _event(worker: int, n: int) -> NewEvent:
    data = f'{{"n":{n},"worker":{worker}}}'
    return NewEvent(event_id=str(uuid.uuid4()), type="note_added", schema=1, data=data)


def _append_exact(store: EventStore, stream: str, event: NewEvent) -> str:
    """Append at the stream's current version, reading it again after every conflict."""
    for _ in range(_RETRIES):
        version = store.stream_version(stream)
        try:
            store.append([StreamAppend(stream, [event], version)])
        except ConcurrencyError:
            continue
        return event.event_id
    raise AssertionError(f"{stream}: no append got through in {_RETRIES} tries")


def append_many(store: EventStore, *, worker: int, appends: int, streams: int) -> list[str]:
    """Append to shared and private streams, half at exact versions; return the ids written."""
    written: list[str] = []
    for n in range(appends):
        shared = f"child-{(worker + n) % streams}"
        if n % 2:
            written.append(_append_exact(store, shared, _event(worker, n)))
            continue
        batch = [
            StreamAppend(shared, [_event(worker, n), _event(worker, n)], ANY),
            StreamAppend(f"worker-{worker}", [_event(worker, n)], ANY),
        ]
        written.extend(event.event_id for event in store.append(batch))
    return written


def _process(url: str, worker: int, appends: int, streams: int) -> list[str]:
    store = open_store(url)
    try:
        return append_many(store, worker=worker, appends=appends, streams=streams)
    finally:
        store.close()


def append_from_processes(
    url: str, *, workers: int = 4, appends: int = 50, streams: int = 3
) -> list[str]:
    """Run ``workers`` processes appending to the store at ``url`` at once; return all their ids."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_process, url, w, appends, streams) for w in range(workers)]
        return [event_id for future in futures for event_id in future.result()]


def check_log(store: EventStore, event_ids: Sequence[str]) -> None:
    """Assert the log holds exactly these events once each, gap-free, ordered and verified."""
    log: list[StoredEvent] = []
    while page := store.read_log(after=len(log), limit=1000):
        log.extend(page)
    assert [event.position for event in log] == list(range(1, len(log) + 1)), "positions have gaps"
    counts = Counter(event.event_id for event in log)
    assert counts == Counter(event_ids), "events were lost or doubled"
    streams: dict[str, int] = {}
    for event in log:
        assert event.version == streams.get(event.stream, 0) + 1, f"{event.stream} skips a version"
        streams[event.stream] = event.version
    recorded = [event.recorded for event in log]
    assert recorded == sorted(recorded), "recorded goes back along the log"
    report = verify(store)
    assert report.is_ok, str(report)
