"""The programme's area tree and its workers: provinces > counties > townships > villages."""

from __future__ import annotations

import attrs

from caselog.domain import AreaLevel, Role

__all__ = ["EXAMPLE_VILLAGE", "Area", "Layout", "Worker", "layout"]

EXAMPLE_VILLAGE = "510101101001"
"""The first village of every run: the one of the programme's report, 235 children of whom 38
left-behind, 7 in difficulty and 1 disabled."""

VILLAGES_PER_TOWNSHIP = 4
TOWNSHIPS_PER_COUNTY = 3
COUNTIES_PER_PROVINCE = 10
_PROVINCES = ["51", "52", "53", "45", "50", "62", "43", "42", "36", "41", "61", "34", "13", "14"]
_PROVINCE_NAMES = ["Sichuan", "Guizhou", "Yunnan", "Guangxi", "Chongqing", "Gansu", "Hunan",
                   "Hubei", "Jiangxi", "Henan", "Shaanxi", "Anhui", "Hebei", "Shanxi"]  # fmt: skip
_PLACES = ["Qingshui", "Shiban", "Huangjue", "Baiyang", "Longtan", "Xinhe", "Taoyuan",
           "Shuanghe", "Gaoping", "Hongyan", "Liushu", "Zhuyuan", "Jinping", "Dashi", "Songlin",
           "Heping"]  # fmt: skip
_SURNAMES = {
    Role.VILLAGE_WORKER: ["li", "wang", "liu", "yang", "huang", "xu", "ma", "luo"],
    Role.TOWNSHIP_SUPERVISOR: ["zhao", "qian", "sun", "zhou"],
    Role.COUNTY_OFFICER: ["chen", "wu", "zheng", "he"],
}
_ROLE_AT = {
    AreaLevel.VILLAGE: Role.VILLAGE_WORKER,
    AreaLevel.TOWNSHIP: Role.TOWNSHIP_SUPERVISOR,
    AreaLevel.COUNTY: Role.COUNTY_OFFICER,
}


@attrs.frozen
class Area:
    """An area to register, with its parent (None for a province) and its province."""

    code: str
    name: str
    level: AreaLevel
    parent: str | None
    province: str


@attrs.frozen
class Worker:
    """A worker to register: id, display name, role and area."""

    worker_id: str
    name: str
    role: Role
    area: str


@attrs.frozen
class Layout:
    """The areas, top-down (a parent before its children), and who works in each."""

    areas: tuple[Area, ...]
    workers: tuple[Worker, ...]

    def villages(self) -> list[Area]:
        """The villages, the example village first."""
        return [area for area in self.areas if area.level is AreaLevel.VILLAGE]

    def worker_of(self, area: str) -> str:
        """The id of the worker who acts for ``area`` (village, township or county)."""
        return _worker_id(area, _ROLE_AT[_level_of(area)])


def _level_of(code: str) -> AreaLevel:
    if code.endswith("0000000000"):
        return AreaLevel.PROVINCE
    if code.endswith("000000"):
        return AreaLevel.COUNTY
    return AreaLevel.TOWNSHIP if code.endswith("000") else AreaLevel.VILLAGE


def _worker_id(area: str, role: Role) -> str:
    surnames = _SURNAMES[role]
    return f"{surnames[int(area) % len(surnames)]}-{area}"


def _province(index: int) -> str:
    return _PROVINCES[index] if index < len(_PROVINCES) else f"{70 + index:02d}"


def _place(index: int) -> str:
    return f"{_PLACES[index % len(_PLACES)]}{'' if index < len(_PLACES) else index}"


def layout(villages: int) -> Layout:
    """Lay out ``villages`` villages, four to a township, three townships to a county and ten
    counties to a province; codes follow the 12-digit administrative pattern."""
    areas: list[Area] = []
    seen: set[str] = set()
    for index in range(villages):
        township = index // VILLAGES_PER_TOWNSHIP
        county = township // TOWNSHIPS_PER_COUNTY
        number = county // COUNTIES_PER_PROVINCE
        province = _province(number) + "0" * 10
        county_code = f"{province[:2]}01{county % COUNTIES_PER_PROVINCE + 1:02d}000000"
        township_code = f"{county_code[:6]}{township % TOWNSHIPS_PER_COUNTY + 101:03d}000"
        village_code = f"{township_code[:9]}{index % VILLAGES_PER_TOWNSHIP + 1:03d}"
        name = _PROVINCE_NAMES[number] if number < len(_PROVINCE_NAMES) else f"Province {number}"
        tree = [
            (province, name, AreaLevel.PROVINCE, None),
            (county_code, f"{_place(county)} county", AreaLevel.COUNTY, province),
            (township_code, f"{_place(township + 5)} township", AreaLevel.TOWNSHIP, county_code),
            (village_code, f"{_place(index + 3)} village", AreaLevel.VILLAGE, township_code),
        ]
        for code, title, level, parent in tree:
            if code not in seen:
                seen.add(code)
                areas.append(Area(code, title, level, parent, province))
    return Layout(tuple(areas), tuple(_workers(areas)))


def _workers(areas: list[Area]) -> list[Worker]:
    workers: list[Worker] = []
    for area in areas:
        if area.level is AreaLevel.PROVINCE:
            workers.append(
                Worker(f"admin-{area.code[:2]}", "Programme admin", Role.ADMIN, area.code)
            )
            workers.append(Worker(f"audit-{area.code[:2]}", "Auditor", Role.AUDITOR, area.code))
            continue
        role = _ROLE_AT[area.level]
        worker_id = _worker_id(area.code, role)
        workers.append(Worker(worker_id, worker_id.split("-")[0].title(), role, area.code))
    return workers
