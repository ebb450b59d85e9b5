"""The raw rebuild pipeline: what a hand-written projection of the same log costs, none of
caselog's code involved.

Over one sqlite3 connection with caselog's pragmas: ``SELECT <all columns> FROM caselog_events
WHERE position > ? ORDER BY position LIMIT 1000`` page by page; ``json.loads`` of every payload
(the standard library; orjson is not installed here); a fold of each child's file into a dict
(village and the areas above it, household, sex, birth date, status and since when, the latest
categories, the last visit, open concerns, the stream version; households' villages, the
directory's areas); and per page, in one transaction, ``executemany`` of the rows of the children
the page touched into ``raw_child_files`` (``INSERT OR REPLACE``; primary key and five indexes, as
caselog's ``child_files``) and the pipeline's position moved, as caselog's engine does. The
garbage collector is paused, as in caselog's engine.
"""

from __future__ import annotations

import gc
import json
import sqlite3
from typing import Any

from caselog import StoredEvent
from raw_sqlite import caselog_pragmas

PAGE = 1000
SELECT = (
    f"SELECT {', '.join(StoredEvent._fields)} FROM caselog_events"
    " WHERE position > ? ORDER BY position LIMIT ?"
)
COLUMNS = ("child_id", "household_id", "village", "township", "county", "province", "sex",
           "birth_date", "status", "status_since", "categories", "last_visit", "open_concerns",
           "version")  # fmt: skip
DDL = (
    "DROP TABLE IF EXISTS raw_child_files",
    "DROP TABLE IF EXISTS raw_position",
    f"CREATE TABLE raw_child_files ({', '.join(COLUMNS)}, PRIMARY KEY (child_id))",
    *(
        f"CREATE INDEX raw_child_files_{c} ON raw_child_files ({c})"
        for c in ("village", "township", "county", "province", "household_id")
    ),
    "CREATE TABLE raw_position (name TEXT PRIMARY KEY, position INTEGER NOT NULL)",
    "INSERT INTO raw_position VALUES ('raw', 0)",
)
INSERT = f"INSERT OR REPLACE INTO raw_child_files VALUES ({', '.join('?' * len(COLUMNS))})"
POSITION = "UPDATE raw_position SET position = ? WHERE name = 'raw'"
ENDED = {"case_closed": "closed", "child_died": "deceased", "child_moved_out": "moved_out"}

Row = tuple[Any, ...]


class Fold:
    """The state the raw pipeline keeps: areas, households' villages, children's files."""

    def __init__(self) -> None:
        self.parents: dict[str, str | None] = {}
        self.levels: dict[str, str] = {}
        self.villages: dict[str, str] = {}
        self.children: dict[str, dict[str, Any]] = {}

    def apply(self, stream: str, kind: str, effective: str, version: int, data: Any) -> str | None:
        """Fold one event; return the child whose file it changed, if any."""
        prefix, _, key = stream.partition(":")
        if prefix == "child":
            return self._child(key, kind, effective, version, data)
        if kind == "area_registered":
            self.parents[data["code"]] = data["parent"]
            self.levels[data["code"]] = data["level"]
        elif kind == "household_registered":
            self.villages[key] = data["village"]
        return None

    def _child(self, key: str, kind: str, effective: str, version: int, data: Any) -> str:
        child = self.children.get(key)
        if child is None:
            child = self.children[key] = {"concerns": set(), "status": "active"}
        child["version"] = version
        if kind == "child_registered":
            child.update(household=data["household_id"], village=data["village"],
                         sex=data["sex"], birth=data["birth_date"], since=effective)  # fmt: skip
        elif kind == "categories_recorded":
            child["categories"] = ",".join(sorted(
                f"{p['category']}/{p['subtype']}" if p["subtype"] else p["category"]
                for p in data["categories"]))  # fmt: skip
        elif kind == "visit_completed":
            child["last_visit"] = effective
            child["concerns"].difference_update(data["concern_ids"])
        elif kind == "concern_reported":
            child["concerns"].add(data["concern_id"])
        elif kind == "concern_followed_up" and data["is_resolved"]:
            child["concerns"].discard(data["concern_id"])
        elif kind in ENDED and child["status"] != "deceased":
            child.update(status=ENDED[kind], since=effective)
        elif kind == "child_moved_in" and child["status"] != "deceased":
            child.update(status="active", since=effective, village=data["village"])
            child["household"] = data["household_id"] or child["household"]
        return key

    def areas(self, village: str) -> list[str | None]:
        """The township, county and province above a village."""
        found = {}
        code: str | None = village
        while code is not None:
            found[self.levels.get(code)] = code
            code = self.parents.get(code)
        return [found.get(level) for level in ("township", "county", "province")]

    def row(self, key: str) -> Row:
        child = self.children[key]
        return (key, child["household"], child["village"], *self.areas(child["village"]),
                child["sex"], child["birth"], child["status"], child["since"],
                child.get("categories"), child.get("last_visit"), len(child["concerns"]),
                child["version"])  # fmt: skip


def rebuild(conn: sqlite3.Connection) -> int:
    """Fold the whole log into ``raw_child_files``; return the number of events read."""
    for statement in DDL:
        conn.execute(statement)
    fold = Fold()
    count = after = 0
    collecting = gc.isenabled()
    gc.disable()
    try:
        while page := conn.execute(SELECT, (after, PAGE)).fetchall():
            touched = dict.fromkeys(
                fold.apply(row[1], row[4], row[6], row[2], json.loads(row[14])) for row in page
            )
            touched.pop(None, None)
            after = page[-1][0]
            conn.execute("BEGIN")
            conn.executemany(INSERT, [fold.row(key) for key in touched if key is not None])
            conn.execute(POSITION, (after,))
            conn.execute("COMMIT")
            count += len(page)
    finally:
        if collecting:
            gc.enable()
    return count


def connect(path: str, durability: str) -> sqlite3.Connection:
    """A connection in autocommit mode with caselog's pragmas (WAL, synchronous, cache)."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ["PRAGMA journal_mode = WAL", *caselog_pragmas(durability)]:
        conn.execute(pragma)
    return conn
