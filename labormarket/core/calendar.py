"""Working days of Kazakhstan (производственный календарь), in the business time zone Asia/Almaty.

A day is a working day unless it is a Saturday or Sunday, a public holiday, a religious holiday
that is a day off (Orthodox Christmas 7 January, first day of Kurban ait), a holiday moved off a
weekend (Labour Code: a holiday on a weekend moves the day off to the next working day, except
the religious ones), or a day off transferred by a government decree (перенос выходного дня).
A weekend day that a decree makes working (e.g. Saturday 4 May 2024) is a working day.

Sources, strongest first:

1. :class:`~labormarket.core.models.CalendarOverride` — rows the administrator enters from the
   government decree on transfer of days off for the year (adopted each year, sometimes late,
   and not always in the ``holidays`` package yet).
2. The ``holidays`` package, country ``KZ``: holidays, observed days, decree transfers it knows of,
   and ``weekend_workdays`` (weekend days made working).
3. Saturday and Sunday are the weekend.

Speed: the package's data is cached per year for the life of the process; the overrides are read
once per process and re-read after a save or delete of an override (signal receivers connected
in :meth:`CoreConfig.ready`) or when older than :data:`OVERRIDES_MAX_AGE_SECONDS` (so that
other worker processes see an admin's change without a restart). Each year's working days are
kept as a sorted list, so adding or counting working days over any span costs a binary search
per year crossed.

Only these functions read the database (the override table, one query per refresh).
"""

from __future__ import annotations

import threading
import time as _time
from bisect import bisect_right
from collections.abc import Mapping
from datetime import MAXYEAR, MINYEAR, date, datetime, time, timedelta
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

WEEKEND: Final = frozenset({5, 6})  # Saturday, Sunday
OVERRIDES_MAX_AGE_SECONDS: Final = 300.0
DEFAULT_BUSINESS_TIME_ZONE: Final = "Asia/Almaty"


# --- time zone ------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def business_time_zone() -> ZoneInfo:
    """The zone in which business dates and deadlines are reckoned (``BUSINESS_TIME_ZONE``)."""
    return _zone(getattr(settings, "BUSINESS_TIME_ZONE", DEFAULT_BUSINESS_TIME_ZONE))


def business_today() -> date:
    """Today's date in the business time zone (in Almaty, not where the server runs)."""
    return datetime.now(tz=business_time_zone()).date()


def to_business_date(dt: datetime) -> date:
    """The business date (Asia/Almaty) on which the moment ``dt`` falls.

    Raises:
        ValueError: ``dt`` is naive — a moment without a zone has no business date.
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("to_business_date() needs an aware datetime")
    return dt.astimezone(business_time_zone()).date()


# --- package data ---------------------------------------------------------------------------


@lru_cache(maxsize=256)
def package_days(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """``(holidays and other days off, weekend days made working)`` of ``year``.

    From the ``holidays`` package only, no overrides. The neighbouring years are built too and
    filtered to ``year`` because a decree may move a day across New Year (2014: 3 January off,
    worked on Saturday 28 December 2013).
    """
    years = range(max(year - 1, MINYEAR), min(year + 1, MAXYEAR) + 1)
    data = holidays.country_holidays("KZ", years=years)
    days_off = frozenset(d for d in data if d.year == year)
    weekend_workdays = frozenset(d for d in data.weekend_workdays if d.year == year)
    return days_off, weekend_workdays


def package_is_working_day(day: date) -> bool:
    """What the ``holidays`` package alone says (no overrides) — shown next to overrides in admin."""
    days_off, weekend_workdays = package_days(day.year)
    if day in days_off:
        return False
    if day in weekend_workdays:
        return True
    return day.weekday() not in WEEKEND


# --- the calendar ---------------------------------------------------------------------------


class WorkingCalendar:
    """Working days from the ``holidays`` package with ``overrides`` (date → is working) on top.

    Pure: give it the overrides and it never touches the database. The module functions use a
    shared instance built from the :class:`CalendarOverride` table.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self.overrides: dict[date, bool] = dict(overrides or {})
        self._years: dict[int, list[int]] = {}
        self._lock = threading.Lock()

    def is_working_day(self, day: date) -> bool:
        _check_date(day)
        override = self.overrides.get(day)
        if override is not None:
            return override
        return package_is_working_day(day)

    def working_ordinals(self, year: int) -> list[int]:
        """Sorted proleptic ordinals of the working days of ``year`` (cached)."""
        ordinals = self._years.get(year)
        if ordinals is None:
            first = date(year, 1, 1).toordinal()
            last = date(year, 12, 31).toordinal()
            ordinals = [
                n for n in range(first, last + 1) if self.is_working_day(date.fromordinal(n))
            ]
            with self._lock:
                self._years[year] = ordinals
        return ordinals

    def add_working_days(self, day: date, n: int) -> date:
        _check_date(day)
        if n < 0:
            raise ValueError("add_working_days() counts forward only: n must be >= 0")
        if n == 0:
            return day
        year = day.year
        start = bisect_right(self.working_ordinals(year), day.toordinal())
        while True:
            ordinals = self.working_ordinals(year)
            available = len(ordinals) - start
            if n <= available:
                return date.fromordinal(ordinals[start + n - 1])
            n -= available
            year += 1
            start = 0

    def working_days_between(self, a: date, b: date) -> int:
        _check_date(a)
        _check_date(b)
        if b <= a:
            return 0
        total = 0
        for year in range(a.year, b.year + 1):
            ordinals = self.working_ordinals(year)
            low = bisect_right(ordinals, a.toordinal()) if year == a.year else 0
            high = bisect_right(ordinals, b.toordinal()) if year == b.year else len(ordinals)
            total += high - low
        return total


