"""A row of the registration form as commands: the household (and its means), the child, and
the child's schooling, health and disability.

Everything a command would refuse is checked before the first is issued, so a refused row writes
nothing. What the log holds already is not recorded again: a household or child registered with
the same details is passed over, and a fact equal to the file's current one is not repeated.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from caselog.domain.casefiles import household_stream, id_number_stream
from caselog.domain.children import DisabilityRecorded, HealthRecorded, SchoolingRecorded
from caselog.domain.codes import AreaLevel, FileStatus
from caselog.domain.file import ADULT_AGE, ChildFile, age_on, day_of
from caselog.domain.households import HouseholdEconomicStatusRecorded, HouseholdRegistered
from caselog.errors import ValidationError
from caselog.forms.columns import NONE
from caselog.forms.plans import (
    Context,
    Effective,
    Plan,
    RowProblem,
    Step,
    columns_of,
    find_file,
)

if TYPE_CHECKING:
    from caselog.log import Caselog

__all__ = ["plan_registration"]

FIELDS: Mapping[str, str | None] = {
    "actor": None,
    "effective": "census_date",
    "has_minimum_living_guarantee": "minimum_living_guarantee",
    "is_extreme_poverty": "extreme_poverty",
    "stage": "school_stage",
    "is_boarding": "boarding",
    "condition": "health",
    "notes": "health_notes",
    "kind": "disability_type",
    "grade": "disability_grade",
    "certificate": "disability_certificate",
}
"""Command and payload fields whose column has another name."""

_NEEDS = {
    "income_source": ("minimum_living_guarantee", "extreme_poverty"),
    "school_stage": ("school", "boarding"),
    "health": ("health_notes",),
    "disability_type": ("disability_grade", "disability_certificate"),
}
_REGISTERED = ("name", "sex", "birth_date", "id_number", "hukou_place", "ethnicity", "how_found")
_RELEASED = frozenset({FileStatus.CLOSED, FileStatus.DECEASED})


def plan_registration(ctx: Context, values: Mapping[str, Any], row: int) -> Plan:
    """Check a parsed registration row and return its commands."""
    effective = ctx.effective_of(values)
    _check_needs(values)
    with columns_of(FIELDS):
        household = HouseholdRegistered(
            values["household_id"], values["village"], values["address"], (), values["phone"]
        )
        means = _means(values)
        facts = _facts(values)
        steps = _household_steps(ctx, household, means, effective, row)
        steps += _child_steps(ctx, values, household, facts, effective, row)
    return Plan(tuple(steps))


def _check_needs(values: Mapping[str, Any]) -> None:
    for needed, columns in _NEEDS.items():
        for column in columns:
            if values.get(column) and values.get(needed) is None:
                raise RowProblem(needed, f"must be filled when {column} is")


def _means(values: Mapping[str, Any]) -> HouseholdEconomicStatusRecorded | None:
    if values.get("income_source") is None:
        return None
    return HouseholdEconomicStatusRecorded(
        values["household_id"],
        values["income_source"],
        has_minimum_living_guarantee=bool(values.get("minimum_living_guarantee")),
        is_extreme_poverty=bool(values.get("extreme_poverty")),
    )


def _facts(values: Mapping[str, Any]) -> list[Any]:
    child_id = values["child_id"]
    facts: list[Any] = []
    if values.get("school_stage") is not None:
        facts.append(SchoolingRecorded(child_id, values["school_stage"], values.get("school"),
                                       bool(values.get("boarding"))))  # fmt: skip
    if values.get("health") is not None:
        facts.append(HealthRecorded(child_id, values["health"], values.get("health_notes")))
    kind = values.get("disability_type")
    if kind is not None:
        facts.append(DisabilityRecorded(child_id, None if kind == NONE else kind,
                                        values.get("disability_grade"),
                                        values.get("disability_certificate")))  # fmt: skip
    return facts


def _household_steps(
    ctx: Context,
    household: HouseholdRegistered,
    means: HouseholdEconomicStatusRecorded | None,
    effective: Effective,
    row: int,
) -> list[Step]:
    log, hid = ctx.log, household.household_id
    events = log.read_stream(household_stream(hid))
    steps: list[Step] = []
    if events:
        for field in ("village", "address", "phone"):
            if getattr(events[0].data, field) != getattr(household, field):
                reason = f"household {hid!r} is registered already, with another {field}"
                raise RowProblem(field, reason)
    else:
        _check_village(log, household.village, ctx.actor)
        register = functools.partial(
            log.register_household, hid, household.village, household.address,
            phone=household.phone, actor=ctx.actor, effective=effective,
        )  # fmt: skip
        steps.append(Step(lambda: [register()], FIELDS))
    if means is None:
        return steps
    earlier = ctx.household_means.setdefault(hid, (row, means))
    if earlier[1] != means:
        raise RowProblem("income_source", f"row {earlier[0]} gives household {hid!r} other means")
    current = [e.data for e in events if isinstance(e.data, HouseholdEconomicStatusRecorded)]
    if not current or current[-1] != means:
        record = functools.partial(log.record_household_economy, means, actor=ctx.actor,
                                   effective=effective)  # fmt: skip
        steps.append(Step(lambda: [record()], FIELDS))
    return steps


def _check_village(log: Caselog, village: str, actor: str) -> None:
    directory = log.directory()
    if directory.area(village, field="village").level is not AreaLevel.VILLAGE:
        raise ValidationError("village", f"{village!r} is not a village")
    directory.authorize(actor, "register_household", area=village)


def _child_steps(
    ctx: Context,
    values: Mapping[str, Any],
    household: HouseholdRegistered,
    facts: list[Any],
    effective: Effective,
    row: int,
) -> list[Step]:
    log, child_id = ctx.log, values["child_id"]
    if values.get("id_number") is not None:
        ctx.claim_id_number(values["id_number"], child_id, row)
    file = find_file(log, child_id)
    steps: list[Step] = []
    if file is None:
        _check_new_child(ctx, values, household.village, effective)
        steps.append(Step(functools.partial(_register, ctx, values, effective), FIELDS))
    else:
        _check_same_child(file, values)
    held = () if file is None else (file.schooling, file.health, file.disability)
    current = {type(fact): fact for fact in held if fact is not None}
    changed = [fact for fact in facts if current.get(type(fact)) != fact]
    if file is not None and changed:
        _check_open(log, child_id, effective)
    record = functools.partial(log.record_fact, actor=ctx.actor, effective=effective)
    steps += [Step(functools.partial(record, fact), FIELDS) for fact in changed]
    return steps


def _register(ctx: Context, values: Mapping[str, Any], effective: Effective) -> list[Any]:
    given = {name: values[name] for name in _REGISTERED if values.get(name) is not None}
    return ctx.log.register_child(values["child_id"], household_id=values["household_id"],
                                  actor=ctx.actor, effective=effective, **given)  # fmt: skip


def _check_new_child(
    ctx: Context, values: Mapping[str, Any], village: str, effective: Effective
) -> None:
    birth, day = values["birth_date"], day_of(effective)
    if birth > day:
        raise RowProblem("birth_date", f"{birth} is after the census date {day}")
    if age_on(birth, day) >= ADULT_AGE:
        raise RowProblem("birth_date", f"{birth} is 18 years or more before {day}")
    if values.get("id_number") is not None:
        _check_id_number(ctx.log, values["id_number"])
    ctx.log.directory().authorize(ctx.actor, "register_child", area=village)


def _check_id_number(log: Caselog, number: str) -> None:
    claims = log.read_stream(id_number_stream(number))
    if not claims:
        return
    holder = claims[-1].data.child_id
    file = find_file(log, holder)
    if file is not None and file.status not in _RELEASED:
        raise RowProblem("id_number", f"the ID number is registered already, to child {holder!r}")


def _check_same_child(file: ChildFile, values: Mapping[str, Any]) -> None:
    if file.household_id != values["household_id"]:
        reason = f"child {file.child_id!r} lives in household {file.household_id!r}"
        raise RowProblem("household_id", reason)
    for name in _REGISTERED:
        value = values.get(name)
        if name == "how_found" and value is None:
            continue  # blank: whatever the file says
        if getattr(file, name) != value:
            reason = f"child {file.child_id!r} is registered already, with another {name}"
            raise RowProblem(name, reason)


def _check_open(log: Caselog, child_id: str, effective: Effective) -> None:
    then = find_file(log, child_id, as_of=effective)
    if then is None:
        raise RowProblem("census_date", f"{effective} is before the child's file was opened")
    if not then.is_open:
        raise RowProblem("child_id", f"the child's file was {then.status} on {effective}")
