"""continuous_employment and employment_started on records in the database (OUT-18, OUT-23,
OUT-24)."""

from __future__ import annotations

from datetime import date

import pytest

from labormarket.core.testing import next_bin
from labormarket.registry.models import EmploymentImport, EmploymentRecord, Person
from labormarket.registry.selectors import (
    ContinuousEmployment,
    continuous_employment,
    employment_started,
)
from labormarket.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

CONTRACT = date(2026, 3, 2)  # the outsourcing contract date


@pytest.fixture
def batch() -> EmploymentImport:
    return EmploymentImport.objects.create(file_name="t.csv", sha256="0" * 64)


@pytest.fixture
def person() -> Person:
    return PersonFactory()


@pytest.fixture
def add(person, batch):
    def add(employer_bin: str, started_on: date, ended_on: date | None = None) -> EmploymentRecord:
        return EmploymentRecord.objects.create(
            person=person,
            employer_bin=employer_bin,
            started_on=started_on,
            ended_on=ended_on,
            source_import=batch,
        )

    return add


def test_out_23_three_months_are_completed_on_the_day_start_plus_three_months(person, add):
    """OUT-23: stage 2 is due for a person continuously employed at one employer for 3 months;
    started 16 March, the 3 months are completed on 16 June."""
    employer_bin = next_bin()
    record = add(employer_bin, date(2026, 3, 16))
    assert continuous_employment(person, since=CONTRACT, months=3, on=date(2026, 6, 15)) is None
    assert continuous_employment(
        person, since=CONTRACT, months=3, on=date(2026, 6, 16)
    ) == ContinuousEmployment(
        employer_bin=employer_bin,
        started_on=date(2026, 3, 16),
        completed_on=date(2026, 6, 16),
        record_ids=(record.pk,),
    )


def test_out_24_renewals_without_a_gap_are_one_spell(person, add, django_assert_num_queries):
    """OUT-24: six months at one employer across a fixed-term contract and its renewals; a
    renewal may start the day after the previous contract ended or overlap it."""
    employer_bin = next_bin()
    first = add(employer_bin, date(2026, 3, 16), date(2026, 5, 31))
    second = add(employer_bin, date(2026, 6, 1), date(2026, 8, 31))
    third = add(employer_bin, date(2026, 8, 20))
    later = add(employer_bin, date(2026, 9, 20))  # starts after completion: not evidence
    with django_assert_num_queries(1):
        found = continuous_employment(person, since=CONTRACT, months=6, on=date(2026, 10, 1))
    assert found == ContinuousEmployment(
        employer_bin=employer_bin,
        started_on=date(2026, 3, 16),
        completed_on=date(2026, 9, 16),
        record_ids=(first.pk, second.pk, third.pk),
    )
    assert later.pk not in found.record_ids


def test_out_23_a_gap_of_one_day_breaks_the_spell(person, add):
    """OUT-23: the 3 months count again from the start after the gap."""
    employer_bin = next_bin()
    add(employer_bin, date(2026, 3, 16), date(2026, 5, 31))
    after_gap = add(employer_bin, date(2026, 6, 2))  # 1 June without a contract
    assert continuous_employment(person, since=CONTRACT, months=3, on=date(2026, 9, 1)) is None
    found = continuous_employment(person, since=CONTRACT, months=3, on=date(2026, 9, 2))
    assert found is not None
    assert (found.started_on, found.completed_on, found.record_ids) == (
        date(2026, 6, 2),
        date(2026, 9, 2),
        (after_gap.pk,),
    )


def test_out_23_two_employers_do_not_add_up(person, add):
    """OUT-23: "at one employer" — two months at one and two at another are not 3 months."""
    add(next_bin(), date(2026, 3, 16), date(2026, 5, 15))
    second_bin = next_bin()
    add(second_bin, date(2026, 5, 16))
    assert continuous_employment(person, since=CONTRACT, months=3, on=date(2026, 8, 15)) is None
    found = continuous_employment(person, since=CONTRACT, months=3, on=date(2026, 8, 16))
    assert found is not None
    assert (found.employer_bin, found.started_on) == (second_bin, date(2026, 5, 16))


