"""The continuity rules without a database: month arithmetic, spells, and properties checked
against a day-by-day model (OUT-23, OUT-24)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labormarket.registry.spells import (
    Period,
    add_months,
    find_continuous_employment,
    first_new_employment,
    spells_of,
)

DAY = timedelta(days=1)
ORIGIN = date(2027, 11, 1)  # the range below crosses 29 February 2028
BINS = ("020340000011", "020340000022")


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 1, 15), 3, date(2026, 4, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 12, 31), 6, date(2027, 6, 30)),
        (date(2026, 10, 31), 2, date(2026, 12, 31)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start, months, expected):
    assert add_months(start, months) == expected


def test_months_must_be_positive():
    with pytest.raises(ValueError, match="months must be at least 1"):
        find_continuous_employment([], since=ORIGIN, months=0, on=ORIGIN)


def test_an_open_record_swallows_later_ones_at_the_same_employer():
    periods = [
        Period(1, BINS[0], date(2026, 1, 1), None),
        Period(2, BINS[0], date(2026, 5, 1), date(2026, 6, 1)),
        Period(3, BINS[0], date(2026, 1, 1), date(2026, 2, 1)),
    ]
    [spell] = spells_of(periods)
    assert (spell.started_on, spell.ended_on, [p.id for p in spell.periods]) == (
        date(2026, 1, 1),
        None,
        [1, 3, 2],
    )


# --- properties --------------------------------------------------------------------------------

offsets = st.integers(min_value=0, max_value=400)
raw_periods = st.lists(
    st.tuples(st.sampled_from(BINS), offsets, st.one_of(st.none(), st.integers(0, 200))),
    max_size=6,
)


def build(raw: list[tuple[str, int, int | None]]) -> list[Period]:
    return [
        Period(
            i,
            bin_,
            ORIGIN + start * DAY,
            None if length is None else ORIGIN + (start + length) * DAY,
        )
        for i, (bin_, start, length) in enumerate(raw, start=1)
    ]


def day_model(periods: list[Period], *, since: date, months: int, on: date):
    """The answer worked out day by day: for each employer, the days under a contract known by
    ``on``; a spell starts on a covered day whose previous day is not covered."""
    answers = []
    for employer_bin in BINS:
        covered: set[date] = set()
        for p in periods:
            if p.employer_bin != employer_bin or p.started_on > on:
                continue
            last = p.ended_on if p.ended_on is not None else on + 800 * DAY
            day = p.started_on
            while day <= last:
                covered.add(day)
                day += DAY
        for start in sorted(covered):
            if start - DAY in covered or start < since:
                continue
            completed = add_months(start, months)
            day = start
            while day < completed and day in covered:
                day += DAY
            if completed <= on and day == completed:
                answers.append((completed, employer_bin, start))
    if not answers:
        return None
    completed, employer_bin, start = min(answers)
    return (employer_bin, start, completed)


def answer_of(periods: list[Period], **kwargs):
    found = find_continuous_employment(periods, **kwargs)
    return None if found is None else (found.employer_bin, found.started_on, found.completed_on)


@settings(max_examples=300, deadline=None)
@given(
    raw=raw_periods,
    since=offsets,
    months=st.sampled_from([1, 3, 6]),
    on=st.integers(min_value=0, max_value=700),
)
def test_out_23_out_24_agree_with_the_day_by_day_model(raw, since, months, on):
    """OUT-23 / OUT-24: the spell-joining answer equals counting covered days one by one."""
    periods = build(raw)
    kwargs = {"since": ORIGIN + since * DAY, "months": months, "on": ORIGIN + on * DAY}
    assert answer_of(periods, **kwargs) == day_model(periods, **kwargs)


@settings(max_examples=300, deadline=None)
@given(
    raw=raw_periods,
    split=st.tuples(st.integers(0, 5), st.integers(0, 200), st.integers(0, 3)),
    since=offsets,
    months=st.sampled_from([3, 6]),
    on=st.integers(min_value=0, max_value=700),
)
def test_out_23_out_24_splitting_a_contract_into_adjacent_ones_changes_nothing(
    raw, split, since, months, on
):
    """OUT-23 / OUT-24: one contract, or the same days as a contract and its renewal (starting
    the next day or overlapping by a few days), gives the same answer."""
    periods = build(raw)
    index, cut, overlap = split
    kwargs = {"since": ORIGIN + since * DAY, "months": months, "on": ORIGIN + on * DAY}
    expected = answer_of(periods, **kwargs)
    if index < len(periods):
        whole = periods[index]
        end_of_first = whole.started_on + cut * DAY
        if whole.ended_on is None or end_of_first < whole.ended_on:
            renewal_start = max(whole.started_on, end_of_first + DAY - overlap * DAY)
            periods[index : index + 1] = [
                Period(whole.id, whole.employer_bin, whole.started_on, end_of_first),
                Period(100 + whole.id, whole.employer_bin, renewal_start, whole.ended_on),
            ]
    assert answer_of(periods, **kwargs) == expected


@settings(max_examples=200, deadline=None)
@given(raw=raw_periods, since=offsets, months=st.sampled_from([3, 6]), on=st.integers(0, 600))
def test_out_23_out_24_once_satisfied_stays_satisfied(raw, since, months, on):
    """OUT-23 / OUT-24: asking later never withdraws an answer already given."""
    periods = build(raw)
    kwargs = {"since": ORIGIN + since * DAY, "months": months}
    now = answer_of(periods, on=ORIGIN + on * DAY, **kwargs)
    later = answer_of(periods, on=ORIGIN + (on + 100) * DAY, **kwargs)
    assert now is None or later == now


@settings(max_examples=200, deadline=None)
@given(raw=raw_periods, since=offsets, window=st.integers(0, 60))
def test_out_18_a_new_employment_starts_a_spell_within_the_window(raw, since, window):
    """OUT-18: the record found starts within the window and nothing at its employer covers
    the day before it."""
    periods = build(raw)
    start, until = ORIGIN + since * DAY, ORIGIN + (since + window) * DAY
    found = first_new_employment(periods, since=start, until=until)
    if found is None:
        for spell in spells_of(p for p in periods if p.started_on <= until):
            assert not start <= spell.started_on <= until
        return
    assert start <= found.started_on <= until
    assert not any(
        p.employer_bin == found.employer_bin
        and p.started_on < found.started_on
        and (p.ended_on is None or p.ended_on >= found.started_on - DAY)
        for p in periods
    )
