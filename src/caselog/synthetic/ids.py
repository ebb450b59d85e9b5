"""Event ids drawn from the seed, so that the same seed writes the same log."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable

__all__ = ["seeded_ids"]


def seeded_ids(seed: int) -> Callable[[], str]:
    """A source of version-4 event ids drawn from a generator seeded by ``seed``, for
    ``caselog.open(..., ids=...)``."""
    source = random.Random(f"caselog-demo-ids:{seed}")

    def drawn() -> str:
        return str(uuid.UUID(int=source.getrandbits(128), version=4))

    return drawn
