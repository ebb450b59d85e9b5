"""The ``caselog`` command, run through click's test runner: every command, exit codes, and
the json and csv output parsed back."""

import csv
import io
import json
import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import caselog
from benefit_programme import COUNTY, PROVINCE, TOWNSHIP, VILLAGE, approved, build, child, orphan
from caselog.cli import cli, main
from caselog.domain import ParentSituation, Sex
from caselog.sqlite import EVENTS
from caselog.testing import ManualClock

NOW = datetime(2025, 3, 20, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store with a village of three children, one orphan with an approved allowance paid
    for two months, and a left-behind child; the clock left at ``NOW``."""
    path = str(tmp_path_factory.mktemp("cli") / "programme.db")
    clock = ManualClock(datetime(2025, 1, 2, 8, tzinfo=UTC))
    with caselog.open(path, clock=clock) as log:
        build(log)
        orphan(log, "c-1")
        child(log, "c-2", father=ParentSituation.MIGRANT_WORKER,
              mother=ParentSituation.MIGRANT_WORKER)  # fmt: skip
        child(log, "c-3")
        clock.advance(86400 * 30)
        approved(log, "a-1", "c-1", "orphan_allowance", date(2025, 2, 1))
        clock.advance((NOW - clock()).total_seconds())
        for month in ("2025-03",):
            log.issue_payment("a-1", month, actor="chen", effective=date(2025, 3, 1))
            log.confirm_payment("a-1", month, actor="chen", effective=date(2025, 3, 2))
        log.draft_application("a-2", "c-2", "orphan_allowance", actor="li",
                              effective=date(2025, 2, 1))  # fmt: skip
    return path


def _run(db: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", db, *args])
    return result.exit_code, result.output


def _json(db: str, *args: str) -> object:
    code, output = _run(db, *args, "--format", "json")
    assert code == 0, output
    return json.loads(output)


def test_file_prints_the_childs_file_as_json_and_masks_on_request(programme: str) -> None:
    record = _json(programme, "file", "c-1")
    assert isinstance(record, dict)
    assert record["child_id"] == "c-1"
    assert record["name"] == "王小明"
    assert record["father"]["situation"] == "deceased"
    masked = _json(programme, "file", "c-1", "--mask", "identifying")
    assert isinstance(masked, dict)
    assert masked["name"] == "***"
    assert masked["village"] == VILLAGE  # areas identify nobody


def test_file_as_of_a_day_before_registration_is_an_error(programme: str) -> None:
    code, output = _run(programme, "file", "c-1", "--as-of", "2024-01-01")
    assert code == 1
    assert output.strip().splitlines() == ["caselog: child: no file of 'c-1' as asked"]


def test_caseload_counts_by_category_and_reproduces_a_past_report(programme: str) -> None:
    code, output = _run(programme, "caseload", "--area", VILLAGE, "--as-of", "2025-03-01",
                        "--format", "csv")  # fmt: skip
    assert code == 0, output
    rows = list(csv.DictReader(io.StringIO(output)))
    counts = {r["category"]: int(r["children"]) for r in rows}
    assert counts["*"] == 3
    assert counts["left_behind"] == 1
    before = _json(programme, "caseload", "--area", VILLAGE, "--as-of", "2025-03-01",
                   "--known-at", "2025-01-01T00:00:00Z")  # fmt: skip
    known = "2025-01-01T00:00:00.000000+00:00"
    assert before == [{"area": VILLAGE, "as_of": "2025-03-01", "known_at": known,
                       "category": "*", "children": 0}]  # fmt: skip


def test_caseload_without_an_area_uses_the_only_top_area_or_asks(tmp_path: Path) -> None:
    db = str(tmp_path / "two.db")
    with caselog.open(db) as log:
        build(log)  # two provinces
    code, output = _run(db, "caseload")
    assert code == 1
    assert "choose one with --area (top areas: 51, 52)" in output


def test_caseload_by_sex_and_age_band(programme: str) -> None:
    rows = _json(programme, "caseload", "--area", COUNTY, "--as-of", "2025-03-01", "--by", "sex",
                 "--by", "age_band")  # fmt: skip
    assert isinstance(rows, list)
    assert {(r["sex"], r["age_band"], r["children"]) for r in rows} == {
        ("male", "6-11", 3), ("*", "*", 3)}  # fmt: skip


def test_audit_lists_every_event_with_what_it_changed(programme: str) -> None:
    rows = _json(programme, "audit", "c-1")
    assert isinstance(rows, list)
    fields = {(r["type"], r["field"]) for r in rows}
    assert ("child_registered", "name") in fields
    assert ("parent_status_recorded", "father") in fields
    assert all(r["actor"] for r in rows)
    masked = _json(programme, "audit", "c-1", "--mask", "identifying")
    assert isinstance(masked, list)
    names = [r for r in masked if r["field"] == "name"]
    assert names
    assert all(r["after"] == "***" for r in names)


def test_visits_lists_children_never_visited(programme: str) -> None:
    rows = _json(programme, "visits", "--area", VILLAGE, "--as-of", "2025-03-20")
    assert isinstance(rows, list)
    never = {r["child_id"] for r in rows if r["list"] == "never_visited"}
    assert never == {"c-1", "c-2", "c-3"}
    overdue = _json(programme, "visits", "--area", VILLAGE, "--as-of", "2025-03-20", "--overdue")
    assert isinstance(overdue, list)
    assert all(r["list"] == "overdue" for r in overdue)


def test_applications_and_payments(programme: str, tmp_path: Path) -> None:
    waiting = _json(programme, "applications", "--area", TOWNSHIP, "--as-of", "2025-03-20")
    assert waiting == []  # a-2 is only drafted
    lines = _json(programme, "payments", "--area", COUNTY, "--through", "2025-03")
    assert isinstance(lines, list)
    march = [r for r in lines if r["month"] == "2025-03"]
    assert [(r["child_id"], r["confirmed"]) for r in march] == [("c-1", 1332)]
    code, output = _run(programme, "payments", "--area", COUNTY, "--through", "2025-03")
    assert code == 0
    assert "payment totals" in output


def test_explain_shows_the_evidence(programme: str) -> None:
    code, output = _run(programme, "explain", "a-1")
    assert code == 0, output
    assert output.startswith("application a-1: orphan_allowance for c-1, approved")
    record = _json(programme, "explain", "a-1")
    assert isinstance(record, dict)
    assert record["is_undermined"] is False


def test_rebuild_then_read_the_same(programme: str) -> None:
    before = _json(programme, "caseload", "--area", PROVINCE, "--as-of", "2025-03-01")
    code, output = _run(programme, "rebuild")
    assert code == 0, output
    assert "caseload: rebuilt to position" in output
    assert _json(programme, "caseload", "--area", PROVINCE, "--as-of", "2025-03-01") == before
    code, output = _run(programme, "rebuild", "nope")
    assert code == 1
    assert "name: 'nope' is not one of" in output


def test_log_prints_json_lines(programme: str) -> None:
    code, output = _run(programme, "log", "--limit", "3")
    assert code == 0
    lines = [json.loads(line) for line in output.splitlines()]
    assert [line["position"] for line in lines] == [1, 2, 3]


def test_checkpoint_then_verify_against_it(programme: str, tmp_path: Path) -> None:
    saved = tmp_path / "head.json"
    assert _run(programme, "checkpoint", "-o", str(saved))[0] == 0
    code, output = _run(programme, "verify", "--checkpoint", str(saved))
    assert code == 0, output
    assert "ok" in output


def test_verify_names_a_tampered_event(programme: str, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(Path(programme).read_bytes())
    with closing(sqlite3.connect(copy)) as db, db:
        db.execute(f"UPDATE {EVENTS} SET data = replace(data, 'Group 1', 'Group 2')")
    code, output = _run(str(copy), "verify")
    assert code == 1
    assert "altered" in output


def test_errors_are_one_line_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A caselog error ends the command with exit status 1 and a one-line message."""
    bad = tmp_path / "notes.db"
    bad.write_text("not a database")
    monkeypatch.setattr("sys.argv", ["caselog", "--db", str(bad), "verify"])
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert err.splitlines() == ["caselog: not a SQLite database: file is not a database"]


def test_a_bad_option_value_exits_2_naming_it(programme: str) -> None:
    code, output = _run(programme, "caseload", "--as-of", "2025-02-30")
    assert code == 2
    assert "'2025-02-30' is not a date" in output


def test_debug_shows_the_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``--debug`` the error propagates with its traceback."""
    bad = tmp_path / "notes.db"
    bad.write_text("not a database")
    monkeypatch.setattr("sys.argv", ["caselog", "--debug", "--db", str(bad), "verify"])
    with pytest.raises(Exception, match="not a SQLite database"):
        main()


def test_db_defaults_to_the_environment(programme: str) -> None:
    """``CASELOG_DB`` chooses the store when ``--db`` is not given."""
    result = CliRunner().invoke(cli, ["log", "--limit", "1"], env={"CASELOG_DB": programme})
    assert result.exit_code == 0
    assert json.loads(result.output)["position"] == 1


def test_every_command_has_help() -> None:
    for name, command in cli.commands.items():
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert command.help, name


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json", ".xlsx"])
def test_export_payments_in_every_format(programme: str, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"payments{suffix}"
    code, output = _run(programme, "export", "payments", "--area", COUNTY, "--through", "2025-03",
                        "-o", str(path))  # fmt: skip
    assert code == 0, output
    if suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(path.read_text())))
    elif suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text().splitlines()]
    elif suffix == ".json":
        rows = json.loads(path.read_text())
    else:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        assert [ws.title for ws in book.worksheets] == ["payments", "totals"]
        values = list(book.worksheets[0].values)
        rows = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    assert f"wrote {len(rows)} row of payments" in output
    confirmed = {(r["child_id"], r["month"]): int(r["confirmed"]) for r in rows}
    assert confirmed[("c-1", "2025-03")] == 1332


def test_export_child_files_and_a_masked_audit_trail(programme: str, tmp_path: Path) -> None:
    files = tmp_path / "files.csv"
    assert _run(programme, "export", "child-files", "--area", VILLAGE, "-o", str(files))[0] == 0
    rows = list(csv.DictReader(io.StringIO(files.read_text())))
    assert sorted(r["child_id"] for r in rows) == ["c-1", "c-2", "c-3"]
    trail = tmp_path / "trail.jsonl"
    code, output = _run(programme, "export", "audit", "--child", "c-1", "--mask", "sensitive",
                        "-o", str(trail))  # fmt: skip
    assert code == 0, output
    entries = [json.loads(line) for line in trail.read_text().splitlines()]
    assert "王小明" not in trail.read_text()
    assert {e["after"] for e in entries if e["field"] in ("name", "father")} == {"***"}
    code, output = _run(programme, "export", "audit", "-o", str(trail))
    assert code == 1
    assert "child: an audit trail export names the child (--child)" in output


def test_export_refuses_an_unknown_extension(programme: str, tmp_path: Path) -> None:
    code, output = _run(programme, "export", "caseload", "--area", VILLAGE, "-o",
                        str(tmp_path / "x.pdf"))  # fmt: skip
    assert code == 1
    assert "format: cannot tell the format of 'x.pdf'" in output


TEMPLATES = Path(__file__).parent.parent / "docs" / "templates"


def test_import_the_templates_twice_then_export_the_roster(tmp_path: Path) -> None:
    from forms_programme import TOWNSHIP
    from forms_programme import build as build_forms

    db = str(tmp_path / "census.db")
    with caselog.open(db, clock=ManualClock(datetime(2025, 3, 2, tzinfo=UTC))) as log:
        build_forms(log)
    files = [str(TEMPLATES / "registration.xlsx"), str(TEMPLATES / "left_behind.csv")]
    code, output = _run(db, "import", *files, "--actor", "li")
    assert code == 0, output
    assert "registration.xlsx" in output
    with caselog.open(db) as log:
        head = log.checkpoint().position
    code, output = _run(db, "import", *files, "--actor", "li")
    assert code == 0, output
    with caselog.open(db) as log:
        assert log.checkpoint().position == head  # nothing new
    roster = tmp_path / "roster.xlsx"
    code, output = _run(db, "export", "roster", "--area", TOWNSHIP, "-o", str(roster))
    assert code == 0, output
    assert output.startswith("wrote 3 rows of roster")
    code, output = _run(db, "import", str(roster), "--actor", "li")
    assert code == 0, output
    with caselog.open(db) as log:
        assert log.checkpoint().position == head


def test_import_reports_bad_rows_and_exits_1(tmp_path: Path) -> None:
    from forms_programme import build as build_forms

    db = str(tmp_path / "census.db")
    with caselog.open(db, clock=ManualClock(datetime(2025, 3, 2, tzinfo=UTC))) as log:
        build_forms(log)
    text = (TEMPLATES / "registration.csv").read_text(encoding="utf-8-sig")
    bad = tmp_path / "bad.csv"
    bad.write_text(text.replace("2013-05-02", "2013-02-30"), encoding="utf-8")
    code, output = _run(db, "import", str(bad), "--actor", "li")
    assert code == 1
    assert "bad.csv row 2, column birth_date: '2013-02-30' is not a date" in output


def test_demo_writes_a_programme_then_refuses_a_used_store(tmp_path: Path) -> None:
    """A small demo: its summary, the example village's caseload read back, and a second run
    refused without writing."""
    from caselog.synthetic import EXAMPLE_VILLAGE

    db = str(tmp_path / "demo.db")
    code, output = _run(db, "demo", "--villages", "2", "--children-per-village", "5")
    assert code == 0, output
    assert output.startswith(f"caselog demo into {db}")
    rows = _json(db, "caseload", "--area", EXAMPLE_VILLAGE, "--as-of", "2025-12-31")
    assert isinstance(rows, list)
    assert {r["category"]: r["children"] for r in rows} == {
        "*": 235, "general": 190, "left_behind": 38, "in_difficulty": 7, "disabled": 1}  # fmt: skip
    with caselog.open(db) as log:
        head = log.checkpoint().position
    code, output = _run(db, "demo")
    assert code == 1
    assert "needs an empty store" in output
    with caselog.open(db) as log:
        assert log.checkpoint().position == head


def test_masking_hides_every_sensitive_value_in_files_audits_and_exports(tmp_path: Path) -> None:
    """A death's cause, a concern's description and an ended allowance's note are sensitive:
    with ``--mask sensitive`` none of them is shown, in any read or export; without it they are."""
    from caselog.domain import ConcernKind, ConcernReported, TerminationReason

    db = str(tmp_path / "sensitive.db")
    clock = ManualClock(datetime(2025, 1, 2, 8, tzinfo=UTC))
    with caselog.open(db, clock=clock) as log:
        build(log)
        orphan(log, "c-1")
        clock.advance(86400 * 30)
        approved(log, "a-1", "c-1", "orphan_allowance", date(2025, 2, 1))
        log.report_concern(ConcernReported("k-1", "c-1", ConcernKind.NEGLECT, "SECRET-CONCERN"),
                           actor="li", effective=date(2025, 2, 1))  # fmt: skip
        clock.advance((NOW - clock()).total_seconds())
        log.terminate_entitlement("a-1", TerminationReason.ADOPTED, last_month="2025-03",
                                  note="SECRET-NOTE", actor="chen",
                                  effective=date(2025, 3, 15))  # fmt: skip
        log.record_death("c-1", cause="SECRET-CAUSE", actor="li", effective=date(2025, 3, 16))
    reads = [("file", "c-1", "--format", "json"), ("file", "c-1", "--format", "csv"),
             ("audit", "c-1", "--format", "csv"), ("audit", "c-1", "--format", "json")]  # fmt: skip
    for read in reads:
        code, shown = _run(db, *read)
        assert code == 0, shown
        assert "SECRET-" in shown, read
        code, masked = _run(db, *read, "--mask", "sensitive")
        assert code == 0, masked
        assert "SECRET-" not in masked, read
    for suffix in (".csv", ".jsonl", ".xlsx"):
        path = tmp_path / f"trail{suffix}"
        code, output = _run(db, "export", "audit", "--child", "c-1", "--mask", "sensitive",
                            "-o", str(path))  # fmt: skip
        assert code == 0, output
        if suffix == ".xlsx":
            from openpyxl import load_workbook

            cells = [c for row in load_workbook(path).active.values for c in row]  # type: ignore[union-attr]
            assert not any("SECRET-" in str(c) for c in cells)
        else:
            assert "SECRET-" not in path.read_text()


def test_a_control_character_in_a_name_still_exports_to_xlsx(tmp_path: Path) -> None:
    """XLSX cannot hold most control characters: they are written as U+FFFD, not a crash."""
    from openpyxl import load_workbook

    db = str(tmp_path / "control.db")
    with caselog.open(db, clock=ManualClock(datetime(2025, 1, 2, 8, tzinfo=UTC))) as log:
        build(log)
        log.register_child("c-9", household_id="h-1", name="Li\x0bMing", sex=Sex.MALE,
                           birth_date=date(2015, 3, 1), actor="li",
                           effective=date(2025, 1, 2))  # fmt: skip
    path = tmp_path / "trail.xlsx"
    code, output = _run(db, "export", "audit", "--child", "c-9", "-o", str(path))
    assert code == 0, output
    cells = [c for row in load_workbook(path).active.values for c in row]  # type: ignore[union-attr]
    assert "Li\ufffdMing" in cells


def test_an_unexpected_error_is_one_line_too(
    programme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error caselog does not expect still ends the command with one line and status 1."""

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("no\\nsuch thing")

    monkeypatch.setattr("caselog.exports.render", broken)
    code, output = _run(programme, "caseload", "--area", VILLAGE, "--as-of", "2025-03-01")
    assert code == 1
    assert output.splitlines() == ["caselog: unexpected KeyError: 'no\\\\nsuch thing'"]


@pytest.mark.parametrize("given", ["typo.db", "sqlite:///typo.db"])
def test_reading_a_store_that_does_not_exist_is_refused(tmp_path: Path, given: str) -> None:
    """A mistyped --db is not read as a new, empty store (verify would call it sound)."""
    url = given.replace("typo.db", str(tmp_path / "typo.db"))
    code, output = _run(url, "verify")
    assert code == 1
    assert output.startswith("caselog: db: no store at ")
    assert not (tmp_path / "typo.db").exists()
