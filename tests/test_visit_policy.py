"""When visits fall due: by category and risk, and soon after a concern."""

from datetime import date

import attrs
import pytest

from caselog.domain import (
    CategoriesRecorded,
    CategoryPeriod,
    ChildFile,
    ConcernKind,
    ConcernReported,
    RiskAssessed,
    RiskLevel,
    Sex,
)
from caselog.domain.file import Source
from caselog.domain.rules import load_rule_set, national_rule_set, next_visit

VISITS = national_rule_set().visits
REGISTERED = date(2025, 1, 10)


def _file(*categories: str, **changes: object) -> ChildFile:
    file = ChildFile("c-1", "王小明", Sex.MALE, date(2014, 6, 15), "v-1", "h-1", REGISTERED)
    periods = tuple(CategoryPeriod(category, REGISTERED) for category in categories)
    recorded = CategoriesRecorded("c-1", "national", "2026.1", periods) if periods else None
    return attrs.evolve(file, categories=recorded, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("categories", "days"),
    [
        ((), 365),
        (("general",), 365),
        (("left_behind",), 90),
        (("in_difficulty",), 30),
        (("left_behind", "in_difficulty"), 30),
        (("orphan",), 30),
    ],
)
def test_interval_follows_the_most_demanding_category(
    categories: tuple[str, ...], days: int
) -> None:
    """General children yearly, left-behind every 90 days, children in difficulty every 30."""
    due = next_visit(_file(*categories), VISITS)
    assert (due.due_by - REGISTERED).days == days
    assert (due.due_by - due.due_from).days == 14


def test_high_risk_means_every_30_days() -> None:
    """A child assessed at high risk is visited every 30 days whatever the category."""
    risk = RiskAssessed("c-1", RiskLevel.HIGH)
    assert (next_visit(_file("general", risk=risk), VISITS).due_by - REGISTERED).days == 30


def test_next_visit_counts_from_the_last_one() -> None:
    """The interval runs from the last visit."""
    due = next_visit(_file("left_behind", last_visit=date(2025, 3, 1)), VISITS)
    assert due.due_by == date(2025, 5, 30)
    assert not due.is_overdue(date(2025, 5, 30))
    assert due.is_overdue(date(2025, 5, 31))


def test_open_concern_needs_a_visit_within_seven_days() -> None:
    """A reported concern brings the next visit forward to seven days after the report."""
    concern = ConcernReported("k-1", "c-1", ConcernKind.NEGLECT, "no food")
    source = Source("concern:k-1", "e-1", date(2025, 2, 3))
    due = next_visit(_file("general", open_concerns=(concern,), basis=(source,)), VISITS)
    assert (due.due_from, due.due_by) == (date(2025, 2, 3), date(2025, 2, 10))
    assert "k-1" in due.reason


def test_intervals_are_the_jurisdictions_to_set() -> None:
    """A local rule set can visit left-behind children monthly."""
    local = load_rule_set('extends = "national"\n[visits.every_days]\nleft_behind = 30\n')
    assert (next_visit(_file("left_behind"), local.visits).due_by - REGISTERED).days == 30


def test_the_reason_is_the_same_in_every_process() -> None:
    """Of two categories visited every 30 days, the reason names the same one whatever order a
    process happens to keep a set of names in (string hashing differs between processes)."""
    import os
    import subprocess
    import sys

    script = (
        "from tests.test_visit_policy import VISITS, _file\n"
        "from caselog.domain.rules import next_visit\n"
        "print(next_visit(_file('orphan', 'in_difficulty', 'de_facto_unsupported'), VISITS).reason)"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    reasons = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True, text=True, check=True, cwd=root,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout.strip()
        for seed in range(6)
    }  # fmt: skip
    assert reasons == {"every 30 days (de_facto_unsupported)"}


def test_a_childs_rows_follow_changes_of_risk_and_categories() -> None:
    """``child_files`` rows keep what they worked out for a child's earlier row (``memo``);
    a new risk assessment or categories record still changes when the visit falls due."""
    from caselog.domain.directory import Directory
    from caselog.projections.files import CHILD_FILES, file_row

    rules = national_rule_set()
    memo: dict[str, object] = {}
    reason = [column.name for column in CHILD_FILES.columns].index("next_reason")
    high = RiskAssessed("c-1", RiskLevel.HIGH, frozenset({"no adult at home"}))
    files = [_file("left_behind"), _file("left_behind", risk=high), _file("general")]
    rows = [file_row(file, Directory(), rules, memo)[reason] for file in files]
    assert rows == [file_row(file, Directory(), rules)[reason] for file in files]
    assert rows == ["every 90 days (left_behind)", "every 30 days (high risk)",
                    "every 365 days (general)"]  # fmt: skip
