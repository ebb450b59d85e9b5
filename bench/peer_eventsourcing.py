"""The optional peer, eventsourcing, at two levels; importable without it (``AVAILABLE`` False).

* recorder (store level): the workload's events as eventsourcing ``StoredEvent`` records, through
  its ``SQLiteApplicationRecorder`` with caselog's pragmas, then its notification log read back;
* application: ``CaseFile`` aggregates with their events pending, saved by ``Application.save``
  and replayed by ``app.repository.get``, in a child process run with ``python -O`` (its best
  case): ``measure_app_child`` re-runs the entry script with ``--peer-child``, whose ``main``
  prints ``measure_app``'s rates as JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from typing import Any

from raw_sqlite import caselog_pragmas
from timing import append_then_read, count_pages, rate, scratch
from workload import BATCH, EVENTS_PER_STREAM, PAGE, Planned, chunks, plan_events

try:
    import eventsourcing.application as es_application
    import eventsourcing.domain as es_domain
    import eventsourcing.persistence as es_persistence
    import eventsourcing.sqlite as es_sqlite
except ImportError:  # the optional extra "bench"
    es_application = es_domain = es_persistence = es_sqlite = None  # type: ignore[assignment]

AVAILABLE = es_sqlite is not None
APP_DURABILITY = "full"  # eventsourcing runs at SQLite's default synchronous, FULL


def version() -> str:
    """The installed eventsourcing's version."""
    return metadata.version("eventsourcing")


if es_domain is not None:

    class CaseFile(es_domain.Aggregate):  # type: ignore[misc,name-defined]
        """eventsourcing's side: a child's case file, opened by a first visit, then one event per
        visit, each event carrying the same fields as caselog's ``Visit`` payloads.

        The two signatures repeat the fields on purpose: eventsourcing's ``@event`` derives each
        event class's fields from its method's own parameters and rejects ``**kwargs``."""

        @es_domain.event("Opened")
        def __init__(
            self,
            child: str,
            worker: str,
            kind: str,
            note: str,
            date: str,
            present: list[str],
            risk: int,
            follow_up: bool,
            school: str,
            location: str,
            next_review: str,
        ) -> None:
            self.visits = 1
            self.risk = risk
            self.next_review = next_review

        @es_domain.event("VisitRecorded")
        def record_visit(
            self,
            child: str,
            worker: str,
            kind: str,
            note: str,
            date: str,
            present: list[str],
            risk: int,
            follow_up: bool,
            school: str,
            location: str,
            next_review: str,
        ) -> None:
            self.visits += 1
            self.risk = risk
            self.next_review = next_review


# --- recorder (store level) -----------------------------------------------------------------


def stored_event(item: Planned, stream_ids: dict[int, uuid.UUID]) -> Any:
    """The event as an eventsourcing StoredEvent: same payload bytes, type as topic."""
    originator = stream_ids.setdefault(
        item.stream_index, uuid.uuid5(uuid.NAMESPACE_URL, item.stream)
    )
    return es_persistence.StoredEvent(
        originator_id=originator,
        originator_version=item.version,
        topic=f"casework:{item.event.type}",
        state=item.event.data.encode(),
    )


def stored_batches(ordered: list[Planned]) -> list[list[Any]]:
    """The events, in log order, as StoredEvent records in batches of ``BATCH``."""
    ids: dict[int, uuid.UUID] = {}
    return list(chunks([stored_event(item, ids) for item in ordered], BATCH))


@contextmanager
def recorder(path: str, durability: str) -> Iterator[Any]:
    """eventsourcing's SQLite application recorder, with caselog's pragmas on its connections."""

    class Pool(es_sqlite.SQLiteConnectionPool):  # type: ignore[misc,name-defined]
        def _create_connection(self) -> Any:
            connection = super()._create_connection()
            for pragma in caselog_pragmas(durability):
                connection._sqlite_conn.execute(pragma)
            return connection

    datastore = es_sqlite.SQLiteDatastore(path)
    datastore.pool = Pool(db_name=path)
    application_recorder = es_sqlite.SQLiteApplicationRecorder(datastore)
    application_recorder.create_table()
    try:
        yield application_recorder
    finally:
        datastore.close()


def insert_batches(application_recorder: Any, batches: list[list[Any]]) -> int:
    count = 0
    for batch in batches:
        application_recorder.insert_events(batch)
        count += len(batch)
    return count


def read_notifications(application_recorder: Any) -> int:
    """The whole notification log, in pages of ``PAGE``."""

    def page(start: int) -> Any:
        return application_recorder.select_notifications(start, PAGE)

    return count_pages(page, lambda notification: notification.id + 1, start=1)


def measure_recorder(batches: list[list[Any]], durability: str) -> dict[str, float]:
    return append_then_read(
        "eventsourcing.db",
        lambda path: recorder(path, durability),
        lambda application_recorder: insert_batches(application_recorder, batches),
        {"read": read_notifications},
    )


# --- application (in a python -O child process) ---------------------------------------------


def case_files(planned: list[Planned]) -> list[Any]:
    """One ``CaseFile`` per stream, in stream order, with all of the stream's events pending."""
    files: dict[int, Any] = {}
    for item in planned:
        fields = json.loads(item.event.data)
        case_file = files.get(item.stream_index)
        if case_file is None:
            files[item.stream_index] = CaseFile(**fields)
        else:
            case_file.record_visit(**fields)
    return list(files.values())


@contextmanager
def application(path: str) -> Iterator[Any]:
    """An application on eventsourcing's SQLite persistence, which has no setting for
    ``PRAGMA synchronous``."""
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path}
    app: Any = es_application.Application(env=env)
    try:
        yield app
    finally:
        app.close()


def save(app: Any, files: list[Any]) -> int:
    per_call = BATCH // EVENTS_PER_STREAM  # 50 case files of 20 events: 1,000 events a call
    return sum(len(app.save(*group)) for group in chunks(files, per_call))


def replay(app: Any, ids: list[uuid.UUID]) -> int:
    return sum(app.repository.get(aggregate_id).version for aggregate_id in ids)


def synchronous(app: Any) -> int:
    """The ``PRAGMA synchronous`` of the application's connections (2 = FULL)."""
    with app.recorder.datastore.get_connection(commit=False) as connection:
        value: int = connection._sqlite_conn.execute("PRAGMA synchronous").fetchone()[0]
    return value


def measure_app(events: int) -> dict[str, float]:
    """The child's work: save the case files' pending events, then replay every case file."""
    files = case_files(plan_events(events))
    ids = [case_file.id for case_file in files]
    with scratch("eventsourcing-app.db") as path:
        with application(path) as app:
            append = rate(save, app, files)
        files.clear()
        with application(path) as app:
            rates = {"append": append, "replay": rate(replay, app, ids)}
            rates["synchronous"] = synchronous(app)
    return rates | {"optimize": sys.flags.optimize}


def measure_app_child(script: str, events: int) -> dict[str, float]:
    """Run ``script --peer-child`` (whose ``main`` runs ``measure_app``) under ``python -O``,
    eventsourcing's best case, and read the JSON it prints."""
    command = [sys.executable, "-O", script, "--peer-child", "--app-events", str(events)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"the eventsourcing child failed:\n{result.stderr}")
    rates: dict[str, float] = json.loads(result.stdout)
    return rates
