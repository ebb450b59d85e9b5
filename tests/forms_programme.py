"""The tutorial's areas for the import tests: province 51, county 5101, township 510101, villages
510101001 and 510101002, a village worker in each and the township's supervisor."""

from datetime import date

from caselog import Caselog
from caselog.domain import Role
from programme import build_directory

VILLAGE, OTHER_VILLAGE, TOWNSHIP = "510101001", "510101002", "510101"
CENSUS = date(2025, 3, 1)


def build(log: Caselog) -> None:
    """Register the areas and the workers ``li`` (VILLAGE), ``wang`` (OTHER_VILLAGE) and
    ``zhao`` (the township's supervisor)."""
    workers = [("li", Role.VILLAGE_WORKER, VILLAGE), ("wang", Role.VILLAGE_WORKER, OTHER_VILLAGE),
               ("zhao", Role.TOWNSHIP_SUPERVISOR, TOWNSHIP)]  # fmt: skip
    build_directory(log, province="51", county="5101", township=TOWNSHIP,
                    villages=[VILLAGE, OTHER_VILLAGE], workers=workers,
                    effective=date(2025, 1, 2))  # fmt: skip
