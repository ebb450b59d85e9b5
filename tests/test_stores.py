"""Opening stores by URL, path, or entry point."""

from collections.abc import Callable
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

import caselog
from caselog import MemoryStore, SQLiteStore, UnknownStoreError, ValidationError, open_store
from caselog import stores as stores_module


def test_memory_url_opens_a_memory_store() -> None:
    """``memory:`` opens a fresh memory store."""
    assert isinstance(open_store("memory:"), MemoryStore)


@pytest.mark.parametrize(
    "make_url",
    [
        lambda folder: "sqlite:///case.db",
        lambda folder: "sqlite:case.db",
        lambda folder: str(folder / "case.db"),
        lambda folder: f"sqlite:///{folder / 'case.db'}",
    ],
    ids=["relative URL", "short URL", "bare path", "absolute URL"],
)
def test_sqlite_urls_and_paths_open_sqlite_stores(
    make_url: Callable[[Path], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite URLs (relative and absolute) and bare paths open the file they name."""
    monkeypatch.chdir(tmp_path)
    store = open_store(make_url(tmp_path))
    assert isinstance(store, SQLiteStore)
    store.close()
    assert (tmp_path / "case.db").exists()


def test_sqlite_options_come_from_the_query(tmp_path: Path) -> None:
    """Query parameters set SQLite options."""
    store = open_store(f"sqlite:///{tmp_path / 'case.db'}?durability=normal&timeout=5")
    assert isinstance(store, SQLiteStore)
    assert store.durability == "normal"
    store.close()


@pytest.mark.parametrize(
    "query", ["colour=red", "timeout=soon", "durability=fast", "durability", "timeout=5&"]
)
def test_bad_sqlite_options_are_refused(query: str, tmp_path: Path) -> None:
    """Unknown options and bad values raise validation errors."""
    with pytest.raises(ValidationError):
        open_store(f"sqlite:///{tmp_path / 'case.db'}?{query}")


def test_unknown_scheme_names_the_known_ones() -> None:
    """A scheme nobody registered raises UnknownStoreError listing the schemes there are."""
    with pytest.raises(UnknownStoreError) as caught:
        open_store("mongodb://localhost/case")
    assert caught.value.scheme == "mongodb"
    known = str(caught.value).split("known schemes: ")[1].split(" (")[0].split(", ")
    assert {"memory", "sqlite"} <= set(known)
    assert known == sorted(known)


def test_other_schemes_come_from_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scheme registered in ``caselog.stores`` is opened by its factory with the clock."""
    calls: list[tuple[str, Any]] = []

    def fake_entry_points(*, group: str) -> list[EntryPoint]:
        assert group == "caselog.stores"
        return [EntryPoint("fake", "caselog.memory:MemoryStore", group)]

    def factory(url: str, *, clock: Any) -> MemoryStore:
        calls.append((url, clock))
        return MemoryStore(clock=clock)

    monkeypatch.setattr(stores_module, "entry_points", fake_entry_points)
    monkeypatch.setattr(EntryPoint, "load", lambda self: factory)
    log = caselog.open("fake://somewhere")
    assert isinstance(log.store, MemoryStore)
    assert calls == [("fake://somewhere", caselog.system_clock)]


def test_memory_url_takes_no_options() -> None:
    """The memory store refuses a path or options rather than ignoring them."""
    with pytest.raises(ValidationError):
        open_store("memory:/tmp/x")


def test_empty_url_is_refused() -> None:
    """An empty URL is a validation error."""
    with pytest.raises(ValidationError):
        open_store("")
