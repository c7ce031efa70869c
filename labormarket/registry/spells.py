"""Continuous employment at one employer, computed from employment-contract records.

Pure functions (no database) so that the rules can be tested exhaustively; the selectors
``continuous_employment`` and ``employment_started`` feed them the person's records.

Conventions (OUT-18, OUT-23, OUT-24):

* A record covers every day from ``started_on`` to ``ended_on`` inclusive; ``ended_on=None``
  means the contract is still in force.
* Records at the same employer (same BIN) join into one *spell* when the next one starts no
  later than the day after the previous one ended (``next.started_on <= ended_on + 1 day``);
  overlapping records join too. Any day without a contract breaks the spell.
* Months are calendar months with an end-of-month clamp: 31 January + 1 month = 28 February
  (29 in a leap year); 29 February 2028 + 12 months = 28 February 2029.
* "Continuously employed for N months" from ``start`` is **satisfied on the day
  ``start + N months``** (``completed_on``): the spell must cover every day from ``start`` to
  the day before ``completed_on``. Started 15 January, 3 months are completed on 15 April;
  a contract of 15 January – 14 April lasted the full 3 months, one that ended on 13 April did
  not. As of 14 April the answer is still "not yet".
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def add_months(start: date, months: int) -> date:
    """``start`` moved by ``months`` calendar months, clamped to the last day of the month."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class Period:
    """One employment contract as far as continuity is concerned."""

    id: int
    employer_bin: str
    started_on: date
    ended_on: date | None


@dataclass(frozen=True, slots=True)
class Spell:
    """Records at one employer with no day between them; ``ended_on=None`` = still running."""

    employer_bin: str
    started_on: date
    ended_on: date | None
    periods: tuple[Period, ...]

    def covers_until(self, day: date) -> bool:
        """True if the spell covers every day from its start to ``day`` inclusive."""
        return self.ended_on is None or self.ended_on >= day


@dataclass(frozen=True, slots=True)
class ContinuousEmployment:
    """The answer of :func:`find_continuous_employment`.

    ``started_on`` is the first day of the spell, ``completed_on`` the day on which the months
    were completed (``started_on + months``), ``record_ids`` the records of the spell that
    cover those months, in order of start.
    """

    employer_bin: str
    started_on: date
    completed_on: date
    record_ids: tuple[int, ...]


def spells_of(periods: Iterable[Period]) -> list[Spell]:
    """Join the records into spells, per employer; ordered by start, then BIN."""
    by_employer: dict[str, list[Period]] = defaultdict(list)
    for period in periods:
        by_employer[period.employer_bin].append(period)
    spells: list[Spell] = []
    for employer_bin, items in by_employer.items():
        items.sort(key=lambda p: (p.started_on, p.id))
        first = items[0]
        start, end, current = first.started_on, first.ended_on, [first]
        for period in items[1:]:
            if end is not None and period.started_on > end + ONE_DAY:
                spells.append(Spell(employer_bin, start, end, tuple(current)))
                start, end, current = period.started_on, period.ended_on, [period]
                continue
            if end is not None:
                end = None if period.ended_on is None else max(end, period.ended_on)
            current.append(period)
        spells.append(Spell(employer_bin, start, end, tuple(current)))
    spells.sort(key=lambda s: (s.started_on, s.employer_bin))
    return spells


def find_continuous_employment(
    periods: Iterable[Period], *, since: date, months: int, on: date
) -> ContinuousEmployment | None:
    """The spell that, as of ``on``, had lasted ``months`` at one employer and began on or after
    ``since``; the one completed first (then the lower BIN) when there are several.

    Records that start after ``on`` are not known as of ``on`` and are ignored. A spell that
    began before ``since`` does not count, even if a renewal falls after ``since``: the person
    was already working there.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    best: ContinuousEmployment | None = None
    for spell in spells_of(p for p in periods if p.started_on <= on):
        if spell.started_on < since:
            continue
        completed_on = add_months(spell.started_on, months)
        if completed_on > on or not spell.covers_until(completed_on - ONE_DAY):
            continue
        found = ContinuousEmployment(
            employer_bin=spell.employer_bin,
            started_on=spell.started_on,
            completed_on=completed_on,
            record_ids=tuple(p.id for p in spell.periods if p.started_on < completed_on),
        )
        if best is None or (found.completed_on, found.employer_bin) < (
            best.completed_on,
            best.employer_bin,
        ):
            best = found
    return best


def first_new_employment(periods: Iterable[Period], *, since: date, until: date) -> Period | None:
    """The first record that began a new spell within ``[since, until]``.

    A renewal that continues a spell begun before ``since`` is not a new employment.
    """
    for spell in spells_of(p for p in periods if p.started_on <= until):
        if since <= spell.started_on <= until:
            return spell.periods[0]
    return None
