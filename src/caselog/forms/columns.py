"""The documented columns of the census forms workers keep as spreadsheets.

Two forms: ``registration`` (the household and child basic information, one row per child) and
``left_behind`` (the left-behind situation: each parent's situation and the care arrangement, one
row per child). Headers are snake_case English; a few common variations (other spellings, the
Chinese headers of the paper forms) are accepted as aliases.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping

import attrs

from caselog.domain.codes import (
    CarerRelation,
    DisabilityType,
    HealthCondition,
    HowFound,
    IncomeSource,
    ParentSituation,
    SchoolStage,
    Sex,
)

__all__ = [
    "FORMS",
    "LEFT_BEHIND",
    "REGISTRATION",
    "Column",
    "Form",
    "Kind",
    "column_table",
    "normal_header",
]


class Kind(enum.StrEnum):
    """What a cell holds."""

    TEXT = "text"
    DATE = "date"  # YYYY-MM-DD, or a date cell
    CODE = "code"  # one value of a code list
    YES_NO = "yes_no"
    GRADE = "grade"  # a disability grade, 1 (most severe) to 4


NONE = "none"
"""The value of a disability column that records "no disability"."""


@attrs.frozen
class Column:
    """One column of a form: its header, whether every row must fill it, what it holds."""

    name: str
    kind: Kind
    description: str
    is_required: bool = False
    codes: type[enum.StrEnum] | None = None
    aliases: tuple[str, ...] = ()
    default: bool | None = None  # a blank yes/no cell

    def values(self) -> str:
        """The values the column accepts, as the documentation states them."""
        if self.kind is Kind.CODE and self.codes is not None:
            listed = [member.value for member in self.codes]
            if self.codes is DisabilityType:
                listed.append(NONE)
            return ", ".join(listed)
        if self.kind is Kind.YES_NO:
            blank = {None: "unknown", True: "yes", False: "no"}[self.default]
            return f"yes, no (blank: {blank})"
        return {Kind.DATE: "YYYY-MM-DD", Kind.GRADE: "1-4"}.get(self.kind, "text")


@attrs.frozen
class Form:
    """A census form: its name, title and columns."""

    name: str
    title: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        """Return the column named ``name``."""
        return next(column for column in self.columns if column.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in the form's order."""
        return tuple(column.name for column in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """The names of the columns every file must have and every row must fill."""
        return tuple(column.name for column in self.columns if column.is_required)

    def lookup(self) -> Mapping[str, str]:
        """Normalized header or alias -> column name."""
        found = {normal_header(c.name): c.name for c in self.columns}
        found.update({normal_header(a): c.name for c in self.columns for a in c.aliases})
        return found


def normal_header(header: str) -> str:
    """A header as compared: trimmed, lower case, spaces and hyphens as underscores."""
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def _text(name: str, description: str, *aliases: str, required: bool = False) -> Column:
    return Column(name, Kind.TEXT, description, required, aliases=aliases)


def _code(
    name: str, codes: type[enum.StrEnum], description: str, *aliases: str, required: bool = False
) -> Column:
    return Column(name, Kind.CODE, description, required, codes, aliases)


def _yes_no(name: str, description: str, *aliases: str, default: bool | None = False) -> Column:
    return Column(name, Kind.YES_NO, description, aliases=aliases, default=default)


CENSUS_DATE = Column(
    "census_date",
    Kind.DATE,
    "the day the information was collected; the row's events take effect on it (without the "
    "column or a value, the date given to the import)",
    aliases=("date", "effective", "填表日期"),
)

REGISTRATION = Form(
    "registration",
    "Household and child registration (child and family basic information)",
    (
        CENSUS_DATE,
        _text("household_id", "the household's stable key", "household", "户编号",
              required=True),
        _text("village", "the village's area code", "village_code", "村代码", required=True),
        _text("address", "address or village group (identifying)", "group", "住址",
              required=True),
        _text("phone", "the household's contact phone (identifying)", "contact", "联系电话"),
        _code("income_source", IncomeSource, "the household's main source of income",
              "主要收入来源"),
        _yes_no("minimum_living_guarantee", "the household receives the minimum living "
                "guarantee (needs income_source)", "dibao", "低保"),
        _yes_no("extreme_poverty", "the household receives extreme-poverty support (needs "
                "income_source)", "特困"),
        _text("child_id", "the child's stable key (the row key: keep it when editing)", "child",
              "儿童编号", required=True),
        _text("name", "the child's name (identifying)", "child_name", "姓名", required=True),
        _code("sex", Sex, "the child's sex (also m, f, 男, 女)", "gender", "性别",
              required=True),
        Column("birth_date", Kind.DATE, "the child's birth date", True,
               aliases=("date_of_birth", "dob", "出生日期")),
        _text("ethnicity", "the child's ethnicity", "民族"),
        _text("id_number", "the child's resident ID number (identifying; unique)", "id_no",
              "id_card", "身份证号"),
        _text("hukou_place", "where the child's household registration is (identifying)",
              "hukou", "户籍地"),
        _code("how_found", HowFound, "how the child came to the worker's attention "
              "(blank: census)"),
        _code("school_stage", SchoolStage, "the child's schooling", "schooling", "就学情况"),
        _text("school", "the school's name (identifying; needs school_stage)"),
        _yes_no("boarding", "the child boards at school (needs school_stage)", "寄宿"),
        _code("health", HealthCondition, "the child's health (sensitive)", "健康状况"),
        _text("health_notes", "notes on the child's health (sensitive; needs health)"),
        _code("disability_type", DisabilityType, "the child's disability by the Disability "
              "Protection Law's types, or none (sensitive)", "disability", "残疾类别"),
        Column("disability_grade", Kind.GRADE, "the disability's grade, 1 most severe "
               "(sensitive; needs disability_type)", aliases=("残疾等级",)),
        _text("disability_certificate", "the disability certificate's number (identifying; "
              "needs disability_type)"),
    ),
)  # fmt: skip


def _parent_columns(parent: str) -> tuple[Column, ...]:
    p = parent
    return (
        _code(f"{p}_situation", ParentSituation, f"the {p}'s situation", required=True),
        _text(f"{p}_name", f"the {p}'s name (identifying)"),
        _text(f"{p}_place", f"where the {p} works, when away (sensitive)"),
        Column(f"{p}_since", Kind.DATE, f"since when the {p}'s situation holds (sensitive)"),
        Column(f"{p}_until", Kind.DATE, f"when a restriction of the {p}'s liberty ends "
               "(sensitive)"),
        _yes_no(f"{p}_cross_county", f"the {p} works outside the county", default=None),
        _code(f"{p}_disability_type", DisabilityType, f"the {p}'s disability, for a severe "
              "disability (sensitive)"),
        Column(f"{p}_disability_grade", Kind.GRADE, f"the grade of the {p}'s disability "
               "(sensitive)"),
    )  # fmt: skip


LEFT_BEHIND = Form(
    "left_behind",
    "Left-behind situation (each parent's situation and the care arrangement)",
    (
        CENSUS_DATE,
        _text("child_id", "the registered child's key", "child", "儿童编号", required=True),
        *_parent_columns("father"),
        *_parent_columns("mother"),
        _code("carer_relation", CarerRelation, "who looks after the child day to day, relative "
              "to the child (blank: no care arrangement recorded)", "carer", "监护人关系"),
        _text("carer_name", "the entrusted carer's name (identifying; needs carer_relation)"),
        _yes_no("carer_capable", "the carer is able to look after the child", default=True),
        _yes_no("entrusted_care_agreement", "the parents signed an entrusted-care agreement"),
        _yes_no("written_notice", "the parents told the village in writing"),
        _yes_no("living_alone", "the child lives alone"),
    ),
)  # fmt: skip

FORMS: Mapping[str, Form] = {form.name: form for form in (REGISTRATION, LEFT_BEHIND)}
"""The forms by name."""


def column_table(form: Form) -> str:
    """The Markdown table of a form's columns: column, required, values, meaning."""
    lines = ["| column | required | values | meaning |", "|---|---|---|---|"]
    lines += [_table_row(column) for column in form.columns]
    return "\n".join(lines) + "\n"


def _table_row(column: Column) -> str:
    required = "yes" if column.is_required else ""
    cells: Iterable[str] = (f"`{column.name}`", required, column.values(), column.description)
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