def _check_date(day: date) -> None:
    # A datetime is a date too, but its calendar day depends on its zone: make callers say which.
    if isinstance(day, datetime):
        raise TypeError("pass a date; convert a datetime with to_business_date() first")
    if not isinstance(day, date):
        raise TypeError(f"expected a date, not {type(day).__name__}")


# --- the shared instance and its overrides --------------------------------------------------

_shared: WorkingCalendar | None = None
_shared_loaded_at = 0.0
_shared_lock = threading.Lock()


def _load_overrides() -> dict[date, bool]:
    from labormarket.core.models import CalendarOverride

    return dict(CalendarOverride.objects.values_list("date", "is_working_day"))


def get_calendar() -> WorkingCalendar:
    """The process's calendar with the current overrides (re-read when stale or invalidated)."""
    global _shared, _shared_loaded_at
    calendar = _shared
    now = _time.monotonic()
    if calendar is not None and now - _shared_loaded_at < OVERRIDES_MAX_AGE_SECONDS:
        return calendar
    overrides = _load_overrides()
    with _shared_lock:
        if _shared is None or _shared.overrides != overrides:
            _shared = WorkingCalendar(overrides)
        _shared_loaded_at = now
        return _shared


def invalidate_calendar_cache() -> None:
    """Forget the overrides so the next question re-reads them (called on override save/delete)."""
    global _shared
    with _shared_lock:
        _shared = None


def on_calendar_override_changed(sender: object, **kwargs: object) -> None:
    """``post_save``/``post_delete`` receiver for :class:`CalendarOverride`.

    Invalidates now and again after the commit, so that a read inside the saving transaction
    cannot leave a cache that other connections' view of the table does not match.
    """
    from django.db import transaction

    invalidate_calendar_cache()
    using = kwargs.get("using")
    transaction.on_commit(
        invalidate_calendar_cache, using=using if isinstance(using, str) else None
    )


# --- the questions --------------------------------------------------------------------------


def is_working_day(d: date) -> bool:
    """True if ``d`` is a working day in Kazakhstan (overrides, then the package, then weekends)."""
    return get_calendar().is_working_day(d)


def add_working_days(d: date, n: int) -> date:
    """The ``n``-th working day after ``d`` — the last day of "within ``n`` working days of ``d``".

    ``d`` itself is not counted, whether or not it is a working day: the 1st working day after
    Friday 20 December 2024 is Monday 23 December. ``n == 0`` returns ``d`` unchanged.

    Raises:
        ValueError: ``n`` is negative.
        TypeError: ``d`` is a datetime (use :func:`to_business_date`).
    """
    return get_calendar().add_working_days(d, n)


