"""The registration roster of an area: one row per child, with the registration form's columns
(so that it can be edited and imported again) and the file's status and categories.

Every identifying value of the roster comes out of :func:`roster_rows`, the one place where
masking and scoping by role and area apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from caselog.domain.casefiles import household_stream
from caselog.domain.file import ChildFile
from caselog.errors import ValidationError
from caselog.forms.columns import NONE, REGISTRATION
from caselog.forms.writing import write_xlsx
from caselog.projections.files import file_rows

if TYPE_CHECKING:
    from caselog.log import Caselog

__all__ = ["ROSTER_COLUMNS", "roster_rows", "write_roster"]

ROSTER_COLUMNS = (*(name for name in REGISTRATION.names if name != "census_date"),
                  "status", "categories")  # fmt: skip
"""The roster's columns: the registration form's (but ``census_date``), status and categories."""

Record = Mapping[str, object]


def roster_rows(log: Caselog, area: str, *, as_of: date | None = None) -> list[dict[str, object]]:
    """The roster rows of the children whose files ``area`` holds, as they stood on ``as_of``
    (by default: everything effective so far), ordered by child id."""
    directory = log.directory()
    directory.area(area, field="area")
    rows = []
    for (child_id,) in file_rows(log, area, columns=("child_id",)):
        file = log.child_file(child_id, as_of=as_of)
        if file is not None and directory.is_within(file.village, area):
            rows.append(_row(log, file))
    return rows


def write_roster(log: Caselog, area: str, path: str | Path, *, as_of: date | None = None) -> int:
    """Write the roster of ``area`` as an XLSX workbook at ``path``; return the rows written."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValidationError("path", f"{path.name!r}: a roster is written as .xlsx")
    rows = roster_rows(log, area, as_of=as_of)
    write_xlsx(path, ROSTER_COLUMNS, rows, title="roster")
    return len(rows)


def _row(log: Caselog, file: ChildFile) -> dict[str, object]:
    registered = log.read_stream(household_stream(file.household_id), last=1)[0].data
    means = file.household_economic_status
    row: dict[str, object] = {
        "household_id": file.household_id,
        "village": file.village,
        "address": registered.address,
        "phone": registered.phone,
        "child_id": file.child_id,
        "name": file.name,
        "sex": file.sex,
        "birth_date": file.birth_date,
        "ethnicity": file.ethnicity,
        "id_number": file.id_number,
        "hukou_place": file.hukou_place,
        "how_found": file.how_found,
        "status": file.status,
        "categories": _categories(file),
    }
    if means is not None:
        row |= {"income_source": means.income_source,
                "minimum_living_guarantee": means.has_minimum_living_guarantee,
                "extreme_poverty": means.is_extreme_poverty}  # fmt: skip
    return row | _facts(file)


def _facts(file: ChildFile) -> dict[str, object]:
    row: dict[str, object] = {}
    if file.schooling is not None:
        row |= {"school_stage": file.schooling.stage, "school": file.schooling.school,
                "boarding": file.schooling.is_boarding}  # fmt: skip
    if file.health is not None:
        row |= {"health": file.health.condition, "health_notes": file.health.notes}
    if file.disability is not None:
        disability = file.disability
        row |= {"disability_type": disability.kind or NONE,
                "disability_grade": disability.grade,
                "disability_certificate": disability.certificate}  # fmt: skip
    return row


def _categories(file: ChildFile) -> str | None:
    if file.categories is None:
        return None
    return ", ".join(sorted(f"{c.category}/{c.subtype}" if c.subtype else c.category
                            for c in file.categories.categories))  # fmt: skip
