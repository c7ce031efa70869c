from __future__ import annotations

from decimal import Decimal

import pytest

from labormarket.accounts.choices import OrganisationKind, Role
from labormarket.accounts.tests.factories import OrganisationFactory, user_with_role
from labormarket.exchange import services
from labormarket.exchange.services import CvData, VacancyData
from labormarket.registry import services as registry_services
from labormarket.registry.tests.factories import PersonFactory


@pytest.fixture
def centre():
    return OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_CENTRE)


@pytest.fixture
def specialist(centre):
    return user_with_role(Role.SPECIALIST, organisation=centre)


@pytest.fixture
def employer():
    return OrganisationFactory(kind=OrganisationKind.EMPLOYER, name="ТОО «Караганда Стройсервис»")


@pytest.fixture
def employer_manager(employer):
    return user_with_role(Role.EMPLOYER_MANAGER, organisation=employer)


def vacancy_data(**overrides) -> VacancyData:
    values = {
        "occupation_code": "7112",
        "title": "Каменщик",
        "locality_code": "351000000",
        "salary_min": Decimal("250000"),
        "salary_max": Decimal("350000"),
        "schedule_code": "full_day",
        "employment_type_code": "permanent",
        "places_total": 2,
        "skills": ["кладка кирпича", "чтение чертежей"],
    }
    values.update(overrides)
    return VacancyData(**values)


def cv_data(**overrides) -> CvData:
    values = {
        "title": "Каменщик 4 разряда",
        "occupation_codes": ["7112"],
        "region_codes": ["350000000"],
        "expected_salary": Decimal("300000"),
        "skills": ["кладка кирпича"],
    }
    values.update(overrides)
    return CvData(**values)


@pytest.fixture
def published_vacancy(employer_manager, employer):
    vacancy = services.vacancy_create(
        actor=employer_manager, employer_id=employer.pk, data=vacancy_data()
    )
    return services.vacancy_publish(actor=employer_manager, vacancy_id=vacancy.pk)


@pytest.fixture
def job_seeker(specialist, centre):
    person = PersonFactory(last_name="Жумабаев", first_name="Ерлан")
    registry_services.person_register_job_seeker(
        actor=specialist, person_id=person.pk, organisation=centre
    )
    return person


def give_consent(actor, person, purpose: str) -> None:
    registry_services.consent_give(
        actor=actor,
        person_id=person.pk,
        purpose=purpose,
        scope="exchange",
        version="1.0",
        evidence="paper",
        evidence_reference="№ 1",
    )


@pytest.fixture
def published_cv(specialist, job_seeker):
    give_consent(specialist, job_seeker, "cv_publication")
    cv = services.cv_create(actor=specialist, person_id=job_seeker.pk, data=cv_data())
    return services.cv_publish(actor=specialist, cv_id=cv.pk)
