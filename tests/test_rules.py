"""Classification against DOMAIN.md's definitions, case by case, and rule sets as data."""

from datetime import date

import attrs
import pytest

from caselog import ValidationError
from caselog.domain import (
    CareArrangementRecorded,
    CarerRelation,
    ChildFile,
    ConcernKind,
    ConcernReported,
    DisabilityRecorded,
    DisabilityType,
    HouseholdEconomicStatusRecorded,
    IncomeSource,
    Parent,
    ParentSituation,
    ParentStatusRecorded,
    Sex,
)
from caselog.domain.file import Source
from caselog.domain.rules.classify import add_months, classify
from caselog.domain.rules.ruleset import load_rule_set, national_rule_set

NATIONAL = national_rule_set()
BORN = date(2014, 6, 15)
ON = date(2025, 6, 1)
S = ParentSituation


def _file(**facts: object) -> ChildFile:
    """A child registered in 2024 with the given facts, each effective on 1 March 2025."""
    file = ChildFile("c-1", "王小明", Sex.MALE, BORN, "v-1", "h-1", date(2024, 1, 10))
    sources = tuple(Source(kind, f"e-{kind}", date(2025, 3, 1)) for kind in facts)
    return attrs.evolve(file, **facts, basis=sources)  # type: ignore[arg-type]


def _parent(parent: Parent, situation: ParentSituation, **details: object) -> ParentStatusRecorded:
    return ParentStatusRecorded("c-1", parent, situation, **details)  # type: ignore[arg-type]


def _parents(father: ParentSituation, mother: ParentSituation, **details: object) -> ChildFile:
    return _file(
        father=_parent(Parent.FATHER, father, **details),
        mother=_parent(Parent.MOTHER, mother, **details),
    )


def _labels(
    file: ChildFile, on: date = ON, rules: object = NATIONAL
) -> set[tuple[str, str | None]]:
    return set(classify(file, on, rules).labels())  # type: ignore[arg-type]


def test_registered_child_with_nothing_else_is_general() -> None:
    """A registered child for whom no other category holds is general."""
    assert _labels(_file()) == {("general", None)}


@pytest.mark.parametrize(
    ("father", "mother", "subtype"),
    [
        (S.MIGRANT_WORKER, S.MIGRANT_WORKER, "both_parents_away"),
        (S.MIGRANT_WORKER, S.SERIOUS_ILLNESS, "one_away_other_incapable"),
        (S.SEVERE_DISABILITY, S.MIGRANT_WORKER, "one_away_other_incapable"),
    ],
)
def test_left_behind_subtypes(father: S, mother: S, subtype: str) -> None:
    """Both parents away, or one away and the other incapable, makes a child left behind."""
    assert _labels(_parents(father, mother)) == {("left_behind", subtype)}


@pytest.mark.parametrize(
    ("father", "mother"),
    [(S.MIGRANT_WORKER, S.AT_HOME), (S.AT_HOME, S.AT_HOME), (S.SERIOUS_ILLNESS, S.AT_HOME)],
)
def test_one_parent_at_home_is_not_left_behind(father: S, mother: S) -> None:
    """With a capable parent at home the child is not left behind."""
    assert ("left_behind", "both_parents_away") not in _labels(_parents(father, mother))
    assert _labels(_parents(father, mother)) == {("general", None)}


def test_left_behind_ends_on_the_16th_birthday() -> None:
    """Left-behind holds until the day before the 16th birthday, from the calendar alone."""
    file = _parents(S.MIGRANT_WORKER, S.MIGRANT_WORKER)
    (period,) = classify(file, ON, NATIONAL).categories
    assert period.until == date(2030, 6, 15)
    assert ("left_behind", "both_parents_away") in _labels(file, date(2030, 6, 14))
    assert _labels(file, date(2030, 6, 15)) == {("general", None)}


def test_both_parents_dead_is_an_orphan_until_18() -> None:
    """Both parents dead (or not to be found) makes an orphan, until the 18th birthday."""
    assert _labels(_parents(S.DECEASED, S.UNKNOWN)) == {("orphan", None)}
    assert _labels(_parents(S.DECEASED, S.DECEASED), date(2032, 6, 15)) == {("general", None)}


@pytest.mark.parametrize(
    ("father", "mother", "details"),
    [
        (S.SERIOUS_ILLNESS, S.GUARDIANSHIP_REVOKED, {}),
        (S.SEVERE_DISABILITY, S.SEVERE_DISABILITY, {"disability_grade": 2}),
        (S.DECEASED, S.IMPRISONED, {"since": date(2024, 1, 1), "until": date(2027, 1, 1)}),
        (S.MISSING, S.DEPORTED, {}),
        (S.DECEASED, S.LOST_CONTACT, {"since": date(2024, 10, 1)}),
    ],
)
def test_de_facto_unsupported(father: S, mother: S, details: dict[str, object]) -> None:
    """Both parents unable, or one gone and the other unable or deported: de-facto unsupported."""
    assert _labels(_parents(father, mother, **details)) == {("de_facto_unsupported", None)}


@pytest.mark.parametrize(
    ("father", "mother", "details"),
    [
        (S.SEVERE_DISABILITY, S.SEVERE_DISABILITY, {"disability_grade": 3}),
        (S.DECEASED, S.IMPRISONED, {"since": date(2025, 1, 1), "until": date(2025, 4, 1)}),
        (S.DECEASED, S.LOST_CONTACT, {"since": date(2025, 1, 1)}),
        (S.DECEASED, S.AT_HOME, {}),
    ],
)
def test_not_de_facto_unsupported(father: S, mother: S, details: dict[str, object]) -> None:
    """A milder disability, a short restriction, contact lost lately, or a parent at home is not."""
    assert ("de_facto_unsupported", None) not in _labels(_parents(father, mother, **details))