def test_out_23_with_two_qualifying_employers_the_first_completed_is_returned(person, add):
    """OUT-23: a second job held in parallel; the spell completed first answers."""
    early, late = next_bin(), next_bin()
    add(late, date(2026, 4, 1))
    add(early, date(2026, 3, 20))
    found = continuous_employment(person, since=CONTRACT, months=3, on=date(2026, 7, 1))
    assert found is not None
    assert (found.employer_bin, found.completed_on) == (early, date(2026, 6, 20))


def test_out_23_an_ended_spell_counts_only_if_it_lasted_the_full_months(person, add):
    """OUT-23: 16 March – 15 June is the full 3 months; 16 March – 14 June is not."""
    full, short = next_bin(), next_bin()
    add(short, date(2026, 3, 16), date(2026, 6, 14))
    assert continuous_employment(person, since=CONTRACT, months=3, on=date(2026, 12, 1)) is None
    add(full, date(2026, 3, 16), date(2026, 6, 15))
    found = continuous_employment(person, since=CONTRACT, months=3, on=date(2026, 12, 1))
    assert found is not None
    assert (found.employer_bin, found.completed_on) == (full, date(2026, 6, 16))


def test_out_23_month_end_clamp(person, add):
    """OUT-23: started 30 November, 3 months are completed on 28 February (no 30 February)."""
    add(next_bin(), date(2026, 11, 30))
    since = date(2026, 11, 1)
    assert continuous_employment(person, since=since, months=3, on=date(2027, 2, 27)) is None
    found = continuous_employment(person, since=since, months=3, on=date(2027, 2, 28))
    assert found is not None
    assert found.completed_on == date(2027, 2, 28)


def test_out_24_leap_year(person, add):
    """OUT-24: started 31 August 2027, 6 months are completed on 29 February 2028."""
    add(next_bin(), date(2027, 8, 31), date(2028, 2, 28))
    since = date(2027, 8, 1)
    assert continuous_employment(person, since=since, months=6, on=date(2028, 2, 29)) is not None
    assert continuous_employment(person, since=since, months=6, on=date(2028, 2, 28)) is None


def test_out_23_employment_begun_before_the_contract_does_not_count(person, add):
    """OUT-23: the agency did not place a person already working there, renewals included."""
    employer_bin = next_bin()
    add(employer_bin, date(2026, 1, 10), date(2026, 3, 31))
    add(employer_bin, date(2026, 4, 1))
    assert continuous_employment(person, since=CONTRACT, months=3, on=date(2026, 12, 1)) is None


def test_out_23_records_known_only_after_the_date_are_ignored(person, add):
    """OUT-23: as of 1 June the person had no contract starting after that day."""
    add(next_bin(), date(2026, 6, 2))
    assert continuous_employment(person, since=CONTRACT, months=3, on=date(2026, 6, 1)) is None


def test_out_18_employment_started_finds_the_first_new_employment(person, add):
    """OUT-18: employed within 30 working days of the contract date (the caller gives the
    last day); a renewal of employment begun before the contract is not new."""
    until = date(2026, 4, 13)
    old_bin = next_bin()
    add(old_bin, date(2025, 9, 1), date(2026, 3, 5))
    add(old_bin, date(2026, 3, 6), date(2026, 3, 10))  # renewal, not a new employment
    assert employment_started(person, since=CONTRACT, until=until) is None
    add(next_bin(), date(2026, 4, 14))  # one day late
    assert employment_started(person, since=CONTRACT, until=until) is None
    first = add(next_bin(), date(2026, 3, 20), date(2026, 3, 27))
    add(next_bin(), date(2026, 4, 1))
    assert employment_started(person, since=CONTRACT, until=until) == first
    assert employment_started(person, since=date(2026, 3, 20), until=date(2026, 3, 20)) == first


def test_records_of_another_person_are_not_counted(person, add):
    PersonFactory()  # nothing of theirs is added
    other = PersonFactory()
    EmploymentRecord.objects.create(
        person=other,
        employer_bin=next_bin(),
        started_on=date(2026, 3, 16),
        source_import=EmploymentImport.objects.get(),
    )
    assert continuous_employment(person, since=CONTRACT, months=3, on=date(2026, 12, 1)) is None
    assert employment_started(person, since=CONTRACT, until=date(2026, 12, 1)) is None
