"""Importing a census spreadsheet into the log, row by row, through the case-file commands.

A file whose form cannot be told, or that lacks a required column, is refused whole
(:class:`~caselog.forms.FormError`) before anything is written. Otherwise each row is imported on
its own: a row that fails a check is reported as a :class:`~caselog.forms.RowError` and writes
nothing, the valid rows are recorded, and a row whose facts the log holds already is passed over,
so importing the same file again records nothing new.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from caselog.errors import ConcurrencyError, ValidationError
from caselog.forms.cells import CellError, parse_cell
from caselog.forms.columns import FORMS, LEFT_BEHIND, REGISTRATION, Form, normal_header
from caselog.forms.errors import FormError
from caselog.forms.left_behind import plan_left_behind
from caselog.forms.plans import Context, Plan, RowProblem
from caselog.forms.reading import Row, Sheet, read_sheet
from caselog.forms.registration import plan_registration
from caselog.forms.report import ImportReport, RowError

if TYPE_CHECKING:
    from caselog.log import Caselog

__all__ = ["detect_form", "import_file", "import_sheet"]

Planner = Callable[[Context, Mapping[str, Any], int], Plan]
_PLANNERS: Mapping[str, Planner] = {
    REGISTRATION.name: plan_registration,
    LEFT_BEHIND.name: plan_left_behind,
}


def import_file(
    log: Caselog,
    path: str | Path,
    *,
    actor: str,
    form: str | Form | None = None,
    effective: date | datetime | None = None,
    sheet: str | None = None,
) -> ImportReport:
    """Import a ``.csv`` or ``.xlsx`` census file as ``actor``; return what was done.

    ``form`` is ``"registration"`` or ``"left_behind"`` (by default told from the headers);
    ``effective`` is the date for rows without a ``census_date``; ``sheet`` names the XLSX
    worksheet (by default the first).
    """
    return import_sheet(log, read_sheet(path, sheet=sheet), actor=actor, form=form,
                        effective=effective)  # fmt: skip


def import_sheet(
    log: Caselog,
    sheet: Sheet,
    *,
    actor: str,
    form: str | Form | None = None,
    effective: date | datetime | None = None,
) -> ImportReport:
    """Import rows already read (see :func:`import_file`)."""
    chosen = _chosen(sheet, form)
    headers = column_headers(sheet, chosen)
    if "census_date" not in headers and effective is None:
        raise FormError(sheet.file, "no such column, and no effective date given for the rows",
                        column="census_date")  # fmt: skip
    _check_actor(log, actor)
    ctx = Context(log, actor, effective)
    before = _position(log)
    recorded = unchanged = 0
    errors: list[RowError] = []
    for row in sheet.rows:
        outcome = _import_row(ctx, chosen, headers, row)
        if isinstance(outcome, list):
            errors += outcome
        elif outcome:
            recorded += 1
        else:
            unchanged += 1
    return ImportReport(sheet.file, chosen.name, len(sheet.rows), recorded, unchanged,
                        _position(log) - before, tuple(errors))  # fmt: skip


def detect_form(sheet: Sheet) -> Form:
    """Tell the form from the headers: the one with more of its own columns present."""
    present = set(_normal_headers(sheet, REGISTRATION)) | set(_normal_headers(sheet, LEFT_BEHIND))
    scores = {}
    for form in FORMS.values():
        others = {name for other in FORMS.values() if other is not form for name in other.names}
        scores[form.name] = len((set(form.names) - others) & present)
    best = max(scores.values())
    chosen = [name for name, score in scores.items() if score == best]
    if best == 0 or len(chosen) > 1:
        raise FormError(sheet.file, "cannot tell the form from the headers; expected the "
                        f"columns of one of {', '.join(FORMS)}")  # fmt: skip
    return FORMS[chosen[0]]


def column_headers(sheet: Sheet, form: Form) -> dict[str, str]:
    """Map each of the form's columns present in the sheet to its header as written; refuse a
    column given twice or a required column missing."""
    found: dict[str, str] = {}
    for header, name in _normal_headers(sheet, form).items():
        if name in found:
            raise FormError(sheet.file, f"given twice, as {found[name]!r} and {header!r}",
                            column=name)  # fmt: skip
        found[name] = header
    missing = [name for name in form.required if name not in found]
    if missing:
        raise FormError(sheet.file, f"the {form.name} form needs the column(s) "
                        f"{', '.join(missing)}", column=missing[0])  # fmt: skip
    return found


def _normal_headers(sheet: Sheet, form: Form) -> dict[str, str]:
    """Header as written -> column name, for the headers the form knows."""
    lookup = form.lookup()
    return {h: lookup[normal_header(h)] for h in sheet.header if normal_header(h) in lookup}


def _chosen(sheet: Sheet, form: str | Form | None) -> Form:
    if isinstance(form, Form):
        return form
    if form is None:
        return detect_form(sheet)
    if form not in FORMS:
        raise ValidationError("form", f"{form!r} is not one of {', '.join(FORMS)}")
    return FORMS[form]


def _check_actor(log: Caselog, actor: str) -> None:
    worker = log.directory().workers.get(actor) if isinstance(actor, str) else None
    if worker is None or not worker.is_active:
        raise ValidationError("actor", f"{actor!r} is not an active worker")


def _position(log: Caselog) -> int:
    last = log.store.last_event()
    return 0 if last is None else last.position


def _import_row(
    ctx: Context, form: Form, headers: Mapping[str, str], row: Row
) -> int | list[RowError]:
    """Import one row: the events it wrote, or why it was refused."""
    values, errors = _cells(form, headers, row)
    if errors:
        return errors
    claims = dict(ctx.id_numbers), dict(ctx.household_means)
    try:
        plan = _PLANNERS[form.name](ctx, values, row.number)
    except RowProblem as problem:
        ctx.id_numbers, ctx.household_means = claims  # a refused row claims nothing
        return [RowError(row.file, row.number, problem.column, problem.reason)]
    return _run(plan, row)


def _cells(
    form: Form, headers: Mapping[str, str], row: Row
) -> tuple[dict[str, Any], list[RowError]]:
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for column in form.columns:
        raw = row.values.get(headers[column.name]) if column.name in headers else None
        try:
            values[column.name] = parse_cell(column, raw)
        except CellError as exc:
            errors.append(RowError(row.file, row.number, column.name, exc.reason))
            continue
        if column.is_required and values[column.name] is None:
            errors.append(RowError(row.file, row.number, column.name, "must not be empty"))
    return values, errors


def _run(plan: Plan, row: Row) -> int | list[RowError]:
    written: Sequence[object] = ()
    for step in plan.steps:
        try:
            written = [*written, *step.run()]
        except (ValidationError, ConcurrencyError) as exc:
            field = exc.field if isinstance(exc, ValidationError) else None
            column = step.fields.get(field, field) if field is not None else None
            reason = exc.reason if isinstance(exc, ValidationError) else str(exc)
            if written:
                reason += f" (the row was recorded in part: {len(written)} events)"
            return [RowError(row.file, row.number, column, reason)]
    return len(written)
