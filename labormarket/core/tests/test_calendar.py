"""Working days on real Kazakh calendar dates (holidays, observed days, decree transfers)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from labormarket.core import calendar
from labormarket.core.calendar import (
    WorkingCalendar,
    add_working_days,
    business_today,
    deadline_at,
    invalidate_calendar_cache,
    is_working_day,
    to_business_date,
    working_days_between,
)
from labormarket.core.models import CalendarOverride

ALMATY = ZoneInfo("Asia/Almaty")


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # Rolled-back test transactions fire no post_delete: never let one test's overrides leak.
    invalidate_calendar_cache()
    yield
    invalidate_calendar_cache()


# --- is_working_day -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "working"),
    [
        # 2024: decree moved the day off from Saturday 4 May to Wednesday 8 May.
        (date(2024, 5, 4), True),
        (date(2024, 5, 5), False),
        (date(2024, 5, 7), False),  # Defender of the Fatherland Day
        (date(2024, 5, 8), False),
        (date(2024, 5, 9), False),  # Victory Day
        (date(2024, 5, 10), True),
        # 2025: decree moved the day off from Sunday 5 January to Friday 3 January.
        (date(2025, 1, 1), False),
        (date(2025, 1, 2), False),
        (date(2025, 1, 3), False),
        (date(2025, 1, 4), False),
        (date(2025, 1, 5), True),
        (date(2025, 1, 6), True),
        (date(2025, 1, 7), False),  # Orthodox Christmas, Tuesday
        # Nauryz 2025: 21-23 March, 22 and 23 fell on the weekend → 24 and 25 off.
        (date(2025, 3, 20), True),
        (date(2025, 3, 21), False),
        (date(2025, 3, 22), False),
        (date(2025, 3, 23), False),
        (date(2025, 3, 24), False),
        (date(2025, 3, 25), False),
        (date(2025, 3, 26), True),
        # Holidays on a weekend observed on Monday.
        (date(2024, 7, 6), False),  # Capital Day, Saturday
        (date(2024, 7, 8), False),  # … observed Monday
        (date(2025, 3, 8), False),  # Women's Day, Saturday
        (date(2025, 3, 10), False),  # … observed Monday
        (date(2025, 9, 1), False),  # Constitution Day (Sat 30 Aug) observed
        (date(2025, 10, 27), False),  # Republic Day (Sat 25 Oct) observed
        # Religious holidays are not moved off a weekend: Kurban ait on Sunday 16 June 2024.
        (date(2024, 6, 16), False),
        (date(2024, 6, 17), True),
        (date(2025, 6, 6), False),  # Kurban ait, Friday
        # An ordinary week.
        (date(2025, 2, 10), True),
        (date(2025, 2, 15), False),
        (date(2025, 2, 16), False),
        (date(2025, 12, 16), False),  # Independence Day
        (date(2025, 12, 17), True),  # no longer a holiday since 2022
    ],
)
def test_is_working_day_on_real_kazakh_dates(day, working):
    assert is_working_day(day) is working


@pytest.mark.django_db
def test_working_days_in_2024_and_2025():
    """The production calendar of a five-day week: 249 working days in 2024, 246 in 2025."""
    assert working_days_between(date(2023, 12, 31), date(2024, 12, 31)) == 249
    assert working_days_between(date(2024, 12, 31), date(2025, 12, 31)) == 246


def test_a_datetime_is_refused_because_its_date_depends_on_the_zone():
    with pytest.raises(TypeError, match="to_business_date"):
        WorkingCalendar().is_working_day(datetime(2025, 3, 20, 20, 30, tzinfo=UTC))


# --- add_working_days -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2025, 2, 10), 0, date(2025, 2, 10)),
        (date(2025, 3, 22), 0, date(2025, 3, 22)),  # n == 0 is the day itself, even a holiday
        (date(2025, 2, 14), 1, date(2025, 2, 17)),  # Friday → Monday
        # New Year 2025: 30, 31 Dec, then Sunday 5 January (worked by decree), Monday 6,
        # Christmas on Tuesday 7, Wednesday 8.
        (date(2024, 12, 27), 1, date(2024, 12, 30)),
        (date(2024, 12, 27), 2, date(2024, 12, 31)),
        (date(2024, 12, 27), 3, date(2025, 1, 5)),
        (date(2024, 12, 27), 4, date(2025, 1, 6)),
        (date(2024, 12, 27), 5, date(2025, 1, 8)),
        (date(2025, 1, 1), 1, date(2025, 1, 5)),  # counted from a holiday
        # Nauryz 2025
        (date(2025, 3, 20), 1, date(2025, 3, 26)),
        (date(2025, 3, 19), 2, date(2025, 3, 26)),
        (date(2025, 3, 22), 1, date(2025, 3, 26)),
        (date(2025, 3, 14), 10, date(2025, 4, 2)),
        # May 2024: Saturday 4 May worked, 7-9 May off.
        (date(2024, 4, 30), 3, date(2024, 5, 4)),
        (date(2024, 4, 30), 5, date(2024, 5, 10)),
        # a whole year: the 246th working day after 31 Dec 2024 is the last of 2025
        (date(2024, 12, 31), 246, date(2025, 12, 31)),
    ],
)
def test_add_working_days(start, n, expected):
    assert add_working_days(start, n) == expected


def test_add_working_days_refuses_negative_n():
    with pytest.raises(ValueError, match="n must be >= 0"):
        WorkingCalendar().add_working_days(date(2025, 3, 20), -1)


# --- working_days_between -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2025, 3, 20), date(2025, 3, 20), 0),
        (date(2025, 3, 26), date(2025, 3, 20), 0),  # b before a
        (date(2025, 3, 20), date(2025, 3, 26), 1),  # (a, b]: 26 March only
        (date(2025, 3, 19), date(2025, 3, 20), 1),
        (date(2025, 3, 20), date(2025, 3, 25), 0),  # only Nauryz days after the 20th
        (date(2024, 12, 31), date(2025, 1, 6), 2),  # Sunday 5 and Monday 6 January
        (date(2024, 12, 30), date(2025, 1, 6), 3),  # + 31 December
        (date(2025, 2, 7), date(2025, 2, 14), 5),  # an ordinary week
        (date(2023, 12, 31), date(2025, 12, 31), 249 + 246),
    ],
)
def test_working_days_between(a, b, expected):
    assert working_days_between(a, b) == expected


# --- business time --------------------------------------------------------------------------


def test_business_today_is_the_date_in_almaty():
    # Almaty is UTC+5 since 1 March 2024 (tzdata 2024a+): 19:00 UTC is midnight there.
    with time_machine.travel(datetime(2025, 3, 20, 18, 59, 59, tzinfo=UTC), tick=False):
        assert business_today() == date(2025, 3, 20)
    with time_machine.travel(datetime(2025, 3, 20, 19, 0, tzinfo=UTC), tick=False):
        assert business_today() == date(2025, 3, 21)
    with time_machine.travel(datetime(2025, 3, 20, 20, 30, tzinfo=UTC), tick=False):
        assert business_today() == date(2025, 3, 21)


def test_to_business_date():
    assert to_business_date(datetime(2025, 3, 20, 20, 30, tzinfo=UTC)) == date(2025, 3, 21)
    assert to_business_date(datetime(2025, 3, 21, 0, 30, tzinfo=ALMATY)) == date(2025, 3, 21)
    with pytest.raises(ValueError, match="aware"):
        to_business_date(datetime(2025, 3, 20, 20, 30))


@pytest.mark.django_db
def test_deadline_at_is_the_end_of_the_nth_working_day_in_almaty():
    # Filed 20 March 2025 at 20:30 UTC = 21 March 01:30 in Almaty (Nauryz): day 1 is 26 March.
    due = deadline_at(datetime(2025, 3, 20, 20, 30, tzinfo=UTC), 1)
    assert due == datetime(2025, 3, 26, 23, 59, 59, 999999, tzinfo=ALMATY)
    assert due.utcoffset() == timedelta(hours=5)
    assert due.astimezone(UTC) == datetime(2025, 3, 26, 18, 59, 59, 999999, tzinfo=UTC)
    # Filed the same Thursday at 15:00 in Almaty: the day of filing is not counted either.
    assert deadline_at(datetime(2025, 3, 20, 10, 0, tzinfo=UTC), 1) == due
    assert deadline_at(datetime(2025, 3, 20, 10, 0, tzinfo=UTC), 0) == datetime(
        2025, 3, 20, 23, 59, 59, 999999, tzinfo=ALMATY
    )
    # Five working days from Friday 27 December 2024: 30, 31 Dec, Sun 5, Mon 6, Wed 8 Jan.
    assert deadline_at(datetime(2024, 12, 27, 9, 0, tzinfo=ALMATY), 5) == datetime(
        2025, 1, 8, 23, 59, 59, 999999, tzinfo=ALMATY
    )


def test_deadline_at_refuses_a_naive_start():
    with pytest.raises(ValueError, match="aware"):
        deadline_at(datetime(2025, 3, 20, 10, 0), 1)


# --- overrides ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_overrides_change_the_answers_at_once():
    saturday, tuesday = date(2025, 3, 29), date(2025, 4, 1)
    assert is_working_day(saturday) is False  # warms the cache
    assert is_working_day(tuesday) is True
    assert add_working_days(date(2025, 3, 28), 2) == date(2025, 4, 1)
    assert working_days_between(date(2025, 3, 28), date(2025, 4, 4)) == 5

    worked = CalendarOverride.objects.create(
        date=saturday, is_working_day=True, reason="Test decree: Saturday worked"
    )
    off = CalendarOverride.objects.create(
        date=tuesday, is_working_day=False, reason="Test decree: Tuesday off"
    )

    assert is_working_day(saturday) is True
    assert is_working_day(tuesday) is False
    assert add_working_days(date(2025, 3, 28), 2) == date(2025, 3, 31)
    assert add_working_days(date(2025, 3, 28), 3) == date(2025, 4, 2)
    assert working_days_between(date(2025, 3, 28), date(2025, 4, 4)) == 5

    off.delete()
    assert is_working_day(tuesday) is True
    assert working_days_between(date(2025, 3, 28), date(2025, 4, 4)) == 6

    worked.is_working_day = False
    worked.save()
    assert is_working_day(saturday) is False


@pytest.mark.django_db
def test_override_wins_over_the_holidays_package():
    CalendarOverride.objects.create(date=date(2025, 1, 3), is_working_day=True, reason="test")
    CalendarOverride.objects.create(date=date(2024, 5, 4), is_working_day=False, reason="test")
    assert is_working_day(date(2025, 1, 3)) is True
    assert is_working_day(date(2024, 5, 4)) is False
    assert calendar.package_is_working_day(date(2025, 1, 3)) is False
    assert calendar.package_is_working_day(date(2024, 5, 4)) is True


@pytest.mark.django_db
def test_changes_without_signals_are_seen_when_the_cache_expires(monkeypatch):
    override = CalendarOverride.objects.create(
        date=date(2025, 3, 29), is_working_day=True, reason="test"
    )
    assert is_working_day(date(2025, 3, 29)) is True
    # Another process (or a bulk update, which sends no signal) changes the table.
    CalendarOverride.objects.filter(pk=override.pk).update(is_working_day=False)
    assert is_working_day(date(2025, 3, 29)) is True  # still cached
    monkeypatch.setattr(calendar, "OVERRIDES_MAX_AGE_SECONDS", 0.0)
    assert is_working_day(date(2025, 3, 29)) is False


@pytest.mark.django_db
def test_overrides_are_read_once_and_years_are_cached(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert is_working_day(date(2025, 3, 21)) is False
        assert add_working_days(date(2023, 12, 31), 249 + 246) == date(2025, 12, 31)
        assert working_days_between(date(2023, 12, 31), date(2025, 12, 31)) == 249 + 246


def test_calendar_override_str():
    override = CalendarOverride(date=date(2025, 1, 5), is_working_day=True, reason="decree")
    assert str(override).startswith("2025-01-05: ")


# --- properties (pure calendar, no database) ------------------------------------------------

days = st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31))
overrides = st.dictionaries(days, st.booleans(), max_size=10)


def _naive_add(cal: WorkingCalendar, day: date, n: int) -> date:
    while n > 0:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            n -= 1
    return day


# No deadline: the first example also builds the holidays package's data for its years.
@settings(deadline=None)
@given(days, st.integers(min_value=0, max_value=600), overrides)
def test_add_working_days_matches_counting_day_by_day(day, n, extra):
    cal = WorkingCalendar(extra)
    result = cal.add_working_days(day, n)
    assert result == _naive_add(cal, day, n)
    assert cal.working_days_between(day, result) == n
    if n:
        assert cal.is_working_day(result) is True


@settings(deadline=None)
@given(days, days, overrides)
def test_working_days_between_matches_counting_day_by_day(a, b, extra):
    cal = WorkingCalendar(extra)
    expected = sum(cal.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))
    assert cal.working_days_between(a, b) == expected


# --- admin ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_lists_overrides_and_adding_one_changes_the_calendar(admin_client):
    CalendarOverride.objects.create(date=date(2025, 1, 3), is_working_day=True, reason="decree A")
    response = admin_client.get("/admin/core/calendaroverride/")
    assert response.status_code == 200
    assert b"decree A" in response.content

    assert is_working_day(date(2025, 3, 29)) is False
    response = admin_client.post(
        "/admin/core/calendaroverride/add/",
        {"date": "2025-03-29", "is_working_day": "on", "reason": "decree B"},
    )
    assert response.status_code == 302
    assert CalendarOverride.objects.filter(date=date(2025, 3, 29), is_working_day=True).count() == 1
    assert is_working_day(date(2025, 3, 29)) is True
