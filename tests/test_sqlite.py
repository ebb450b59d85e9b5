"""The SQLite store passes the conformance suite and keeps its files safe."""

from caselog import EventStore, SQLiteStore
from caselog.testing import StoreConformance, StoreMachine
from caselog.times import Clock


class TestSQLiteStore(StoreConformance):
    def make_store(self, *, clock: Clock) -> EventStore:
        return SQLiteStore(self.tmp_path / "caselog.db", clock=clock)


class SQLiteStoreMachine(StoreMachine):
    def make_store(self, *, clock: Clock) -> EventStore:
        return SQLiteStore(self.tmp_path / "caselog.db", clock=clock, durability="normal")


TestSQLiteStoreMachine = SQLiteStoreMachine.TestCase
