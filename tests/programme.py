"""A small programme for tests: one province, county and township, villages, and their workers."""

from collections.abc import Sequence
from datetime import date

from caselog import Caselog
from caselog.domain import AreaLevel, Role


def build_directory(
    log: Caselog,
    *,
    province: str,
    county: str,
    township: str,
    villages: Sequence[str],
    workers: Sequence[tuple[str, Role, str]],
    effective: date,
) -> None:
    """Register the area tree and an ``admin`` at the province (who bootstraps), then ``workers``
    as (worker id, role, area)."""
    log.register_area(province, province, AreaLevel.PROVINCE, actor=None, effective=effective)
    log.register_worker("admin", "Admin", Role.ADMIN, province, actor=None, effective=effective)
    tree = [(county, AreaLevel.COUNTY, province), (township, AreaLevel.TOWNSHIP, county)]
    tree += [(village, AreaLevel.VILLAGE, township) for village in villages]
    for code, level, parent in tree:
        log.register_area(code, code, level, parent=parent, actor="admin", effective=effective)
    for worker, role, area in workers:
        log.register_worker(worker, worker.title(), role, area, actor="admin", effective=effective)
