"""Exchange pages as their users use them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from labormarket.accounts.choices import Role
from labormarket.accounts.tests.factories import user_with_role
from labormarket.exchange.models import Cv, Vacancy
from labormarket.exchange.tests.conftest import give_consent

pytestmark = pytest.mark.django_db

VACANCY_FORM = {
    "title": "Каменщик",
    "occupation_code": "7112",
    "locality_code": "351000000",
    "salary_min": "250000",
    "salary_max": "350000",
    "schedule_code": "full_day",
    "employment_type_code": "permanent",
    "places_total": "1",
    "experience_years_min": "0",
    "skills": "кладка кирпича, чтение чертежей",
    "transport_accessible": "on",
}


def test_public_vacancy_list_shows_published_only(
    client, published_vacancy, employer_manager, employer
):
    from labormarket.exchange import services
    from labormarket.exchange.tests.conftest import vacancy_data

    services.vacancy_create(
        actor=employer_manager, employer_id=employer.pk, data=vacancy_data(title="Черновик")
    )
    response = client.get(reverse("exchange:vacancy_list"))
    assert [v.pk for v in response.context["vacancies"]] == [published_vacancy.pk]
    found = client.get(reverse("exchange:vacancy_list"), {"q": "каменщик", "region": "350000000"})
    assert [v.pk for v in found.context["vacancies"]] == [published_vacancy.pk]
    missing = client.get(reverse("exchange:vacancy_list"), {"q": "черновик"})
    assert list(missing.context["vacancies"]) == []


def test_vacancy_list_has_a_fixed_number_of_queries(
    client, employer_manager, employer, django_assert_max_num_queries
):
    from labormarket.exchange import services
    from labormarket.exchange.tests.conftest import vacancy_data

    for n in range(15):
        v = services.vacancy_create(
            actor=employer_manager, employer_id=employer.pk, data=vacancy_data(title=f"V{n}")
        )
        services.vacancy_publish(actor=employer_manager, vacancy_id=v.pk)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("exchange:vacancy_list"))
    assert len(response.context["vacancies"]) == 15


def test_employer_creates_and_publishes_a_vacancy(client, employer_manager, employer):
    client.force_login(employer_manager)
    response = client.post(
        reverse("exchange:vacancy_new") + f"?employer={employer.pk}", VACANCY_FORM
    )
    vacancy = Vacancy.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("exchange:vacancy_detail", args=[vacancy.pk])
    assert vacancy.skills == ["кладка кирпича", "чтение чертежей"]
    client.post(reverse("exchange:vacancy_publish", args=[vacancy.pk]))
    vacancy.refresh_from_db()
    assert vacancy.status == "published"


def test_vacancy_form_shows_service_errors_next_to_fields(client, employer_manager, employer):
    client.force_login(employer_manager)
    response = client.post(
        reverse("exchange:vacancy_new"),
        {**VACANCY_FORM, "salary_max": "1000", "locality_code": "999999999"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error("salary_max", code="salary_range_reversed")
    assert form.has_error("locality_code", code="kato_unknown")
    assert Vacancy.objects.count() == 0


def test_employer_cabinet_is_only_for_employer_managers(client, specialist):
    client.force_login(specialist)
    assert client.get(reverse("exchange:employer_cabinet")).status_code == 404


def test_citizen_writes_and_publishes_a_cv(client):
    citizen = user_with_role(Role.CITIZEN)
    client.force_login(citizen)
    response = client.post(
        reverse("exchange:cv_new"),
        {
            "title": "Каменщик",
            "occupation_codes": "7112, 7113",
            "regions": ["350000000"],
            "experience_years": "4",
            "skills": "кладка",
        },
    )
    assert response.status_code == 302
    cv = Cv.objects.get()
    assert sorted(o.code for o in cv.occupations.all()) == ["7112", "7113"]
    too_late = (timezone.localdate() + timedelta(days=40)).isoformat()
    client.post(reverse("exchange:cv_publish", args=[cv.pk]), {"expires_on": too_late})
    cv.refresh_from_db()
    assert cv.status == "draft"
    ok = (timezone.localdate() + timedelta(days=25)).isoformat()
    client.post(reverse("exchange:cv_publish", args=[cv.pk]), {"expires_on": ok})
    cv.refresh_from_db()
    assert cv.status == "published"
    page = client.get(reverse("exchange:my_cvs"))
    assert "PRG-68" not in page.content.decode()


def test_another_persons_cv_is_not_found(client, published_cv):
    citizen = user_with_role(Role.CITIZEN)
    client.force_login(citizen)
    assert client.get(reverse("exchange:cv_edit", args=[published_cv.pk])).status_code == 404
    assert client.post(reverse("exchange:cv_publish", args=[published_cv.pk])).status_code == 404


def test_employer_answers_from_the_cabinet(
    client, specialist, centre, published_vacancy, published_cv, job_seeker, employer_manager
):
    from labormarket.exchange import services

    give_consent(specialist, job_seeker, "referral_to_employer")
    referral = services.referral_create(
        actor=specialist,
        vacancy_id=published_vacancy.pk,
        cv_id=published_cv.pk,
        organisation_id=centre.pk,
    )
    client.force_login(employer_manager)
    cabinet = client.get(reverse("exchange:employer_cabinet"))
    assert [r.pk for r in cabinet.context["waiting"]] == [referral.pk]
    client.post(reverse("exchange:referral_refuse", args=[referral.pk]), {"reason": "experience"})
    referral.refresh_from_db()
    assert (referral.status, referral.refusal_reason) == ("refused", "experience")


def test_employer_notifies_a_layoff_from_the_cabinet(client, employer_manager):
    from datetime import date

    from labormarket.core.testing import next_iin
    from labormarket.exchange.models import LayoffNotice

    client.force_login(employer_manager)
    iin = next_iin(date(1979, 4, 4))
    planned = (timezone.localdate() + timedelta(days=45)).isoformat()
    response = client.post(
        reverse("exchange:employer_plans"),
        {
            "layoff": "1",
            "layoff-kind": "staff_reduction",
            "layoff-planned_on": planned,
            "layoff-affected": f"{iin}; Касымов; Нуржан; Ерланович; Оператор\n",
        },
    )
    assert response.status_code == 302
    notice = LayoffNotice.objects.get()
    assert [(a.person.iin, a.position) for a in notice.affected.all()] == [(iin, "Оператор")]


def test_agency_submits_figures_and_staff_see_them(client):
    manager = user_with_role(Role.PEA_MANAGER)
    client.force_login(manager)
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).isoformat()
    response = client.post(
        reverse("exchange:agency_reports"),
        {"period": last_month, "lines": "2512; 10; 4\n8322; 3; 3"},
    )
    assert response.status_code == 302
    staff = user_with_role(Role.SPECIALIST)
    client.force_login(staff)
    page = client.get(reverse("exchange:agency_figures"))
    assert [
        (r["occupation__code"], r["applicants"], r["placed"]) for r in page.context["rows"]
    ] == [
        ("2512", 10, 4),
        ("8322", 3, 3),
    ]
    client.force_login(user_with_role(Role.EMPLOYER_MANAGER))
    assert client.get(reverse("exchange:agency_figures")).status_code == 404
