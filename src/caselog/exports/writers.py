"""Sheets written out: as text for people, JSON or CSV for scripts, JSON Lines, CSV or XLSX files.

Every writer takes a :class:`~caselog.exports.disclosure.Disclosure` and applies it first.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from caselog.errors import ValidationError
from caselog.exports.disclosure import EVERYTHING, Disclosure
from caselog.exports.sheet import Sheet

__all__ = ["FILE_FORMATS", "OUTPUT_FORMATS", "render", "text_width", "worksheet_value", "write"]

OUTPUT_FORMATS = ("table", "json", "csv")
"""What a read command prints: ``table`` for people, ``json`` and ``csv`` for scripts."""

FILE_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".json": "json", ".xlsx": "xlsx"}
"""The formats an export writes, by file extension."""

WIDEST = 60
"""Table cells longer than this are cut (the json and csv formats never cut)."""


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters a worksheet cannot hold (XML 1.0)."""


def worksheet_value(value: Any) -> Any:
    """A value as a worksheet cell can hold it: text without the control characters XLSX
    forbids (each becomes U+FFFD, so that the change is visible), anything else as it is."""
    if isinstance(value, str) and _ILLEGAL.search(value):
        return _ILLEGAL.sub("\ufffd", value)
    return value


def text_width(text: str) -> int:
    """Characters as a spreadsheet measures them: Chinese characters are twice as wide."""
    return sum(2 if ord(char) >= 0x2E80 else 1 for char in text)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= WIDEST else text[: WIDEST - 1] + "…"


def table(sheet: Sheet) -> str:
    """The sheet as aligned text, titled."""
    cells = [list(sheet.names), *([_cell(v) for v in row] for row in sheet.rows)]
    widths = [max(len(row[n]) for row in cells) for n in range(len(sheet.columns))]
    lines = [sheet.title]
    for n, row in enumerate(cells):
        lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    if not sheet.rows:
        lines.append("(none)")
    return "\n".join(lines) + "\n"


def _csv(sheet: Sheet) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(sheet.names)
    writer.writerows(sheet.rows)
    return out.getvalue()


def _json(sheet: Sheet) -> str:
    return json.dumps(sheet.records(), ensure_ascii=False, indent=2) + "\n"


def _jsonl(sheet: Sheet) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in sheet.records())


def render(sheets: Sequence[Sheet], format: str, *, disclosure: Disclosure = EVERYTHING) -> str:
    """What a read command prints: every sheet as a table, or the first as JSON or CSV (the
    others, such as totals, follow from it)."""
    shown = [disclosure.apply(sheet) for sheet in sheets]
    if format == "table":
        return "\n".join(table(sheet) for sheet in shown)
    if format == "json":
        return _json(shown[0])
    if format == "csv":
        return _csv(shown[0])
    raise ValidationError("format", f"{format!r} is not one of {', '.join(OUTPUT_FORMATS)}")


def write(
    sheets: Sequence[Sheet],
    path: Path,
    *,
    format: str | None = None,
    disclosure: Disclosure = EVERYTHING,
) -> str:
    """Write sheets to ``path`` in ``format`` (by default from its extension): CSV, JSON or
    JSON Lines of the first sheet, or an XLSX workbook with a worksheet per sheet. Return the
    format written."""
    chosen = format or FILE_FORMATS.get(path.suffix.lower(), "")
    if chosen not in FILE_FORMATS.values():
        known = ", ".join(FILE_FORMATS)
        raise ValidationError("format", f"cannot tell the format of {path.name!r}: use {known}")
    shown = [disclosure.apply(sheet) for sheet in sheets]
    if chosen == "xlsx":
        _xlsx(shown, path)
    else:
        text = {"csv": _csv, "json": _json, "jsonl": _jsonl}[chosen](shown[0])
        path.write_text(text, encoding="utf-8")
    return chosen


def _xlsx(sheets: Sequence[Sheet], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    used: set[str] = set()
    for sheet in sheets:
        name = _sheet_name(sheet.name, used)
        ws = book.create_sheet(name)
        ws.freeze_panes = "A2"
        for n, column in enumerate(sheet.names):
            values = [column, *(row[n] for row in sheet.rows)]
            width = max(text_width(str(v)) for v in values if v is not None)
            ws.column_dimensions[get_column_letter(n + 1)].width = min(max(width + 2, 8), 60)
        header = []
        for name in sheet.names:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([worksheet_value(value) for value in row])
    book.save(path)


def _sheet_name(name: str, used: set[str]) -> str:
    """A worksheet name: at most 31 characters, none of ``[]:*?/\\``, unique in the book."""
    base = "".join("_" if c in "[]:*?/\\" else c for c in name)[:31] or "sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name
