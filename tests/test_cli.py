"""The ``caselog`` command, run through click's test runner."""

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from caselog.cli import cli, main
from caselog.sqlite import EVENTS


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "caselog.db")


def _run(db: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", db, *args])
    return result.exit_code, result.output


def test_demo_writes_reads_back_and_verifies(db: str) -> None:
    """The demo writes its story, reports the streams, and verifies the chains."""
    code, output = _run(db, "demo")
    assert code == 0, output
    assert "wrote 7 new events; the log holds 7" in output
    assert "child:c-001" in output
    assert "verify: ok: 7 events verified" in output


def test_demo_run_twice_writes_nothing_new(db: str) -> None:
    """Running the demo again on the same store is an idempotent retry."""
    _run(db, "demo")
    code, output = _run(db, "demo")
    assert code == 0
    assert "wrote 0 new events; the log holds 7" in output


def test_log_prints_json_lines(db: str) -> None:
    """``log`` prints one JSON object per stored event, payload decoded."""
    _run(db, "demo")
    code, output = _run(db, "log", "--after", "1", "--limit", "2")
    assert code == 0
    lines = [json.loads(line) for line in output.splitlines()]
    assert [line["position"] for line in lines] == [2, 3]
    assert lines[0]["data"]["name"] == "王小明"


def test_checkpoint_then_verify_against_it(db: str, tmp_path: Path) -> None:
    """A checkpoint written to a file verifies until the log is rewritten."""
    _run(db, "demo")
    saved = tmp_path / "checkpoint.json"
    assert _run(db, "checkpoint", "-o", str(saved))[0] == 0
    code, output = _run(db, "verify", "--checkpoint", str(saved))
    assert code == 0
    assert output.startswith("ok: 7 events verified")
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(f"DELETE FROM {EVENTS} WHERE position = 7")
    code, output = _run(db, "verify", "--checkpoint", str(saved))
    assert code == 1
    assert "truncated at position 7" in output


def test_checkpoint_prints_json(db: str) -> None:
    """Without a file, the checkpoint goes to standard output as JSON."""
    _run(db, "demo")
    code, output = _run(db, "checkpoint")
    assert code == 0
    assert json.loads(output)["position"] == 7


def test_verify_names_a_tampered_event(db: str) -> None:
    """``verify`` exits 1 and names the first altered event."""
    _run(db, "demo")
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(f"UPDATE {EVENTS} SET data = '{{}}' WHERE position = 4")
    code, output = _run(db, "verify")
    assert code == 1
    assert "altered at position 4" in output


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


def test_debug_shows_the_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``--debug`` the error propagates with its traceback."""
    bad = tmp_path / "notes.db"
    bad.write_text("not a database")
    monkeypatch.setattr("sys.argv", ["caselog", "--debug", "--db", str(bad), "verify"])
    with pytest.raises(Exception, match="not a SQLite database"):
        main()


def test_db_defaults_to_the_environment(tmp_path: Path) -> None:
    """``CASELOG_DB`` chooses the store when ``--db`` is not given."""
    db = tmp_path / "from-env.db"
    result = CliRunner().invoke(cli, ["demo"], env={"CASELOG_DB": str(db)})
    assert result.exit_code == 0
    assert db.exists()
