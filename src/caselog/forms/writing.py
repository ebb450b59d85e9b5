"""Writing rows of a form as CSV (UTF-8 with a byte-order mark, which spreadsheet programs need to
show Chinese text) or XLSX (bold frozen header, dates as date cells, sensible column widths).

Values are written as an import reads them back: dates as ``YYYY-MM-DD``, yes/no for booleans,
code values as stored, blank for None.
"""

from __future__ import annotations

import csv
import enum
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from caselog.exports.writers import text_width, worksheet_value

__all__ = ["cell_text", "write_csv", "write_xlsx"]

_WIDEST = 40


def cell_text(value: object) -> str:
    """A value as a CSV cell holds it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Mapping[str, object]]) -> None:
    """Write ``rows`` under ``header`` as CSV."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([cell_text(row.get(name)) for name in header] for row in rows)


def _xlsx_cell(value: object) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = cell_text(value)
    return worksheet_value(text) or None


def write_xlsx(
    path: Path, header: Sequence[str], rows: Sequence[Mapping[str, object]], *, title: str
) -> None:
    """Write ``rows`` under ``header`` as the one worksheet ``title`` of an XLSX workbook."""
    book = Workbook()
    sheet = book.active
    if sheet is None:  # a new workbook always has one sheet
        sheet = book.create_sheet()
    sheet.title = title
    sheet.append(list(header))
    for row in rows:
        sheet.append([_xlsx_cell(row.get(name)) for name in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        longest = max([len(name), *(text_width(cell_text(row.get(name))) for row in rows)])
        sheet.column_dimensions[get_column_letter(index)].width = min(longest + 2, _WIDEST)
    book.save(path)
