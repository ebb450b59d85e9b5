"""Choosing a store from a URL.

``memory:`` opens a :class:`MemoryStore`; ``sqlite:///relative.db``, ``sqlite:////absolute.db``
or a bare path opens a :class:`SQLiteStore` (options as query parameters, e.g.
``?durability=normal``). Any other scheme is looked up by name in the entry-point group
``caselog.stores``, where adapters such as ``caselog-postgres`` register a factory called as
``factory(url, clock=clock)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any, cast
from urllib.parse import parse_qsl

from caselog.errors import UnknownStoreError, ValidationError
from caselog.memory import MemoryStore
from caselog.sqlite import Durability, SQLiteStore
from caselog.store import EventStore
from caselog.times import Clock, system_clock

__all__ = ["ENTRY_POINT_GROUP", "StoreFactory", "open_store"]

ENTRY_POINT_GROUP = "caselog.stores"
StoreFactory = Callable[..., EventStore]
"""Called as ``factory(url, clock=clock)``; returns an :class:`EventStore`."""

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):")  # two letters at least: not a drive letter


def _memory(url: str, *, clock: Clock) -> EventStore:
    if url not in ("memory:", "memory://"):
        raise ValidationError("url", f"{url!r}: the memory store takes no path or options")
    return MemoryStore(clock=clock)


def _sqlite_options(query: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    try:
        pairs = parse_qsl(query, strict_parsing=True) if query else []
    except ValueError as exc:
        raise ValidationError("url", f"bad SQLite options {query!r}: {exc}") from None
    for key, value in pairs:
        if key == "durability":
            options["durability"] = cast(Durability, value)
        elif key in ("timeout", "cache_mib"):
            try:
                options[key] = float(value) if key == "timeout" else int(value)
            except ValueError:
                raise ValidationError(f"url.{key}", f"{value!r} is not a number") from None
        else:
            raise ValidationError("url", f"unknown SQLite option {key!r}")
    return options


def _sqlite(url: str, *, clock: Clock) -> EventStore:
    rest = url.removeprefix("sqlite:")
    path, _, query = rest.partition("?")
    if path.startswith("//"):
        path = path[3:] if path.startswith("///") else path[2:]
    if not path:
        raise ValidationError("url", f"{url!r} names no database file")
    return SQLiteStore(path, clock=clock, **_sqlite_options(query))


_BUILT_IN: dict[str, StoreFactory] = {"memory": _memory, "sqlite": _sqlite}


def _factory(scheme: str, url: str) -> StoreFactory:
    if scheme in _BUILT_IN:
        return _BUILT_IN[scheme]
    found = entry_points(group=ENTRY_POINT_GROUP)
    for entry in found:
        if entry.name == scheme:
            return cast(StoreFactory, entry.load())
    raise UnknownStoreError(url, scheme, [*_BUILT_IN, *(entry.name for entry in found)])


def open_store(url: str, *, clock: Clock = system_clock) -> EventStore:
    """Open the store a URL names (see the module's documentation for the forms)."""
    if not isinstance(url, str) or not url:
        raise ValidationError("url", f"{url!r} is not a store URL or path")
    match = _SCHEME.match(url)
    if match is None:
        return SQLiteStore(url, clock=clock)
    scheme = match.group(1).lower()
    return _factory(scheme, url)(url, clock=clock)
