"""Verification names the first event that was altered, deleted, inserted or reordered.

Each tamper test edits the SQLite file with the ``sqlite3`` module behind caselog's back.
"""

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caselog import (
    GENESIS,
    Checkpoint,
    IntegrityError,
    MemoryStore,
    NewEvent,
    SQLiteStore,
    StoredEvent,
    StreamAppend,
    ValidationError,
    verify,
)
from caselog.integrity import chain_hash, content, event_hash
from caselog.sqlite import EVENTS
from caselog.testing import ManualClock, new_event
from caselog.testing.strategies import new_events

# Twelve events in six appends, one second apart: positions 1-12 over three streams.
_LAYOUT = [("child-1", 2), ("child-2", 2), ("household-1", 2)] * 2


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "caselog.db"
    clock = ManualClock()
    with SQLiteStore(path, clock=clock) as store:
        for stream, count in _LAYOUT:
            clock.advance(1)
            store.append([StreamAppend(stream, [new_event() for _ in range(count)])])
    return path


@pytest.fixture
def edit(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(path)) as conn:
        yield conn
        conn.commit()


def _row(conn: sqlite3.Connection, position: int) -> StoredEvent:
    row = conn.execute(f"SELECT * FROM {EVENTS} WHERE position = ?", (position,)).fetchone()
    return StoredEvent._make(row)


def _shift(conn: sqlite3.Connection, first: int, by: int) -> None:
    """Renumber the positions from ``first`` on, as a forger hiding a gap or making room would."""
    conn.execute(f"UPDATE {EVENTS} SET position = -position WHERE position >= ?", (first,))
    conn.execute(f"UPDATE {EVENTS} SET position = -position + ? WHERE position < 0", (by,))


def _insert(conn: sqlite3.Connection, event: StoredEvent) -> None:
    conn.execute(f"INSERT INTO {EVENTS} VALUES ({', '.join('?' * len(event))})", event)


def _rehash(conn: sqlite3.Connection, first: int) -> None:
    """Recompute every hash from ``first`` on, as a forger who knows the algorithm would."""
    rows = [StoredEvent._make(r) for r in conn.execute(f"SELECT * FROM {EVENTS} ORDER BY position")]
    heads: dict[str, str] = {}
    chain = GENESIS
    for row in rows:
        hash_ = event_hash(heads.get(row.stream, GENESIS), content(row))
        chain = chain_hash(chain, row.position, hash_)
        if row.position >= first:
            conn.execute(
                f"UPDATE {EVENTS} SET hash = ?, chain = ? WHERE position = ?",
                (hash_, chain, row.position),
            )
        heads[row.stream] = hash_


def _report(path: Path, checkpoint: Checkpoint | None = None) -> tuple[str, int] | None:
    with SQLiteStore(path) as store:
        report = verify(store, checkpoint=checkpoint, page_size=5)
    return None if report.problem is None else (report.problem.kind, report.problem.position)


@given(new_events(), st.integers(1, 10**6), st.text(max_size=20))
def test_stream_hash_follows_the_documented_layout(
    event: NewEvent, version: int, stream: str
) -> None:
    """The stream hash is SHA-256 over the JSON header, a newline and the payload text."""
    fields = (stream, version, event.event_id, event.type, event.schema, "2024-03-03",
              "2024-03-10T08:00:00.000000+00:00", event.actor, event.role, event.area,
              event.causation, event.correlation, event.device, event.data)  # fmt: skip
    header = json.dumps([GENESIS, *fields[:-1]], separators=(",", ":"))
    text = f"{header}\n{event.data}"
    assert event_hash(GENESIS, fields) == hashlib.sha256(text.encode()).hexdigest()


def test_untouched_store_verifies(path: Path) -> None:
    """A store written only by caselog verifies, with its head as a checkpoint."""
    seen: list[int] = []
    with SQLiteStore(path) as store:
        report = verify(store, page_size=5, progress=seen.append)
        last = store.last_event()
    assert report.is_ok
    assert report.checked == 12
    assert last is not None
    assert report.head == Checkpoint.of(last)
    assert seen == [5, 10]