def working_days_between(a: date, b: date) -> int:
    """The number of working days in the half-open interval ``(a, b]``: after ``a``, up to and
    including ``b``; 0 when ``b <= a``.

    So ``working_days_between(d, add_working_days(d, n)) == n`` for every ``n >= 0``, and the
    number of working days that have passed since a request filed on ``a`` is
    ``working_days_between(a, business_today())``.
    """
    return get_calendar().working_days_between(a, b)


def deadline_at(start: datetime, working_days: int) -> datetime:
    """The moment a deadline of ``working_days`` working days counted from ``start`` expires.

    The ``working_days``-th working day after the business date of ``start`` (the start day not
    counted, see :func:`add_working_days`), to its very end: 23:59:59.999999 Asia/Almaty, as an
    aware datetime. Anything done on that day is in time. ``working_days == 0`` gives the end of
    the start's own business day.

    Raises:
        ValueError: ``start`` is naive or ``working_days`` is negative.
    """
    last_day = add_working_days(to_business_date(start), working_days)
    return datetime.combine(last_day, time.max, tzinfo=business_time_zone())


# --- working hours (minute-long service steps) ---------------------------------------------

#: The employment centres' working hours as the service standards set them: Monday to Friday
#: 9:00-18:30 with a lunch break 13:00-14:30 (``SERVICE_WORKING_PERIODS`` overrides).
DEFAULT_WORKING_PERIODS: Final = ((time(9, 0), time(13, 0)), (time(14, 30), time(18, 30)))


def working_periods() -> tuple[tuple[time, time], ...]:
    """The working periods of a working day, in business time, earliest first."""
    periods = getattr(settings, "SERVICE_WORKING_PERIODS", DEFAULT_WORKING_PERIODS)
    return tuple((start, end) for start, end in periods)


def add_working_minutes(start: datetime, minutes: int) -> datetime:
    """The moment ``minutes`` minutes of working time after ``start`` have passed.

    Working time is the :func:`working_periods` of working days in Asia/Almaty: a 30-minute step
    started on Friday at 18:20 is due on Monday at 9:20 (or later, over holidays); one started
    before 9:00 or during lunch counts from the next period's start. ``minutes == 0`` returns
    the first working moment at or after ``start``.

    Raises:
        ValueError: ``start`` is naive or ``minutes`` is negative.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be an aware datetime")
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    zone = business_time_zone()
    local = start.astimezone(zone)
    remaining = timedelta(minutes=minutes)
    day = local.date()
    periods = working_periods()
    while True:
        if is_working_day(day):
            for begin, end in periods:
                period_start = datetime.combine(day, begin, tzinfo=zone)
                period_end = datetime.combine(day, end, tzinfo=zone)
                if local >= period_end:
                    continue
                cursor = max(local, period_start)
                available = period_end - cursor
                if remaining <= available:
                    return cursor + remaining
                remaining -= available
                local = period_end
        day = day + timedelta(days=1)
        local = datetime.combine(day, time.min, tzinfo=zone)


def working_minutes_between(a: datetime, b: datetime) -> int:
    """Whole minutes of working time from ``a`` to ``b`` (0 when ``b <= a``)."""
    if b <= a:
        return 0
    zone = business_time_zone()
    a_local, b_local = a.astimezone(zone), b.astimezone(zone)
    total = timedelta()
    day = a_local.date()
    while day <= b_local.date():
        if is_working_day(day):
            for begin, end in working_periods():
                period_start = datetime.combine(day, begin, tzinfo=zone)
                period_end = datetime.combine(day, end, tzinfo=zone)
                low, high = max(period_start, a_local), min(period_end, b_local)
                if high > low:
                    total += high - low
        day = day + timedelta(days=1)
    return int(total.total_seconds() // 60)


def next_working_day(d: date) -> date:
    """The first working day after ``d``."""
    return add_working_days(d, 1)


def working_day_on_or_after(d: date) -> date:
    """``d`` if it is a working day, else the next working day."""
    return d if is_working_day(d) else add_working_days(d, 1)


__all__ = [
    "WorkingCalendar",
    "add_working_days",
    "add_working_minutes",
    "business_time_zone",
    "business_today",
    "deadline_at",
    "get_calendar",
    "invalidate_calendar_cache",
    "is_working_day",
    "next_working_day",
    "package_is_working_day",
    "to_business_date",
    "working_day_on_or_after",
    "working_days_between",
    "working_minutes_between",
    "working_periods",
]
