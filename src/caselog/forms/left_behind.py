"""A row of the left-behind form as commands: each parent's situation and the care arrangement.

The child must be registered and the file open on the census date. A fact equal to the file's
current one is not recorded again.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from caselog.domain.children import CareArrangementRecorded, ParentStatusRecorded
from caselog.domain.codes import Parent
from caselog.forms.columns import NONE
from caselog.forms.plans import Context, Plan, RowProblem, Step, columns_of, find_file

__all__ = ["plan_left_behind"]

_PARENT_FIELDS = ("name", "place", "since", "until")
_CARE = {
    "is_carer_capable": "carer_capable",
    "has_entrusted_care_agreement": "entrusted_care_agreement",
    "has_written_notice": "written_notice",
    "is_living_alone": "living_alone",
}
_GENERAL: Mapping[str, str | None] = {"actor": None, "effective": "census_date"}


def _parent_fields(parent: Parent) -> dict[str, str | None]:
    p = parent.value
    fields: dict[str, str | None] = {name: f"{p}_{name}" for name in _PARENT_FIELDS}
    fields |= {"situation": f"{p}_situation", "is_cross_county": f"{p}_cross_county",
               "disability_kind": f"{p}_disability_type",
               "disability_grade": f"{p}_disability_grade"}  # fmt: skip
    return {**_GENERAL, **fields}


CARE_FIELDS: Mapping[str, str | None] = {**_GENERAL, "relation": "carer_relation", **_CARE}


def plan_left_behind(ctx: Context, values: Mapping[str, Any], row: int) -> Plan:
    """Check a parsed left-behind row and return its commands."""
    effective = ctx.effective_of(values)
    child_id = values["child_id"]
    facts: list[tuple[Any, Mapping[str, str | None]]] = [
        (_parent(values, parent), _parent_fields(parent)) for parent in Parent
    ]
    care = _care(values)
    if care is not None:
        facts.append((care, CARE_FIELDS))
    file = find_file(ctx.log, child_id)
    if file is None:
        raise RowProblem("child_id", f"no child {child_id!r} is registered")
    current = {Parent.FATHER: file.father, Parent.MOTHER: file.mother, None: file.care}
    changed = [(fact, fields) for fact, fields in facts
               if current[getattr(fact, "parent", None)] != fact]  # fmt: skip
    if changed:
        then = find_file(ctx.log, child_id, as_of=effective)
        if then is None:
            raise RowProblem("census_date", f"{effective} is before the child's file was opened")
        if not then.is_open:
            raise RowProblem("child_id", f"the child's file was {then.status} on {effective}")
        with columns_of(_GENERAL):
            ctx.log.directory().authorize(ctx.actor, "record_fact", area=file.village)
    record = functools.partial(ctx.log.record_fact, actor=ctx.actor, effective=effective)
    return Plan(tuple(Step(functools.partial(record, fact), fields) for fact, fields in changed))


def _parent(values: Mapping[str, Any], parent: Parent) -> ParentStatusRecorded:
    p = parent.value
    kind = values.get(f"{p}_disability_type")
    with columns_of(_parent_fields(parent)):
        return ParentStatusRecorded(
            values["child_id"],
            parent,
            values[f"{p}_situation"],
            name=values.get(f"{p}_name"),
            place=values.get(f"{p}_place"),
            since=values.get(f"{p}_since"),
            until=values.get(f"{p}_until"),
            disability_grade=values.get(f"{p}_disability_grade"),
            is_cross_county=values.get(f"{p}_cross_county"),
            disability_kind=None if kind == NONE else kind,
        )


def _care(values: Mapping[str, Any]) -> CareArrangementRecorded | None:
    relation = values.get("carer_relation")
    if relation is None:
        if values.get("carer_name") is not None:
            raise RowProblem("carer_relation", "must be filled when carer_name is")
        return None
    flags = {field: bool(values.get(column)) for field, column in _CARE.items()}
    with columns_of(CARE_FIELDS):
        return CareArrangementRecorded(
            values["child_id"], relation, values.get("carer_name"), **flags
        )
