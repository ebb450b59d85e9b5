"""The memory store passes the conformance suite."""

from caselog import EventStore, MemoryStore
from caselog.tables import ProjectionStore
from caselog.testing import ProjectionConformance, StoreConformance, StoreMachine
from caselog.times import Clock


class TestMemoryStore(StoreConformance):
    def make_store(self, *, clock: Clock) -> EventStore:
        return MemoryStore(clock=clock)


class MemoryStoreMachine(StoreMachine):
    def make_store(self, *, clock: Clock) -> EventStore:
        return MemoryStore(clock=clock)


TestMemoryStoreMachine = MemoryStoreMachine.TestCase


class TestMemoryStoreProjections(ProjectionConformance):
    def make_store(self) -> ProjectionStore:
        return MemoryStore()
