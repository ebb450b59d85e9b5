"""Areas and workers: the tree of places and the people who act in them."""

from __future__ import annotations

import attrs

from caselog.domain.checks import non_empty, optional_non_empty
from caselog.domain.codes import AreaLevel, Role
from caselog.events.registry import event_type
from caselog.privacy import IDENTIFYING

__all__ = ["AreaRegistered", "WorkerAssigned", "WorkerDeactivated", "WorkerRegistered"]


@event_type("area_registered")
@attrs.frozen
class AreaRegistered:
    """An area joined the tree: any string code (China's 12-digit codes, say) under a parent."""

    code: str = attrs.field(validator=non_empty)
    name: str = attrs.field(validator=non_empty)
    level: AreaLevel
    parent: str | None = attrs.field(default=None, validator=optional_non_empty)


@event_type("worker_registered")
@attrs.frozen
class WorkerRegistered:
    """A worker was registered with a role in an area."""

    worker_id: str = attrs.field(validator=non_empty)
    name: str = attrs.field(metadata=IDENTIFYING, validator=non_empty)
    role: Role
    area: str = attrs.field(validator=non_empty)


@event_type("worker_assigned")
@attrs.frozen
class WorkerAssigned:
    """A worker took another role or moved to another area."""

    worker_id: str = attrs.field(validator=non_empty)
    role: Role
    area: str = attrs.field(validator=non_empty)


@event_type("worker_deactivated")
@attrs.frozen
class WorkerDeactivated:
    """A worker stopped acting; their past events stand."""

    worker_id: str = attrs.field(validator=non_empty)
    reason: str = attrs.field(validator=non_empty)
