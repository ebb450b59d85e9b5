"""The stored text of the two times."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caselog import ValidationError
from caselog.times import format_effective, format_recorded, parse_effective, parse_recorded

# Fixed offsets: a wall time that a daylight-saving jump skips has no single instant to compare.
offsets = st.integers(-12 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
aware = st.datetimes(
    min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30), timezones=offsets
)


def test_recorded_is_utc_with_microseconds() -> None:
    """A timestamp is stored in UTC with six decimals, whatever its timezone."""
    beijing = timezone(timedelta(hours=8))
    moment = datetime(2024, 3, 3, 16, 30, tzinfo=beijing)
    assert format_recorded(moment) == "2024-03-03T08:30:00.000000+00:00"


def test_naive_timestamps_are_refused() -> None:
    """A timestamp without a timezone is ambiguous and refused."""
    with pytest.raises(ValidationError):
        format_recorded(datetime(2024, 3, 3))


@given(aware, aware)
def test_text_order_is_time_order(one: datetime, two: datetime) -> None:
    """Comparing stored texts gives the same order as comparing the instants."""
    assert (format_recorded(one) < format_recorded(two)) == (one < two)


@given(st.dates() | aware)
def test_effective_round_trips(value: date | datetime) -> None:
    """An effective date or timestamp comes back as the same value."""
    back = parse_effective(format_effective(value))
    assert back == value
    assert type(back) is type(value) or isinstance(value, datetime)


def test_parse_recorded_gives_aware_utc() -> None:
    """A stored timestamp reads back as an aware UTC datetime."""
    assert parse_recorded("2024-03-03T08:30:00.000000+00:00") == datetime(
        2024, 3, 3, 8, 30, tzinfo=UTC
    )


def test_effective_refuses_other_types() -> None:
    """Only dates and datetimes have an effective text."""
    with pytest.raises(ValidationError):
        format_effective("2024-03-03")  # type: ignore[arg-type]


def test_recorded_needs_a_datetime() -> None:
    """A clock that returns something other than a datetime is refused by name."""
    with pytest.raises(ValidationError) as caught:
        format_recorded("2024-03-03")  # type: ignore[arg-type]
    assert caught.value.field == "recorded"
