"""The public face: what ``caselog`` exports, and what importing it pulls in."""

import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import caselog

SRC = Path(caselog.__file__).parent


def _isort_key(name: str) -> tuple[int, str]:
    """Constants first, then classes, then functions, as ruff sorts ``__all__``."""
    kind = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return kind, name


def test_all_is_sorted_and_names_real_objects() -> None:
    """``__all__`` is sorted and every name in it exists."""
    assert caselog.__all__ == sorted(caselog.__all__, key=_isort_key)
    assert [name for name in caselog.__all__ if not hasattr(caselog, name)] == []


def test_every_public_attribute_is_exported() -> None:
    """Every public, non-module attribute of ``caselog`` is listed in ``__all__``."""
    public = {
        name
        for name, value in vars(caselog).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(caselog.__all__)


def test_every_module_exports_what_it_defines() -> None:
    """Every module of the package declares ``__all__``, naming only what it has."""
    for module in pkgutil.walk_packages([str(SRC)], prefix="caselog."):
        imported = __import__(module.name, fromlist=["__all__"])
        names = getattr(imported, "__all__", None)
        assert names is not None, f"{module.name} has no __all__"
        assert [name for name in names if not hasattr(imported, name)] == [], module.name


def test_core_never_imports_an_adapter_or_test_tools() -> None:
    """Importing caselog loads no database driver beyond sqlite3, and no test framework."""
    code = (
        "import sys, caselog, caselog.cli;"
        "print(' '.join(m for m in ('psycopg', 'caselog_postgres', 'pytest', 'hypothesis')"
        " if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""


def test_core_source_names_no_adapter() -> None:
    """No module of the core refers to an adapter's package."""
    offenders = [
        path.name
        for path in SRC.rglob("*.py")
        if "psycopg" in path.read_text() or "caselog_postgres" in path.read_text()
    ]
    assert offenders == []
