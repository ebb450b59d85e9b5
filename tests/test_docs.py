"""The documentation runs and covers the public API."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

import caselog
import caselog.testing
from caselog.cli import cli

ROOT = Path(__file__).parent.parent
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def _python_blocks(path: Path) -> list[str]:
    return _BLOCK.findall(path.read_text())


@pytest.mark.parametrize("path", [p for p in DOCS if _python_blocks(p)], ids=lambda p: p.name)
def test_code_blocks_run(path: Path, tmp_path: Path) -> None:
    """Every ``python`` code block of a document runs, in order, in a fresh interpreter."""
    code = "\n".join(_python_blocks(path))
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_every_public_name_is_in_the_api_reference() -> None:
    """Every name exported by ``caselog`` and ``caselog.testing`` is documented in docs/api.md."""
    api = (ROOT / "docs" / "api.md").read_text()
    names = [*caselog.__all__, *caselog.testing.__all__]
    assert [name for name in names if f"`{name}`" not in api] == []


def test_every_command_is_in_the_cli_reference() -> None:
    """Every ``caselog`` command is documented in docs/cli.md."""
    text = (ROOT / "docs" / "cli.md").read_text()
    assert [name for name in cli.list_commands(None) if f"`caselog {name}" not in text] == []  # type: ignore[arg-type]


def test_the_projection_tables_are_documented() -> None:
    """docs/projections.md ends with the generated reference of every table and column."""
    from caselog.projections.catalogue import describe_tables

    text = (ROOT / "docs" / "projections.md").read_text()
    assert text.endswith(describe_tables()), "run python -m caselog.projections.catalogue"
