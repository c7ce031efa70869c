"""Education, work history and family links: possible dates, known codes, scoped writes."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from labormarket.accounts.choices import Role
from labormarket.accounts.tests.factories import AKMOLA, region, user_with_role
from labormarket.core.errors import NotFound, ValidationFailed
from labormarket.core.testing import next_bin
from labormarket.registry import services
from labormarket.registry.models import EducationRecord, FamilyLink, WorkHistoryEntry
from labormarket.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def specialist():
    return user_with_role(Role.SPECIALIST)


def codes(error: ValidationFailed) -> dict[str, list[str]]:
    return {name: [e.code for e in errors] for name, errors in error.fields.items()}


def test_education_record_add_and_delete(specialist):
    person = PersonFactory()  # born 1990
    record = services.education_record_add(
        actor=specialist,
        person_id=person.pk,
        level_code="higher",
        institution=" КарГТУ ",
        speciality="Горное дело",
        graduation_year=2012,
    )
    assert (record.level.code, record.institution, record.graduation_year) == (
        "higher",
        "КарГТУ",
        2012,
    )
    services.education_record_delete(actor=specialist, person_id=person.pk, record_id=record.pk)
    assert EducationRecord.objects.count() == 0
    with pytest.raises(NotFound):
        services.education_record_delete(actor=specialist, person_id=person.pk, record_id=record.pk)


@time_machine.travel(date(2026, 11, 25))
def test_education_record_refuses_unknown_level_and_impossible_year(specialist):
    person = PersonFactory()  # born 17 May 1990
    with pytest.raises(ValidationFailed) as caught:
        services.education_record_add(
            actor=specialist,
            person_id=person.pk,
            level_code="astrology",
            institution="",
            graduation_year=1994,
        )
    assert codes(caught.value) == {
        "level": ["invalid_choice"],
        "institution": ["required"],
        "graduation_year": ["graduation_year_impossible"],
    }
    assert EducationRecord.objects.count() == 0
    # 1995 (age 5) and 2036 (ten years ahead) are the bounds.
    for year in (1995, 2036):
        services.education_record_add(
            actor=specialist,
            person_id=person.pk,
            level_code="primary",
            institution="Школа №1",
            graduation_year=year,
        )
    with pytest.raises(ValidationFailed):
        services.education_record_add(
            actor=specialist,
            person_id=person.pk,
            level_code="primary",
            institution="Школа №1",
            graduation_year=2037,
        )


@time_machine.travel(date(2026, 11, 25))
def test_work_history_validates_dates_bin_and_occupation(specialist):
    person = PersonFactory()  # born 17 May 1990: may work from 17 May 2004
    with pytest.raises(ValidationFailed) as caught:
        services.work_history_add(
            actor=specialist,
            person_id=person.pk,
            employer_name="ТОО «Руда»",
            position="Машинист",
            started_on=date(2004, 5, 16),
            ended_on=date(2003, 1, 1),
            employer_bin="123",
            occupation_code="9999",
        )
    assert codes(caught.value) == {
        "employer_bin": ["bin_length"],
        "occupation": ["occupation_unknown"],
        "started_on": ["work_before_minimum_age"],
        "ended_on": ["ends_before_start"],
    }
    with pytest.raises(ValidationFailed) as caught:
        services.work_history_add(
            actor=specialist,
            person_id=person.pk,
            employer_name="ТОО «Руда»",
            position="Машинист",
            started_on=date(2026, 11, 26),
        )
    assert codes(caught.value) == {"started_on": ["date_in_future"]}
    assert WorkHistoryEntry.objects.count() == 0
    bin_value = next_bin()
    entry = services.work_history_add(
        actor=specialist,
        person_id=person.pk,
        employer_name="ТОО «Руда»",
        position="Машинист",
        started_on=date(2004, 5, 17),
        ended_on=date(2026, 11, 25),
        employer_bin=bin_value,
        occupation_code="8111",
    )
    assert (entry.occupation.code, entry.employer_bin) == ("8111", bin_value)


def test_family_link_remove_removes_both_sides(specialist):
    person, sister = PersonFactory(), PersonFactory(male=False)
    services.family_link_add(
        actor=specialist, person_id=person.pk, relative_id=sister.pk, relation="sibling"
    )
    assert FamilyLink.objects.count() == 2
    services.family_link_remove(actor=specialist, person_id=person.pk, relative_id=sister.pk)
    assert FamilyLink.objects.count() == 0
    with pytest.raises(NotFound):
        services.family_link_remove(actor=specialist, person_id=person.pk, relative_id=sister.pk)


def test_relative_from_another_region_is_not_linked(specialist):
    person = PersonFactory()
    stranger = PersonFactory(region=region(AKMOLA))
    with pytest.raises(ValidationFailed) as caught:
        services.family_link_add(
            actor=specialist, person_id=person.pk, relative_id=stranger.pk, relation="spouse"
        )
    assert codes(caught.value) == {"relative": ["relative_unknown"]}
    assert FamilyLink.objects.count() == 0


def test_records_of_another_regions_person_are_not_found(specialist):
    stranger = PersonFactory(region=region(AKMOLA))
    with pytest.raises(NotFound):
        services.education_record_add(
            actor=specialist, person_id=stranger.pk, level_code="higher", institution="КазНУ"
        )
    assert EducationRecord.objects.count() == 0
