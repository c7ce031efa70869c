"""Working minutes: the clock of minute-long public-service steps (SVC-03), on real KZ dates."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from labormarket.core.calendar import (
    add_working_minutes,
    invalidate_calendar_cache,
    working_minutes_between,
)

ALMATY = ZoneInfo("Asia/Almaty")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    invalidate_calendar_cache()
    yield
    invalidate_calendar_cache()


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=ALMATY)


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        # Inside the morning period.
        (at(2025, 3, 12, 10, 0), 30, at(2025, 3, 12, 10, 30)),
        # Over lunch (13:00-14:30).
        (at(2025, 3, 12, 12, 50), 20, at(2025, 3, 12, 14, 40)),
        # Started during lunch: counts from 14:30.
        (at(2025, 3, 12, 13, 30), 5, at(2025, 3, 12, 14, 35)),
        # Started before opening.
        (at(2025, 3, 12, 7, 0), 2, at(2025, 3, 12, 9, 2)),
        # Friday evening to Monday morning.
        (at(2025, 3, 14, 18, 20), 30, at(2025, 3, 17, 9, 20)),
        # Over Nauryz: 21-25 March 2025 are days off.
        (at(2025, 3, 20, 18, 0), 40, at(2025, 3, 26, 9, 10)),
        # A working Saturday (4 May 2024, decree transfer).
        (at(2024, 5, 3, 18, 25), 10, at(2024, 5, 4, 9, 5)),
        # New Year (1-2 January), 3 January 2025 a transferred day off, Saturday 4 off, and
        # Sunday 5 January 2025 the working day it was transferred from.
        (at(2024, 12, 31, 18, 29), 2, at(2025, 1, 5, 9, 1)),
        # Zero minutes outside working time: the next working moment.
        (at(2025, 3, 15, 12, 0), 0, at(2025, 3, 17, 9, 0)),
        # A whole working day (8 hours of the 9:00-18:30 day with 1.5 hours of lunch).
        (at(2025, 3, 12, 9, 0), 480, at(2025, 3, 12, 18, 30)),
    ],
)
def test_svc_03_add_working_minutes_on_real_dates(start, minutes, expected):
    assert add_working_minutes(start, minutes) == expected


def test_add_working_minutes_takes_any_zone():
    start = datetime(2025, 3, 12, 4, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 in Almaty (UTC+5)
    assert add_working_minutes(start, 15) == at(2025, 3, 12, 9, 15)


def test_add_working_minutes_refuses_bad_arguments():
    with pytest.raises(ValueError, match="aware"):
        add_working_minutes(datetime(2025, 3, 12, 10, 0), 5)
    with pytest.raises(ValueError, match="negative"):
        add_working_minutes(at(2025, 3, 12, 10, 0), -1)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (at(2025, 3, 12, 10, 0), at(2025, 3, 12, 10, 30), 30),
        (at(2025, 3, 12, 12, 0), at(2025, 3, 12, 15, 0), 90),
        (at(2025, 3, 14, 18, 0), at(2025, 3, 17, 9, 30), 60),
        (at(2025, 3, 20, 18, 0), at(2025, 3, 26, 9, 10), 40),
        (at(2025, 3, 12, 10, 0), at(2025, 3, 12, 9, 0), 0),
    ],
)
def test_working_minutes_between(a, b, expected):
    assert working_minutes_between(a, b) == expected


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 1), timezones=st.just(ALMATY)
    ),
    minutes=st.integers(min_value=1, max_value=3000),
)
def test_working_minutes_between_inverts_add_working_minutes(start, minutes):
    start = start.replace(second=0, microsecond=0)
    end = add_working_minutes(start, minutes)
    assert end > start
    assert working_minutes_between(start, end) == minutes
    assert working_minutes_between(start, end - timedelta(minutes=1)) == minutes - 1
