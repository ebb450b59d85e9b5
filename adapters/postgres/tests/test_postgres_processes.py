"""Eight processes append at once while a reader follows the log: nothing skipped or doubled."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from threading import Event

from caselog import StoredEvent
from caselog.testing import append_from_processes, check_log
from caselog_postgres import open_store


def _follow(url: str, finished: Event) -> list[StoredEvent]:
    """Page through the log until the writers are done; assert every page continues the last."""
    seen: list[StoredEvent] = []
    with open_store(url) as store:
        while True:
            is_last_round = finished.is_set()
            after = seen[-1].position if seen else 0
            page = store.read_log(after=after, limit=500)
            positions = [event.position for event in page]
            assert positions == list(range(after + 1, after + 1 + len(page))), (
                f"the reader skipped an event after position {after}: {positions[:5]}"
            )
            seen.extend(page)
            if is_last_round and not page:
                return seen
            if not page:
                finished.wait(0.01)


def test_writers_and_a_following_reader_agree(url: str, is_ci: bool) -> None:
    """8 writer processes append to shared and private streams (2,000 events each under CI)
    while a reader pages through the log; the reader sees every committed event once, in
    position order without gaps, and the log verifies."""
    appends = 1000 if is_ci else 100  # half single events, half batches of three
    open_store(url).close()  # the schema exists before the reader starts
    finished = Event()
    with ThreadPoolExecutor(max_workers=1) as reader:
        followed = reader.submit(_follow, url, finished)
        try:
            ids = append_from_processes(url, workers=8, appends=appends, streams=6)
        finally:
            finished.set()
        seen = followed.result()
    assert len(ids) == 8 * appends * 2
    assert Counter(event.event_id for event in seen) == Counter(ids)
    with open_store(url) as store:
        check_log(store, ids)
