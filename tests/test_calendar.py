"""Months and working days."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caselog import ValidationError
from caselog.domain.calendar import (
    add_working_days,
    check_month,
    month_of,
    month_start,
    months,
    next_month,
    working_days_between,
)


@pytest.mark.parametrize(
    "value",
    ["2025-13", "2025-00", "2025-1", "25-01", 202501, None, "", "\uff12\uff10\uff12\uff15-03"],
)
def test_months_are_written_year_dash_month(value: object) -> None:
    with pytest.raises(ValidationError, match="YYYY-MM") as caught:
        check_month("month", value)
    assert caught.value.field == "month"


def test_month_arithmetic_crosses_years() -> None:
    assert next_month("2025-12") == "2026-01"
    assert next_month("2025-01", -1) == "2024-12"
    assert next_month("2025-03", 13) == "2026-04"
    assert list(months("2025-11", "2026-02")) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert list(months("2025-03", "2025-02")) == []
    assert month_start("2025-02") == date(2025, 2, 1)


def _index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:])


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 1)), st.integers(-60, 60))
def test_next_month_moves_by_whole_months(day: date, count: int) -> None:
    month = month_of(day)
    moved = next_month(month, count)
    assert check_month("month", moved) == moved
    assert _index(moved) - _index(month) == count
    assert next_month(moved, -count) == month


def test_working_days_skip_weekends_and_holidays() -> None:
    friday, monday = date(2025, 3, 7), date(2025, 3, 10)
    assert working_days_between(friday, monday) == 1
    assert add_working_days(friday, 1) == monday
    assert add_working_days(friday, 1, holidays={monday}) == date(2025, 3, 11)
    assert working_days_between(date(2025, 3, 3), date(2025, 3, 31)) == 20


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 40))
def test_adding_working_days_is_undone_by_counting_them(start: date, days: int) -> None:
    end = add_working_days(start, days)
    assert working_days_between(start, end) == days
    assert end.weekday() < 5 or days == 0
