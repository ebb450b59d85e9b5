"""A deterministic synthetic programme, written through the public API on a simulated clock.

:func:`generate` lays out provinces, counties, townships and villages with their workers, takes a
census of households and children, and writes several years of the programme's work: visits,
concerns, corrections, moves, closures and deaths, applications through every outcome,
entitlements and their payments. ``caselog demo`` runs it.
"""

from caselog.synthetic.areas import EXAMPLE_VILLAGE
from caselog.synthetic.clock import SimulatedClock
from caselog.synthetic.run import DEFAULT_VILLAGES, generate
from caselog.synthetic.summary import DemoSummary

__all__ = ["DEFAULT_VILLAGES", "EXAMPLE_VILLAGE", "DemoSummary", "SimulatedClock", "generate"]