@pytest.mark.parametrize(
    ("column", "value", "position"),
    [("data", '{"n":666}', 5), ("effective", "2020-01-01", 7), ("actor", "someone-else", 12)],
)
def test_altered_field_is_found(
    path: Path, edit: sqlite3.Connection, column: str, value: str, position: int
) -> None:
    """Changing a stored field (payload, back-dated time, actor) is reported at that event."""
    edit.execute(f"UPDATE {EVENTS} SET {column} = ? WHERE position = ?", (value, position))
    edit.commit()
    assert _report(path) == ("altered", position)


def test_altered_payload_with_a_new_hash_is_found(path: Path, edit: sqlite3.Connection) -> None:
    """Changing a payload and recomputing its stream hash is reported as altered there."""
    event = _row(edit, 7)._replace(data='{"n":666}')  # child-1 version 3
    previous = _row(edit, 2)  # child-1 version 2
    assert (previous.stream, previous.version) == (event.stream, event.version - 1)
    new_hash = event_hash(previous.hash, content(event))
    edit.execute(
        f"UPDATE {EVENTS} SET data = ?, hash = ? WHERE position = 7", (event.data, new_hash)
    )
    edit.commit()
    with SQLiteStore(path) as store:
        problem = verify(store).problem
    assert problem is not None
    assert (problem.kind, problem.position) == ("altered", 7)
    assert "hash was rewritten" in problem.detail


def test_deleted_event_is_found(path: Path, edit: sqlite3.Connection) -> None:
    """Deleting an event is reported as deleted at its position."""
    edit.execute(f"DELETE FROM {EVENTS} WHERE position = 5")
    edit.commit()
    assert _report(path) == ("deleted", 5)


def test_deleted_event_hidden_by_renumbering_is_found(path: Path, edit: sqlite3.Connection) -> None:
    """Deleting an event and closing the gap in positions is reported as deleted there."""
    edit.execute(f"DELETE FROM {EVENTS} WHERE position = 6")
    _shift(edit, 7, -1)
    edit.commit()
    assert _report(path) == ("deleted", 6)


def test_inserted_event_is_found(path: Path, edit: sqlite3.Connection) -> None:
    """A forged event slipped into the middle is reported as inserted at its position."""
    forged = _row(edit, 5)._replace(stream="child-9", version=1, event_id=new_event().event_id)
    _shift(edit, 5, 1)
    _insert(edit, forged._replace(position=5, hash="f" * 64, chain="f" * 64))
    edit.commit()
    assert _report(path) == ("inserted", 5)


def test_inserted_event_with_valid_hashes_is_found(path: Path, edit: sqlite3.Connection) -> None:
    """A forged event whose own hashes are right is still reported as inserted."""
    forged = _row(edit, 5)._replace(stream="child-9", version=1, event_id=new_event().event_id)
    forged_hash = event_hash(GENESIS, content(forged))
    forged = forged._replace(
        hash=forged_hash, chain=chain_hash(_row(edit, 4).chain, 5, forged_hash)
    )
    _shift(edit, 5, 1)
    _insert(edit, forged._replace(position=5))
    edit.commit()
    assert _report(path) == ("inserted", 5)


def test_swapped_events_of_a_stream_are_found(path: Path, edit: sqlite3.Connection) -> None:
    """Swapping two events of one stream is reported as reordered at the earlier position."""
    edit.execute(f"UPDATE {EVENTS} SET position = -1 WHERE position = 2")
    edit.execute(f"UPDATE {EVENTS} SET position = 2 WHERE position = 7")
    edit.execute(f"UPDATE {EVENTS} SET position = 7 WHERE position = -1")
    edit.commit()
    assert _report(path) == ("reordered", 2)


def test_swapped_appends_of_two_streams_are_found(path: Path, edit: sqlite3.Connection) -> None:
    """Moving a later event of another stream forward is reported as reordered."""
    edit.execute(f"UPDATE {EVENTS} SET position = -1 WHERE position = 4")
    edit.execute(f"UPDATE {EVENTS} SET position = 4 WHERE position = 5")
    edit.execute(f"UPDATE {EVENTS} SET position = 5 WHERE position = -1")
    edit.commit()
    assert _report(path) == ("reordered", 4)


def test_rewritten_tail_passes_alone_but_not_against_a_checkpoint(
    path: Path, edit: sqlite3.Connection
) -> None:
    """A consistently rehashed forgery fools the chains alone; a saved checkpoint catches it."""
    with SQLiteStore(path) as store:
        last = store.last_event()
    assert last is not None
    checkpoint = Checkpoint.of(last)
    edit.execute(f"UPDATE {EVENTS} SET data = '{{\"n\":666}}' WHERE position = 9")
    _rehash(edit, 9)
    edit.commit()
    assert _report(path) is None
    assert _report(path, checkpoint) == ("rewritten", 12)


