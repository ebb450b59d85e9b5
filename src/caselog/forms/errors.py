"""The error that refuses a whole file before any of its rows is imported."""

from __future__ import annotations

from caselog.errors import CaselogError

__all__ = ["FormError"]


class FormError(CaselogError, ValueError):
    """A file that cannot be imported at all (unreadable, unknown form, a required column
    missing); nothing was written.

    ``file`` names the file, ``column`` the column concerned (None when it is about the whole
    file) and ``reason`` says why.
    """

    def __init__(self, file: str, reason: str, *, column: str | None = None) -> None:
        self.file = file
        self.column = column
        self.reason = reason
        where = f"{file}, column {column}" if column else file
        super().__init__(f"{where}: {reason}")
