"""Reads and exports as sheets, written as text, JSON, CSV, JSON Lines or XLSX, through one
:class:`Disclosure` that decides what protected values may be seen."""

from caselog.exports.disclosure import EVERYTHING, MASK, MASKED, Disclosure
from caselog.exports.reports import (
    FILE_PRIVACY,
    audit_sheet,
    caseload_sheet,
    child_files_sheet,
    describe,
    file_sheet,
    ledger_sheet,
    totals_sheet,
    visits_sheet,
    waiting_sheet,
)
from caselog.exports.sheet import Column, Sheet, plain
from caselog.exports.writers import FILE_FORMATS, OUTPUT_FORMATS, render, write

__all__ = [
    "EVERYTHING",
    "FILE_FORMATS",
    "FILE_PRIVACY",
    "MASK",
    "MASKED",
    "OUTPUT_FORMATS",
    "Column",
    "Disclosure",
    "Sheet",
    "audit_sheet",
    "caseload_sheet",
    "child_files_sheet",
    "describe",
    "file_sheet",
    "ledger_sheet",
    "plain",
    "render",
    "totals_sheet",
    "visits_sheet",
    "waiting_sheet",
    "write",
]
