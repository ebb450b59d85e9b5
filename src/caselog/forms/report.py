"""What an import did: rows read, recorded and already recorded, and the rows it refused."""

from __future__ import annotations

import attrs

__all__ = ["ImportReport", "RowError"]


@attrs.frozen
class RowError:
    """A row that was not imported: where (file, row, column) and why.

    ``column`` is None when the reason concerns the whole row (the acting worker may not record
    in its village, for example). Nothing of the row was written.
    """

    file: str
    row: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} row {self.row}"
        return (
            f"{where}, column {self.column}: {self.reason}"
            if self.column
            else f"{where}: {self.reason}"
        )


@attrs.frozen
class ImportReport:
    """The outcome of importing one file.

    ``rows_recorded`` counts rows that wrote at least one event, ``rows_already_recorded`` rows
    whose every fact the log held already (a file imported again), ``events`` the events written.
    """

    file: str
    form: str
    rows_read: int
    rows_recorded: int
    rows_already_recorded: int
    events: int
    errors: tuple[RowError, ...] = ()

    @property
    def is_clean(self) -> bool:
        """True when every row was imported or was there already."""
        return not self.errors

    def lines(self) -> list[str]:
        """The report as lines of text: a summary, then one line per refused row."""
        summary = (
            f"{self.file} ({self.form}): {self.rows_read} rows read, {self.rows_recorded} "
            f"recorded, {self.rows_already_recorded} already recorded, {len(self.errors)} "
            f"refused; {self.events} events written"
        )
        return [summary, *map(str, self.errors)]

    def __str__(self) -> str:
        return "\n".join(self.lines())