def test_truncated_tail_is_found_against_a_checkpoint(path: Path, edit: sqlite3.Connection) -> None:
    """Deleting the last events passes the chains alone and fails against a checkpoint."""
    with SQLiteStore(path) as store:
        last = store.last_event()
    assert last is not None
    edit.execute(f"DELETE FROM {EVENTS} WHERE position > 9")
    edit.commit()
    assert _report(path) is None
    assert _report(path, Checkpoint.of(last)) == ("truncated", 10)


def test_events_after_a_checkpoint_are_fine(path: Path) -> None:
    """A checkpoint still verifies after more events are appended."""
    with SQLiteStore(path) as store:
        last = store.last_event()
        assert last is not None
        store.append([StreamAppend("child-1", [new_event()])])
        assert verify(store, checkpoint=Checkpoint.of(last)).is_ok


def test_checkpoint_round_trips_through_json() -> None:
    """A checkpoint read back from its JSON equals the original."""
    checkpoint = Checkpoint(12, "a" * 64, "2026-01-01T09:00:06.000000+00:00")
    assert Checkpoint.from_json(checkpoint.to_json()) == checkpoint


@pytest.mark.parametrize(
    "text",
    ["", "[]", '{"position": 1}', '{"caselog_checkpoint": 2, "position": 1}', "not json"],
)
def test_malformed_checkpoint_is_refused(text: str) -> None:
    """Reading something that is not a checkpoint raises a validation error."""
    with pytest.raises(ValidationError) as caught:
        Checkpoint.from_json(text)
    assert caught.value.field == "checkpoint"


def test_report_raises_integrity_error(path: Path, edit: sqlite3.Connection) -> None:
    """A failed report raises IntegrityError naming the problem on request."""
    edit.execute(f"DELETE FROM {EVENTS} WHERE position = 3")
    edit.commit()
    with SQLiteStore(path) as store:
        report = verify(store)
    assert not report.is_ok
    with pytest.raises(IntegrityError, match="deleted at position 3"):
        report.raise_for_problem()
    assert "FAILED" in str(report)


def test_rows_forged_below_position_one_are_found(path: Path, edit: sqlite3.Connection) -> None:
    """A row slipped in at position 0 or below is reported as inserted, not ignored."""
    forged = _row(edit, 1)._replace(position=0, event_id=new_event().event_id, stream="child-9")
    _insert(edit, forged)
    edit.commit()
    assert _report(path) == ("inserted", 0)


def test_stored_fields_of_the_wrong_type_are_reported() -> None:
    """A stored event whose integer fields are not integers is reported as altered."""
    store = MemoryStore()
    store.append([StreamAppend("child-1", [new_event(), new_event()])])
    tables = store._tables  # a store that lets us change what it holds, as a forger would
    tables.log[1] = tables.log[1]._replace(schema=1.9)  # type: ignore[arg-type]
    problem = verify(store).problem
    assert problem is not None
    assert (problem.kind, problem.position) == ("altered", 2)


def test_strict_table_refuses_values_of_the_wrong_type(path: Path) -> None:
    """The events table is STRICT: a float or text cannot be written into an integer column."""
    with closing(sqlite3.connect(path)) as conn, pytest.raises(sqlite3.Error):
        conn.execute(f"UPDATE {EVENTS} SET schema = 1.9 WHERE position = 2")


def test_page_size_must_be_positive(path: Path) -> None:
    """Verifying in pages of no events is refused rather than reported as fine."""
    with SQLiteStore(path) as store, pytest.raises(ValidationError) as caught:
        verify(store, page_size=0)
    assert caught.value.field == "page_size"


def test_unreadable_row_is_reported(path: Path, edit: sqlite3.Connection) -> None:
    """A row whose text is not UTF-8 is reported as altered instead of stopping verification."""
    edit.execute(f"UPDATE {EVENTS} SET data = CAST(X'FF' AS TEXT) WHERE position = 3")
    edit.commit()
    with SQLiteStore(path) as store:
        report = verify(store, page_size=2)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.position) == ("altered", 3)
