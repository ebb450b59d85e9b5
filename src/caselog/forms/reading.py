"""Reading a spreadsheet's rows: CSV (UTF-8, with or without a byte-order mark) or XLSX.

Rows are numbered as the spreadsheet numbers them: the header is row 1. Blank rows are skipped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
from openpyxl import load_workbook

from caselog.forms.errors import FormError

__all__ = ["Row", "Sheet", "read_sheet"]


@attrs.frozen
class Row:
    """One row of a sheet: the file's name, its row number, and its cells by header."""

    file: str
    number: int
    values: Mapping[str, object]


@attrs.frozen
class Sheet:
    """A sheet as read: the file's name, its headers (as written) and its non-blank rows."""

    file: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]


def read_sheet(path: str | Path, *, sheet: str | None = None) -> Sheet:
    """Read a ``.csv`` or ``.xlsx`` file: the first worksheet, or the one named ``sheet``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if sheet is not None:
            raise FormError(path.name, "a CSV file has no named sheets")
        lines = _csv_lines(path)
    elif suffix in (".xlsx", ".xlsm"):
        lines = _xlsx_lines(path, sheet)
    else:
        raise FormError(path.name, f"{suffix or 'no suffix'}: expected a .csv or .xlsx file")
    return _sheet(path.name, lines)


def _csv_lines(path: Path) -> list[Sequence[object]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.reader(handle))
    except UnicodeDecodeError as exc:
        raise FormError(path.name, f"not UTF-8 text ({exc.reason}); save it as CSV UTF-8") from exc
    except (OSError, csv.Error) as exc:
        raise FormError(path.name, f"cannot be read: {exc}") from exc


def _xlsx_lines(path: Path, sheet: str | None) -> list[Sequence[object]]:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, ... for a damaged file
        raise FormError(path.name, f"cannot be read as XLSX: {exc}") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            known = ", ".join(book.sheetnames)
            raise FormError(path.name, f"no sheet {sheet!r}; the sheets are {known}")
        worksheet: Any = book[sheet] if sheet is not None else book.worksheets[0]
        return [tuple(line) for line in worksheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _sheet(file: str, lines: list[Sequence[object]]) -> Sheet:
    if not lines:
        raise FormError(file, "the file is empty; the first row must hold the headers")
    header = tuple("" if cell is None else str(cell).strip() for cell in lines[0])
    rows = tuple(_rows(file, header, lines))
    return Sheet(file, header, rows)


def _rows(file: str, header: tuple[str, ...], lines: list[Sequence[object]]) -> Iterator[Row]:
    for number, line in enumerate(lines[1:], start=2):
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in line):
            continue
        values = {name: cell for name, cell in zip(header, line, strict=False) if name}
        yield Row(file, number, values)
