"""The optional peer, eventsourcing, on PostgreSQL (``eventsourcing.postgres``, psycopg 3).

* recorder (store level): the workload's events as eventsourcing ``StoredEvent`` records
  (``peer_eventsourcing.stored_batches``), 1,000 per ``PostgresApplicationRecorder.insert_events``
  call, then its notification log read back in pages of 1,000;
* application: ``CaseFile`` aggregates with their events pending, saved by ``Application.save``
  into eventsourcing's PostgreSQL persistence and replayed by ``app.repository.get``, in a child
  process run with ``python -O`` (its best case): ``measure_app_child`` re-runs the entry script
  with ``--peer-child``, whose ``main`` prints ``measure_app``'s rates as JSON.

Each run gets a fresh schema (``raw_postgres.scratch_schema``). eventsourcing has no setting for
``synchronous_commit``: at ``durability="normal"`` the recorder's connections set it off when they
connect, and the child runs with ``PGOPTIONS=-c synchronous_commit=off``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg.conninfo

import peer_eventsourcing as peer
from raw_postgres import append_then_read, scratch_schema, synchronous_commit
from timing import count_pages, rate
from workload import PAGE, plan_events

try:
    import eventsourcing.application as es_application
    import eventsourcing.postgres as es_postgres
except ImportError:  # the optional extra "bench", or no psycopg
    es_application = es_postgres = None  # type: ignore[assignment]

AVAILABLE = peer.AVAILABLE and es_postgres is not None


def server(dsn: str) -> dict[str, str]:
    """The database, host, port, user and password of ``dsn``, as eventsourcing takes them."""
    parts = psycopg.conninfo.conninfo_to_dict(dsn)
    return {
        "dbname": str(parts.get("dbname") or "postgres"),
        "host": str(parts.get("host") or "127.0.0.1"),
        "port": str(parts.get("port") or "5432"),
        "user": str(parts.get("user") or "postgres"),
        "password": str(parts.get("password") or ""),
    }


@contextmanager
def recorder(dsn: str, schema: str, durability: str) -> Iterator[Any]:
    """eventsourcing's PostgreSQL application recorder in ``schema``, at ``durability``."""
    setting = f"SET synchronous_commit TO {synchronous_commit(durability)}"

    class Datastore(es_postgres.PostgresDatastore):  # type: ignore[misc,name-defined]
        def after_connect_func(self) -> Callable[[Any], None]:
            after_connect = super().after_connect_func()

            def configure(conn: Any) -> None:
                after_connect(conn)
                conn.execute(setting)

            return configure

    datastore = Datastore(**server(dsn), schema=schema, pool_size=2)
    application_recorder = es_postgres.PostgresApplicationRecorder(datastore)
    application_recorder.create_table()
    try:
        yield application_recorder
    finally:
        datastore.close()


def read_notifications(application_recorder: Any, _schema: str = "") -> int:
    """The whole notification log, in pages of ``PAGE``."""

    def page(start: int) -> Any:
        return application_recorder.select_notifications(start, PAGE)

    return count_pages(page, lambda notification: notification.id + 1, start=1)


def measure_recorder(dsn: str, batches: list[list[Any]], durability: str) -> dict[str, float]:
    return append_then_read(
        dsn,
        "es",
        lambda schema: recorder(dsn, schema, durability),
        lambda application_recorder, _schema: peer.insert_batches(application_recorder, batches),
        {"read": read_notifications},
    )


# --- application (in a python -O child process) ---------------------------------------------


@contextmanager
def application(dsn: str, schema: str) -> Iterator[Any]:
    """An application on eventsourcing's PostgreSQL persistence, in ``schema``."""
    env = {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_SCHEMA": schema}
    env |= {f"POSTGRES_{key.upper()}": value for key, value in server(dsn).items()}
    app: Any = es_application.Application(env=env)
    try:
        yield app
    finally:
        app.close()


def measure_app(dsn: str, events: int) -> dict[str, float]:
    """The child's work: save the case files' pending events, then replay every case file."""
    files = peer.case_files(plan_events(events))
    ids = [case_file.id for case_file in files]
    with scratch_schema(dsn, "es_app") as schema:
        with application(dsn, schema) as app:
            append = rate(peer.save, app, files)
        files.clear()
        with application(dsn, schema) as app:
            rates = {"append": append, "replay": rate(peer.replay, app, ids)}
    return rates | {"optimize": sys.flags.optimize}


def measure_app_child(script: str, dsn: str, events: int, durability: str) -> dict[str, float]:
    """Run ``script --peer-child`` (whose ``main`` runs ``measure_app``) under ``python -O``,
    eventsourcing's best case, and read the JSON it prints."""
    command = [
        sys.executable,
        "-O",
        script,
        "--peer-child",
        "--dsn",
        dsn,
        "--app-events",
        str(events),
    ]
    env = dict(os.environ)
    if durability != "full":
        env["PGOPTIONS"] = f"-c synchronous_commit={synchronous_commit(durability)}"
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"the eventsourcing child failed:\n{result.stderr}")
    rates: dict[str, float] = json.loads(result.stdout)
    return rates
