"""Turning psycopg's exceptions into caselog's, in one place.

Core code never sees a driver exception: every call into psycopg runs inside :data:`translated`,
which raises :class:`~caselog.StoreError` with the driver's exception chained as its cause.
"""

from __future__ import annotations

import psycopg

from caselog.errors import StoreError

__all__ = ["translated"]


class _Translated:
    """A context manager that re-raises psycopg's errors as :class:`~caselog.StoreError`."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        if isinstance(exc, psycopg.Error):
            raise StoreError(f"PostgreSQL: {_message(exc)}") from exc


def _message(exc: psycopg.Error) -> str:
    text = str(exc).strip() or type(exc).__name__
    if exc.sqlstate:
        return text.splitlines()[0]  # the server's message; its details follow on other lines
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())


translated = _Translated()
"""Wrap every use of the driver: ``with translated: ...``."""
