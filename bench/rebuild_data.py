"""The rebuild benchmark's store: the template families of ``rebuild_seed``, copied until the
log holds the events asked for, and kept in ``bench/.data`` to be reused.

Each copy of a family gets new ids (the family's number in every id, fresh event ids, also where
a payload names another event: a classification's basis, a correction's target), areas and
workers rotated through the tree (county, township and village each shifted, so the tree's shape
and who may do what stay as recorded), and every date, month and time moved back by 0 to 47
whole months (children's lives spread over 2020-2025), recorded times also by up to 8 hours
within the day. The copies' events are appended in recorded order, 1,000 per ``store.append``
(one ``StreamAppend`` per stream touched), with the store's clock at the batch's last recorded
time, so streams, types, payloads and both times look like those of a real log; the commands
would be far too slow to record a million events.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from caselog import NewEvent, SQLiteStore, StoredEvent, StreamAppend, canonical_json
from caselog.testing import ManualClock
from rebuild_seed import COUNTIES, TOWNSHIPS, VILLAGES, seed
from timing import scratch

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".data")
FORMAT = 2  # change when the generated store changes, so that cached files are not reused
TEMPLATE_FAMILIES = 200
BATCH = 1000
MONTHS_BACK = 48
_FAMILY = re.compile(r"-(\d{4})(?![0-9])")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"\d{4}-\d{2}")
_DIRECTORY = ("area:", "worker:", "standard:")


@dataclass(frozen=True)
class Family:
    """A template family's events, in log order."""

    tag: str
    events: list[StoredEvent]


@dataclass(frozen=True)
class Template:
    """The directory's events and the families' events of the seeded programme."""

    directory: list[StoredEvent]
    families: list[Family]

    @property
    def family_events(self) -> int:
        return sum(len(family.events) for family in self.families)


def read_template(families: int = TEMPLATE_FAMILIES) -> Template:
    """Seed the programme in a scratch file and split its log by family."""
    with scratch("seed.db") as path:
        log, _ = seed(path, families)
        records = log.store.read_log(limit=10**7)
        log.close()
    directory = [r for r in records if r.stream.startswith(_DIRECTORY)]
    by_tag: dict[str, list[StoredEvent]] = {}
    for record in records:
        if not record.stream.startswith(_DIRECTORY):
            match = _FAMILY.search(record.stream)
            if match is None:
                raise ValueError(f"no family in stream {record.stream!r}")
            by_tag.setdefault(match.group(1), []).append(record)
    return Template(directory, [Family(tag, events) for tag, events in by_tag.items()])


# --- one copy ----------------------------------------------------------------------------------


def shift_day(day: date, months: int) -> date:
    """``day`` moved by whole ``months``, clipped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


class Copy:
    """How one copy of a family rewrites the template's text: ids, areas, dates."""

    def __init__(self, number: int, family: Family, rng: random.Random) -> None:
        self.tag = f"{number:06d}"
        self.old = f"-{family.tag}" if family.tag else None
        self.months = -rng.randrange(MONTHS_BACK)
        self.jitter = timedelta(seconds=rng.randrange(8 * 3600))
        self.names = _area_names(number)
        self.ids = {e.event_id: str(uuid.UUID(int=rng.getrandbits(128), version=4))
                    for e in family.events}  # fmt: skip

    def text(self, value: str) -> str:
        """A string of a payload or an envelope, rewritten."""
        if value in self.names:
            return self.names[value]
        if value in self.ids:
            return self.ids[value]
        if self.old is not None and self.old in value:
            return value.replace(self.old, f"-{self.tag}")
        if len(value) == 10 and _DAY.fullmatch(value):
            return shift_day(date.fromisoformat(value), self.months).isoformat()
        if len(value) == 7 and _MONTH.fullmatch(value):
            return shift_day(date.fromisoformat(f"{value}-01"), self.months).isoformat()[:7]
        if len(value) > 10 and value[10] == "T" and _DAY.fullmatch(value[:10]):
            return self.text(value[:10]) + value[10:]
        return value

    def data(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.data(item) for item in value]
        if isinstance(value, dict):
            return {key: self.data(item) for key, item in value.items()}
        return value

    def recorded(self, text: str) -> datetime:
        return datetime.fromisoformat(self.text(text)) + self.jitter

    def optional(self, value: str | None) -> str | None:
        return None if value is None else self.text(value)

    def event(self, record: StoredEvent) -> NewEvent:
        payload = self.data(json.loads(record.data))
        return NewEvent(
            event_id=self.ids[record.event_id],
            type=record.type,
            schema=record.schema,
            data=canonical_json(payload),
            effective=self.text(record.effective),
            actor=self.optional(record.actor),
            role=record.role,
            area=self.optional(record.area),
            causation=self.optional(record.causation),
            correlation=self.optional(record.correlation),
            device=record.device,
        )