def test_lost_contact_counts_after_six_months() -> None:
    """Contact lost on 1 October counts from 1 April, six months later."""
    file = _parents(S.DECEASED, S.LOST_CONTACT, since=date(2024, 10, 1))
    (period,) = classify(file, ON, NATIONAL).categories
    assert period.since == date(2025, 4, 1)
    assert _labels(file, date(2025, 3, 31)) == {("general", None)}


def test_orphan_wins_over_de_facto_unsupported() -> None:
    """Where both would hold, a child is an orphan and not de-facto unsupported."""
    file = _parents(S.DECEASED, S.DECEASED)
    assert ("de_facto_unsupported", None) not in _labels(file)


def test_left_behind_and_disabled() -> None:
    """A left-behind child with a disability is both, the disability type as subtype."""
    file = attrs.evolve(
        _parents(S.MIGRANT_WORKER, S.MIGRANT_WORKER),
        disability=DisabilityRecorded("c-1", DisabilityType.HEARING, grade=3),
        basis=(Source("disability", "e-d", date(2025, 3, 1)),),
    )
    assert _labels(file) == {
        ("left_behind", "both_parents_away"),
        ("disabled", "hearing"),
        ("in_difficulty", "own_disability_or_illness"),
    }


@pytest.mark.parametrize(
    ("facts", "subtype"),
    [
        (
            {
                "household_economic_status": HouseholdEconomicStatusRecorded(
                    "h-1", IncomeSource.FARMING, has_minimum_living_guarantee=True
                )
            },
            "family_poverty",
        ),
        (
            {"care": CareArrangementRecorded("c-1", CarerRelation.NOBODY, is_living_alone=True)},
            "guardianship",
        ),
        (
            {"open_concerns": (ConcernReported("k-1", "c-1", ConcernKind.ABUSE, "bruises"),)},
            "guardianship",
        ),
    ],
)
def test_in_difficulty_subtypes(facts: dict[str, object], subtype: str) -> None:
    """Poverty, own condition and failing guardianship make a child in difficulty."""
    assert _labels(_file(**facts)) == {("in_difficulty", subtype)}


def test_jurisdiction_overrides_options_and_subtypes() -> None:
    """A local rule set extends the national one: cross-county, 3 months, its own subtypes."""
    local = load_rule_set(
        'extends = "national"\nname = "shenzhen"\nversion = "2026.2"\n'
        "[left_behind]\nrequires_cross_county = true\nmin_months_away = 3\n"
        '[in_difficulty.subtypes]\nsafety = ["abuse_concern"]\n'
    )
    near = _parents(S.MIGRANT_WORKER, S.MIGRANT_WORKER, is_cross_county=False)
    far = _parents(S.MIGRANT_WORKER, S.MIGRANT_WORKER, is_cross_county=True)
    assert _labels(near, rules=local) == {("general", None)}
    assert ("left_behind", "both_parents_away") in _labels(far, rules=local)
    assert _labels(far, date(2025, 5, 31), rules=local) == {("general", None)}  # not 3 months yet
    assert "safety" in local.in_difficulty.subtypes
    assert classify(far, ON, local).rule_version == "2026.2"


@pytest.mark.parametrize(
    "text", ['extends = "mars"', 'name = "x"', "not toml [", 'extends = "national"\nbogus = 1']
)
def test_bad_rule_sets_are_refused(text: str) -> None:
    """An unknown base, a missing section, broken TOML or an unknown key is refused."""
    with pytest.raises(ValidationError):
        load_rule_set(text)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(date(2024, 8, 31), 6, date(2025, 2, 28)), (date(2024, 10, 1), 6, date(2025, 4, 1))],
)
def test_add_months_keeps_to_the_month(day: date, months: int, expected: date) -> None:
    """Adding months keeps the day, or takes the month's last day when it is shorter."""
    assert add_months(day, months) == expected


def test_the_national_rules_describe_the_benefits() -> None:
    """The five national benefits, with their chains, payments and exclusions."""
    rules = national_rule_set()
    assert set(rules.benefits) == {
        "orphan_allowance", "de_facto_allowance", "medical_assistance", "education_aid",
        "temporary_assistance",
    }  # fmt: skip
    orphan = rules.benefit("orphan_allowance")
    assert [(s.level, s.working_days) for s in orphan.review] == [("township", 15),
                                                                  ("county", 15)]  # fmt: skip
    assert orphan.is_monthly
    assert not orphan.public_posting
    assert orphan.excludes == {"de_facto_allowance"}
    assert not rules.benefit("temporary_assistance").is_monthly
    with pytest.raises(ValidationError, match="'housing' is not one of") as caught:
        rules.benefit("housing")
    assert caught.value.field == "benefit"


_BENEFIT = "[benefits.orphan_allowance]\n"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('qualifying = ["orphans"]', "unknown categories"),
        ('excludes = ["housing"]', "unknown benefits"),
        ('payment = "weekly"', "monthly or once"),
        ('review = [{ level = "village", working_days = 5 }]', "township or county"),
        ('review = []', "township or county"),
        ('review = [{ level = "county", working_days = 5 }, { level = "township", '
         'working_days = 5 }]', "up the tree"),
        ('review = [{ level = "township", working_days = 0 }]', "above zero"),
    ],
)  # fmt: skip
def test_bad_benefits_are_refused(text: str, reason: str) -> None:
    """A benefit naming what does not exist, or whose chain does not go up, is refused."""
    with pytest.raises(ValidationError, match=reason) as caught:
        load_rule_set(f'extends = "national"\n{_BENEFIT}{text}\n')
    assert caught.value.field == "benefits.orphan_allowance"
