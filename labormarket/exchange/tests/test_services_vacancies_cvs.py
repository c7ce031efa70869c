"""Vacancies and CVs: validation, ownership, PRG-68 expiry, publication consent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from labormarket.accounts.choices import OrganisationKind, Role
from labormarket.accounts.tests.factories import OrganisationFactory, user_with_role
from labormarket.core.errors import Conflict, NotFound, ValidationFailed
from labormarket.exchange import services
from labormarket.exchange.models import Cv, Vacancy
from labormarket.exchange.services import one_month_after
from labormarket.exchange.tests.conftest import cv_data, give_consent, vacancy_data
from labormarket.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def codes(error: ValidationFailed) -> dict[str, list[str]]:
    return {name: [e.code for e in errors] for name, errors in error.fields.items()}


def test_vacancy_create_names_every_bad_field_and_writes_nothing(employer_manager, employer):
    with pytest.raises(ValidationFailed) as caught:
        services.vacancy_create(
            actor=employer_manager,
            employer_id=employer.pk,
            data=vacancy_data(
                occupation_code="71",
                locality_code="999999999",
                salary_min=Decimal("300000"),
                salary_max=Decimal("200000"),
                schedule_code="nights",
                places_total=0,
            ),
        )
    assert codes(caught.value) == {
        "occupation": ["occupation_unknown"],
        "locality": ["kato_unknown"],
        "schedule": ["invalid_choice"],
        "salary_max": ["salary_range_reversed"],
        "places_total": ["places_out_of_range"],
    }
    assert Vacancy.objects.count() == 0


def test_vacancy_takes_its_region_from_the_locality(employer_manager, employer):
    vacancy = services.vacancy_create(
        actor=employer_manager, employer_id=employer.pk, data=vacancy_data()
    )
    assert (vacancy.region.kato_code, vacancy.status, vacancy.places_open) == (
        "350000000",
        "draft",
        2,
    )
    assert vacancy.skills == ["кладка кирпича", "чтение чертежей"]


def test_employer_manager_cannot_touch_another_employers_vacancy(published_vacancy):
    other = user_with_role(
        Role.EMPLOYER_MANAGER,
        organisation=OrganisationFactory(kind=OrganisationKind.EMPLOYER),
    )
    with pytest.raises(NotFound):
        services.vacancy_close(actor=other, vacancy_id=published_vacancy.pk)
    with pytest.raises(NotFound):
        services.vacancy_create(
            actor=other, employer_id=published_vacancy.employer_id, data=vacancy_data()
        )
    published_vacancy.refresh_from_db()
    assert published_vacancy.status == "published"


def test_centre_staff_register_vacancies_for_employers_of_their_region(specialist, employer):
    vacancy = services.vacancy_create(
        actor=specialist, employer_id=employer.pk, data=vacancy_data()
    )
    assert vacancy.employer == employer


def test_vacancy_update_keeps_filled_places(published_vacancy, employer_manager):
    Vacancy.objects.filter(pk=published_vacancy.pk).update(places_open=1)
    with pytest.raises(ValidationFailed) as caught:
        services.vacancy_update(
            actor=employer_manager,
            vacancy_id=published_vacancy.pk,
            data=vacancy_data(places_total=0),
        )
    assert codes(caught.value)["places_total"] == ["places_out_of_range", "places_below_filled"]
    updated = services.vacancy_update(
        actor=employer_manager, vacancy_id=published_vacancy.pk, data=vacancy_data(places_total=5)
    )
    assert (updated.places_total, updated.places_open) == (5, 4)


def test_closed_vacancy_cannot_be_published_again(published_vacancy, employer_manager):
    services.vacancy_close(actor=employer_manager, vacancy_id=published_vacancy.pk)
    services.vacancy_close(actor=employer_manager, vacancy_id=published_vacancy.pk)  # no-op
    with pytest.raises(Conflict) as caught:
        services.vacancy_publish(actor=employer_manager, vacancy_id=published_vacancy.pk)
    assert caught.value.code == "vacancy_closed"


@pytest.mark.parametrize(
    ("posted", "latest"),
    [
        (date(2026, 1, 15), date(2026, 2, 15)),
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2026, 12, 10), date(2027, 1, 10)),
    ],
)
def test_prg_68_one_month_after_posting(posted, latest):
    assert one_month_after(posted) == latest


@time_machine.travel(date(2026, 1, 31))
def test_prg_68_self_posted_cv_expires_at_most_one_month_after_posting(db):
    citizen = user_with_role(Role.CITIZEN)
    person = citizen.person
    cv = services.cv_create(actor=citizen, person_id=person.pk, data=cv_data())
    assert cv.source == "self"
    for bad in (None, date(2026, 1, 31), date(2026, 3, 1)):
        with pytest.raises(ValidationFailed) as caught:
            services.cv_publish(actor=citizen, cv_id=cv.pk, expires_on=bad)
        error = caught.value.fields["expires_on"][0]
        assert error.rule == "PRG-68"
    cv.refresh_from_db()
    assert cv.status == "draft"
    published = services.cv_publish(actor=citizen, cv_id=cv.pk, expires_on=date(2026, 2, 28))
    assert (published.status, published.expires_on) == ("published", date(2026, 2, 28))
    # Without consent to publication only centres see it.
    assert published.visibility == "centres"


def test_prg_68_expired_cv_leaves_the_exchange_and_can_be_posted_again(db):
    citizen = user_with_role(Role.CITIZEN)
    with time_machine.travel(date(2026, 3, 2)):
        cv = services.cv_create(actor=citizen, person_id=citizen.person.pk, data=cv_data())
        services.cv_publish(actor=citizen, cv_id=cv.pk, expires_on=date(2026, 4, 2))
    assert services.cvs_expire(on_date=date(2026, 4, 2)) == 0
    assert services.cvs_expire(on_date=date(2026, 4, 3)) == 1
    assert services.cvs_expire(on_date=date(2026, 4, 3)) == 0
    cv.refresh_from_db()
    assert cv.status == "expired"
    with time_machine.travel(date(2026, 4, 10)):
        again = services.cv_publish(actor=citizen, cv_id=cv.pk, expires_on=date(2026, 5, 10))
    assert (again.status, again.expires_on) == ("published", date(2026, 5, 10))


def test_centre_posted_cv_follows_the_registration_and_consent(specialist, job_seeker):
    cv = services.cv_create(actor=specialist, person_id=job_seeker.pk, data=cv_data())
    assert cv.source == "centre"
    published = services.cv_publish(actor=specialist, cv_id=cv.pk)
    assert (published.expires_on, published.visibility) == (None, "centres")
    give_consent(specialist, job_seeker, "cv_publication")
    assert services.cv_publish(actor=specialist, cv_id=cv.pk).visibility == "public"


def test_centre_cannot_post_a_cv_of_an_unregistered_person(specialist):
    person = PersonFactory()
    cv = services.cv_create(actor=specialist, person_id=person.pk, data=cv_data())
    with pytest.raises(Conflict) as caught:
        services.cv_publish(actor=specialist, cv_id=cv.pk)
    assert caught.value.code == "person_not_registered"


def test_cv_validation_names_fields(specialist, job_seeker):
    with pytest.raises(ValidationFailed) as caught:
        services.cv_create(
            actor=specialist,
            person_id=job_seeker.pk,
            data=cv_data(
                title=" ",
                occupation_codes=["0000"],
                region_codes=["990000000"],
                expected_salary=Decimal("-1"),
            ),
        )
    assert codes(caught.value) == {
        "title": ["required"],
        "occupations": ["occupation_unknown"],
        "regions": ["region_unknown"],
        "expected_salary": ["salary_not_positive"],
    }
    assert Cv.objects.count() == 0


def test_nobody_writes_a_cv_for_a_stranger(db):
    citizen = user_with_role(Role.CITIZEN)
    stranger = PersonFactory()
    with pytest.raises(NotFound):
        services.cv_create(actor=citizen, person_id=stranger.pk, data=cv_data())
