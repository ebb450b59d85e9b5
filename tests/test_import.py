"""Importing census spreadsheets: templates, errors reported by row and column, nothing written
twice, and the roster's round trip."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

import caselog
from caselog import Caselog
from caselog.domain import SchoolStage
from caselog.forms import (
    LEFT_BEHIND,
    REGISTRATION,
    ROSTER_COLUMNS,
    FormError,
    RowError,
    column_table,
    import_file,
    write_roster,
    write_templates,
)
from caselog.forms.templates import EXAMPLES
from caselog.forms.writing import write_csv, write_xlsx
from caselog.testing import ManualClock
from forms_programme import CENSUS, OTHER_VILLAGE, TOWNSHIP, VILLAGE, build

ROOT = Path(__file__).parent.parent
TEMPLATES = ROOT / "docs" / "templates"
DAY = date(2025, 3, 3)


@pytest.fixture(params=["memory", "sqlite"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Caselog]:
    """The tutorial's areas and workers, in memory and in SQLite, the clock at 2025-03-03."""
    clock = ManualClock(datetime(2025, 3, 3, 9, tzinfo=UTC))
    target = "memory:" if request.param == "memory" else str(tmp_path / "forms.db")
    with caselog.open(target, clock=clock) as opened:
        build(opened)
        yield opened


def _position(log: Caselog) -> int:
    last = log.store.last_event()
    return 0 if last is None else last.position


def _is_registered(log: Caselog, child_id: str) -> bool:
    return bool(log.read_stream(f"child:{child_id}"))


def _write(path: Path, header: tuple[str, ...], rows: list[dict[str, object]]) -> Path:
    if path.suffix == ".csv":
        write_csv(path, header, rows)
    else:
        write_xlsx(path, header, rows, title="census")
    return path


def _with_errors() -> list[dict[str, object]]:
    """The registration template's rows (rows 2-4), then a bad date (row 5), an unknown village
    (row 6) and c-001's ID number given to another child (row 7)."""
    rows = [dict(row) for row in EXAMPLES["registration"]]
    bad_date = {**rows[2], "child_id": "c-004", "birth_date": "2019-02-30", "id_number": None}
    unknown_village = {**rows[2], "child_id": "c-005", "household_id": "h-009",
                       "village": "510101999"}  # fmt: skip
    duplicate = {**rows[1], "child_id": "c-006", "household_id": "h-010", "name": "王小华",
                 "id_number": rows[0]["id_number"]}  # fmt: skip
    return [*rows, bad_date, unknown_village, duplicate]


