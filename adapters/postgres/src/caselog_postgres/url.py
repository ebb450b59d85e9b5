"""``postgresql://`` URLs: caselog's options in the query string, everything else for libpq.

``postgresql://user@host:5432/db?schema=caselog_a&pool_max=8&durability=normal`` opens the store
in schema ``caselog_a`` of database ``db``; query parameters caselog does not know
(``sslmode``, ``connect_timeout``, ``application_name``...) are left for libpq.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg.conninfo

from caselog.errors import ValidationError
from caselog.times import Clock, system_clock
from caselog_postgres.store import PostgresStore

__all__ = ["OPTIONS", "open_store", "split_url"]

OPTIONS: dict[str, type] = {
    "schema": str,
    "pool_min": int,
    "pool_max": int,
    "timeout": float,
    "durability": str,
}
"""The query parameters that configure the store rather than the connection, and their types."""

_SCHEMES = ("postgresql", "postgres")


def _option(key: str, value: str) -> Any:
    kind = OPTIONS[key]
    if kind is str:
        return value
    try:
        return kind(value)
    except ValueError:
        raise ValidationError(f"url.{key}", f"{value!r} is not a number") from None


def split_url(url: str) -> tuple[str, dict[str, Any]]:
    """Return the libpq connection URL and the store's options that ``url`` holds."""
    if not isinstance(url, str):
        raise ValidationError("url", f"{url!r} is not a PostgreSQL URL")
    parts = urlsplit(url)
    if parts.scheme.lower() not in _SCHEMES:
        raise ValidationError("url", f"{url!r} is not a postgresql:// or postgres:// URL")
    try:
        pairs = parse_qsl(parts.query, strict_parsing=True) if parts.query else []
    except ValueError as exc:
        raise ValidationError("url", f"bad query string {parts.query!r}: {exc}") from None
    options: dict[str, Any] = {}
    passed: list[tuple[str, str]] = []
    for key, value in pairs:
        if key in OPTIONS:
            options[key] = _option(key, value)
        else:
            passed.append((key, value))
    conninfo = urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(passed), ""))
    try:
        psycopg.conninfo.conninfo_to_dict(conninfo)
    except psycopg.Error as exc:
        raise ValidationError("url", f"libpq refuses {url!r}: {exc}") from None
    return conninfo, options


def open_store(url: str, *, clock: Clock = system_clock) -> PostgresStore:
    """The ``caselog.stores`` entry point: open the :class:`PostgresStore` that ``url`` names."""
    conninfo, options = split_url(url)
    return PostgresStore(conninfo, clock=clock, **options)