def _area_names(number: int) -> dict[str, str]:
    """Areas and workers renamed for copy ``number``: counties, townships within a county and
    villages within a township each rotated, so that every copy keeps the tree's shape."""
    turn = (number % 4, number // 4 % 3, number // 12 % 4)
    names: dict[str, str] = {}
    for codes, width, step in ((COUNTIES, 4, 0), (TOWNSHIPS, 3, 1), (VILLAGES, 4, 2)):
        for code in codes:
            parent, own = code[:-2], int(code[-2:]) - 1
            names[code] = f"{names.get(parent, parent)}{(own + turn[step]) % width + 1:02d}"
    for code, renamed in list(names.items()):
        for prefix in ("vw-", "ts-", "co-"):
            names[prefix + code] = prefix + renamed
    return names


# --- the whole log -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """An event of the generated log: when it is recorded, its stream, the record."""

    recorded: datetime
    order: int
    stream: str
    event: NewEvent


def plan(template: Template, events: int, seed_value: int = 20200101) -> list[Planned]:
    """The directory, then copies of the families until the log holds ``events``, in recorded
    order."""
    rng = random.Random(seed_value)
    first = Copy(0, Family("", template.directory), rng)  # the directory: as recorded, earlier
    first.months, first.jitter, first.names = -MONTHS_BACK, timedelta(0), {}
    planned = [Planned(first.recorded(r.recorded), n, r.stream, first.event(r))
               for n, r in enumerate(template.directory)]  # fmt: skip
    copies = math.ceil(max(events - len(planned), 0) / template.family_events
                       * len(template.families))  # fmt: skip
    number = 0
    while len(planned) < events or number < copies:
        family = template.families[number % len(template.families)]
        copy = Copy(number, family, rng)
        for record in family.events:
            stream = copy.text(record.stream)
            planned.append(Planned(copy.recorded(record.recorded), len(planned), stream,
                                   copy.event(record)))  # fmt: skip
        number += 1
    planned.sort(key=lambda item: (item.recorded, item.order))
    return planned


def batches(planned: list[Planned]) -> Iterator[tuple[datetime, list[StreamAppend]]]:
    """Appends of ``BATCH`` events, one per stream touched, expecting each stream's version;
    with the time the batch is recorded at."""
    versions: dict[str, int] = {}
    for start in range(0, len(planned), BATCH):
        chunk = planned[start : start + BATCH]
        by_stream: dict[str, list[NewEvent]] = {}
        for item in chunk:
            by_stream.setdefault(item.stream, []).append(item.event)
        appends = []
        for stream, new in by_stream.items():
            version = versions.get(stream, 0)
            appends.append(StreamAppend(stream, new, expected=version))
            versions[stream] = version + len(new)
        yield chunk[-1].recorded, appends


def path_for(events: int) -> str:
    return os.path.join(DATA, f"rebuild-{events}-v{FORMAT}.db")


def build_store(events: int, *, say: Any = print) -> str:
    """The cached store of at least ``events`` events, generated if missing; return its path."""
    path = path_for(events)
    if os.path.exists(path):
        return path
    os.makedirs(DATA, exist_ok=True)
    with open(os.path.join(DATA, ".gitignore"), "w") as ignore:
        ignore.write("*\n")  # generated files only
    say(f"generating {path} (once; reused by later runs) ...")
    template = read_template()
    planned = plan(template, events)
    building = f"{path}.building"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(building + suffix):
            os.remove(building + suffix)
    clock = ManualClock(planned[0].recorded)
    with SQLiteStore(building, clock=clock, durability="normal") as store:
        for recorded, appends in batches(planned):
            clock.now = recorded.astimezone(UTC)
            store.append(appends)
    os.replace(building, path)
    say(f"generated {len(planned)} events from {len(template.families)} template families")
    return path