def test_the_templates_are_what_write_templates_writes(tmp_path: Path) -> None:
    """docs/templates holds exactly what write_templates writes: the same CSV bytes, the same
    XLSX cells."""
    for path in write_templates(tmp_path):
        committed = TEMPLATES / path.name
        if path.suffix == ".csv":
            assert committed.read_bytes() == path.read_bytes()
        else:
            cells = [list(load_workbook(p).active.iter_rows(values_only=True))  # type: ignore[union-attr]
                     for p in (committed, path)]  # fmt: skip
            assert cells[0] == cells[1]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_templates_import_cleanly(log: Caselog, suffix: str) -> None:
    """Both templates import without an error: the households, the children and their facts,
    and the left-behind situation classifies the first two children."""
    registration = import_file(log, TEMPLATES / f"registration{suffix}", actor="li")
    left_behind = import_file(log, TEMPLATES / f"left_behind{suffix}", actor="li")
    assert (registration.form, registration.rows_recorded, registration.errors) == (
        "registration",
        3,
        (),
    )
    assert (left_behind.form, left_behind.rows_recorded, left_behind.errors) == (
        "left_behind", 3, ())  # fmt: skip
    file = log.child_file("c-001")
    assert file is not None
    assert (file.name, file.village, file.id_number) == ("王小明", VILLAGE, "510101201305020011")
    assert file.schooling is not None
    assert file.schooling.stage is SchoolStage.PRIMARY
    assert file.care is not None
    assert file.care.carer_name == "李秀英"
    assert file.categories is not None
    assert [(c.category, c.subtype) for c in file.categories.categories] == [
        ("left_behind", "both_parents_away")]  # fmt: skip
    third = log.child_file("c-003")
    assert third is not None
    assert third.disability is not None
    assert third.disability.grade == 3
    assert third.household_economic_status is not None
    assert third.household_economic_status.has_minimum_living_guarantee


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rows_with_errors_are_reported_and_the_rest_recorded(
    log: Caselog, tmp_path: Path, suffix: str
) -> None:
    """A bad date, an unknown village and a duplicate ID number are reported by file, row and
    column; the valid rows are recorded and the refused ones wrote nothing."""
    path = _write(tmp_path / f"registration{suffix}", REGISTRATION.names, _with_errors())
    report = import_file(log, path, actor="li")
    name = path.name
    assert report.errors == (
        RowError(name, 5, "birth_date", "'2019-02-30' is not a date"),
        RowError(name, 6, "village", "'510101999' is not a registered area"),
        RowError(name, 7, "id_number", "the ID number is in row 2 already"),
    )
    assert str(report.errors[0]) == f"{name} row 5, column birth_date: '2019-02-30' is not a date"
    assert (report.rows_read, report.rows_recorded, report.rows_already_recorded) == (6, 3, 0)
    assert [c for c in ("c-001", "c-002", "c-003") if not _is_registered(log, c)] == []
    assert [c for c in ("c-004", "c-005", "c-006") if _is_registered(log, c)] == []
    assert log.read_stream("household:h-009") == []
    assert log.read_stream("household:h-010") == []  # the duplicate's new household neither
    assert str(report).splitlines()[0] == (
        f"{name} (registration): 6 rows read, 3 recorded, 0 already recorded, 3 refused; "
        f"{report.events} events written"
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_importing_again_records_nothing(log: Caselog, tmp_path: Path, suffix: str) -> None:
    """The same file imported twice: the second import writes no event and counts every valid
    row as already recorded."""
    path = _write(tmp_path / f"registration{suffix}", REGISTRATION.names, _with_errors())
    first = import_file(log, path, actor="li")
    before = _position(log)
    again = import_file(log, path, actor="li")
    assert first.events > 0
    assert _position(log) == before
    assert (again.rows_recorded, again.rows_already_recorded, again.events) == (0, 3, 0)
    assert again.errors[:2] == first.errors[:2]
    # the duplicate ID number is now refused for the file's row 2 having it, as before
    assert again.errors[2] == first.errors[2]
    left = import_file(log, TEMPLATES / "left_behind.csv", actor="li")
    assert left.events > 0
    assert import_file(log, TEMPLATES / "left_behind.csv", actor="li").events == 0


def test_a_missing_required_column_refuses_the_file(log: Caselog, tmp_path: Path) -> None:
    """Without a required column the whole file is refused, naming the column, and nothing is
    written."""
    header = tuple(name for name in REGISTRATION.names if name != "birth_date")
    path = _write(tmp_path / "registration.csv", header, _with_errors()[:3])
    before = _position(log)
    with pytest.raises(FormError, match="birth_date") as caught:
        import_file(log, path, actor="li")
    assert (caught.value.file, caught.value.column) == ("registration.csv", "birth_date")
    assert _position(log) == before


def test_the_form_is_told_from_the_headers_or_refused(log: Caselog, tmp_path: Path) -> None:
    """Headers of neither form are refused; Chinese and spaced variants of headers are read."""
    path = _write(tmp_path / "other.csv", ("a", "b"), [{"a": "1", "b": "2"}])
    with pytest.raises(FormError, match="cannot tell the form"):
        import_file(log, path, actor="li")
    rows = [dict(EXAMPLES["registration"][0])]
    renamed = {"birth_date": "出生日期", "sex": "性别", "household_id": "Household ID"}
    header = tuple(renamed.get(name, name) for name in REGISTRATION.names)
    rows = [{renamed.get(k, k): ("男" if k == "sex" else v) for k, v in row.items()}
            for row in rows]  # fmt: skip
    report = import_file(log, _write(tmp_path / "census.csv", header, rows), actor="li")
    assert (report.form, report.rows_recorded, report.errors) == ("registration", 1, ())


def test_left_behind_rows_need_a_registered_child_and_the_worker_of_its_village(
    log: Caselog, tmp_path: Path
) -> None:
    """A left-behind row for an unknown child is refused on child_id; one recorded by a worker
    of another village is refused on the whole row."""
    import_file(log, TEMPLATES / "registration.csv", actor="li")
    rows = [dict(row) for row in EXAMPLES["left_behind"]]
    rows[0]["child_id"] = "c-999"
    rows[1]["father_situation"] = "abroad"
    path = _write(tmp_path / "left_behind.csv", LEFT_BEHIND.names, rows)
    report = import_file(log, path, actor="wang")
    assert report.errors == (
        RowError("left_behind.csv", 2, "child_id", "no child 'c-999' is registered"),
        RowError("left_behind.csv", 3, "father_situation",
                 "'abroad' is not one of " + LEFT_BEHIND.column("father_situation").values()),
        RowError("left_behind.csv", 4, None, f"'wang' works in {OTHER_VILLAGE}, not in {VILLAGE}"),
    )  # fmt: skip
    assert report.events == 0


def test_the_roster_opens_and_imports_again_without_change(log: Caselog, tmp_path: Path) -> None:
    """The roster is a workbook with a bold frozen header and one row per child; imported again
    it records nothing, and an edited cell records just that change."""
    import_file(log, TEMPLATES / "registration.xlsx", actor="li")
    import_file(log, TEMPLATES / "left_behind.xlsx", actor="li")
    path = tmp_path / "roster.xlsx"
    assert write_roster(log, TOWNSHIP, path) == 3
    sheet = load_workbook(path).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ROSTER_COLUMNS
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    first = dict(zip(ROSTER_COLUMNS, rows[1], strict=True))
    assert (first["child_id"], first["status"], first["categories"]) == (
        "c-001", "active", "left_behind/both_parents_away")  # fmt: skip
    assert first["birth_date"] == datetime(2013, 5, 2)
    before = _position(log)
    again = import_file(log, path, actor="li", effective=DAY)
    assert (again.rows_already_recorded, again.errors, _position(log)) == (3, (), before)
    school = ROSTER_COLUMNS.index("school_stage") + 1
    sheet.cell(row=2, column=school, value="junior_secondary")
    book = sheet.parent
    assert book is not None
    book.save(path)
    edited = import_file(log, path, actor="li", effective=DAY)
    assert (edited.rows_recorded, edited.rows_already_recorded) == (1, 2)
    file = log.child_file("c-001")
    assert file is not None
    assert file.schooling is not None
    assert file.schooling.stage is SchoolStage.JUNIOR_SECONDARY
    assert log.child_file("c-001", as_of=CENSUS).schooling.stage is SchoolStage.PRIMARY  # type: ignore[union-attr]


def test_the_documentation_lists_the_columns() -> None:
    """docs/import.md holds the generated column table of both forms."""
    text = (ROOT / "docs" / "import.md").read_text()
    assert column_table(REGISTRATION) in text
    assert column_table(LEFT_BEHIND) in text


def test_a_row_cut_short_by_a_crash_is_completed_by_importing_again(
    log: Caselog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row is several commands, each one append: a process killed between two of them leaves
    the row's first commands recorded. Importing the file again records the rest, and the log
    then holds what a clean import holds."""
    from caselog.forms import importing
    from caselog.forms.plans import Plan
    from caselog.forms.reading import Row

    path = TEMPLATES / "registration.csv"
    run = importing._run

    def cut_short(plan: Plan, row: Row) -> object:
        if len(plan.steps) < 2:
            return run(plan, row)
        plan.steps[0].run()
        raise KeyboardInterrupt  # the process dies after the row's first command

    monkeypatch.setattr(importing, "_run", cut_short)
    with pytest.raises(KeyboardInterrupt):
        import_file(log, path, actor="li")
    assert _position(log) > 0
    monkeypatch.setattr(importing, "_run", run)
    again = import_file(log, path, actor="li")
    assert again.errors == ()
    clean = caselog.open("memory:", clock=ManualClock(datetime(2025, 3, 3, 9, tzinfo=UTC)))
    build(clean)
    import_file(clean, path, actor="li")
    for child_id in ("c-001", "c-002", "c-003"):
        ours, theirs = log.child_file(child_id), clean.child_file(child_id)
        assert ours is not None
        assert theirs is not None
        fields = ("name", "sex", "birth_date", "household_id", "schooling", "health",
                  "disability", "household_economic_status")  # fmt: skip
        assert [getattr(ours, f) for f in fields] == [getattr(theirs, f) for f in fields]
        assert ours.categories is not None
        assert theirs.categories is not None
        assert ours.categories.categories == theirs.categories.categories


def test_a_refused_row_claims_nothing_for_later_rows(log: Caselog, tmp_path: Path) -> None:
    """A row refused for its birth date does not hold its ID number or its household's means
    against the rows after it."""
    rows = [dict(row) for row in EXAMPLES["registration"]]
    refused = {**rows[0], "child_id": "c-099", "income_source": "farming",
               "birth_date": "2030-01-01"}  # after the census: refused  # fmt: skip
    path = _write(tmp_path / "claims.csv", REGISTRATION.names, [refused, *rows])
    report = import_file(log, path, actor="li")
    assert [(e.row, e.column) for e in report.errors] == [(2, "birth_date")]
    assert report.rows_recorded == len(rows)
