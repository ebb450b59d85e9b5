"""The template files of both forms: the headers and a few example rows.

The examples belong to the areas of the tutorial (village ``510101001`` in township ``510101``,
county ``5101``, province ``51``) and import cleanly there. ``docs/templates`` holds the files
:func:`write_templates` writes; call ``write_templates("docs/templates")`` after changing the
forms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from caselog.forms.columns import LEFT_BEHIND, REGISTRATION, Form
from caselog.forms.writing import write_csv, write_xlsx

__all__ = ["EXAMPLES", "template_names", "write_templates"]

_CENSUS = date(2025, 3, 1)
_VILLAGE = "510101001"
_HOUSEHOLDS: dict[str, dict[str, object]] = {
    "h-001": {"address": "Group 3", "phone": "13800000001", "income_source": "migrant_work",
              "minimum_living_guarantee": False, "extreme_poverty": False},
    "h-002": {"address": "Group 5", "income_source": "farming",
              "minimum_living_guarantee": True, "extreme_poverty": False},
}  # fmt: skip
_CHILDREN: list[dict[str, object]] = [
    {"household_id": "h-001", "child_id": "c-001", "name": "王小明", "sex": "male",
     "birth_date": date(2013, 5, 2), "ethnicity": "汉", "id_number": "510101201305020011",
     "hukou_place": "510101001", "how_found": "census", "school_stage": "primary",
     "school": "清水小学", "boarding": False, "health": "healthy", "disability_type": "none"},
    {"household_id": "h-001", "child_id": "c-002", "name": "王小红", "sex": "female",
     "birth_date": date(2016, 9, 14), "ethnicity": "汉", "id_number": "510101201609140022",
     "hukou_place": "510101001", "how_found": "census", "school_stage": "primary",
     "school": "清水小学", "boarding": False, "health": "healthy"},
    {"household_id": "h-002", "child_id": "c-003", "name": "李小军", "sex": "male",
     "birth_date": date(2021, 1, 30), "ethnicity": "彝", "how_found": "census",
     "school_stage": "not_of_school_age", "health": "chronic_illness",
     "health_notes": "asthma", "disability_type": "physical", "disability_grade": 3},
]  # fmt: skip


def _prefixed(parent: str, fields: Mapping[str, object]) -> dict[str, object]:
    return {f"{parent}_{name}": value for name, value in fields.items()}


_AWAY = {"situation": "migrant_worker", "since": date(2022, 2, 1), "cross_county": True}
_PARENTS_AWAY = {
    **_prefixed("father", {**_AWAY, "name": "王建国", "place": "广东东莞"}),
    **_prefixed("mother", {**_AWAY, "name": "张丽", "place": "浙江宁波"}),
}
_GRANDMOTHER = {
    "carer_relation": "grandparent",
    "carer_name": "李秀英",
    "carer_capable": True,
    "entrusted_care_agreement": True,
    "written_notice": True,
    "living_alone": False,
}
_LEFT_BEHIND: list[dict[str, object]] = [
    {"census_date": _CENSUS, "child_id": "c-001", **_PARENTS_AWAY, **_GRANDMOTHER},
    {"census_date": _CENSUS, "child_id": "c-002", **_PARENTS_AWAY, **_GRANDMOTHER},
    {
        "census_date": _CENSUS,
        "child_id": "c-003",
        "father_situation": "at_home",
        "father_name": "李强",
        "mother_situation": "at_home",
        "mother_name": "阿依",
        "carer_relation": "parent",
        "carer_capable": True,
    },
]

EXAMPLES: Mapping[str, Sequence[Mapping[str, object]]] = {
    REGISTRATION.name: [
        {"census_date": _CENSUS, "village": _VILLAGE, **_HOUSEHOLDS[str(child["household_id"])],
         **child}
        for child in _CHILDREN
    ],
    LEFT_BEHIND.name: _LEFT_BEHIND,
}  # fmt: skip
"""The example rows of each form's template, by form name."""


def template_names(form: Form) -> tuple[str, str]:
    """The file names of a form's templates: CSV and XLSX."""
    return f"{form.name}.csv", f"{form.name}.xlsx"


def write_templates(directory: str | Path) -> list[Path]:
    """Write both forms' templates (CSV and XLSX) into ``directory``; return their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for form in (REGISTRATION, LEFT_BEHIND):
        csv_name, xlsx_name = template_names(form)
        rows = EXAMPLES[form.name]
        write_csv(directory / csv_name, form.names, rows)
        write_xlsx(directory / xlsx_name, form.names, rows, title=form.name)
        written += [directory / csv_name, directory / xlsx_name]
    return written
