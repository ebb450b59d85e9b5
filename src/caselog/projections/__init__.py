"""Projections: derived tables kept from the log, and the queries that read them.

Each projection is a catch-up subscriber of the global log (see :mod:`caselog.projections.engine`)
whose tables are plain SQL tables in the store, documented in ``docs/projections.md``.
"""

from caselog.projections.caseloads import AGE_BANDS, Caseload, CaseloadProjection, caseload
from caselog.projections.engine import Batch, Projection, catch_up, rebuild

__all__ = [
    "AGE_BANDS",
    "Batch",
    "Caseload",
    "CaseloadProjection",
    "Projection",
    "caseload",
    "catch_up",
    "rebuild",
]
