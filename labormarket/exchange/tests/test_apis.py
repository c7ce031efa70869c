"""Exchange API: the journey from CV and vacancy to hire, and who sees what."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone, translation
from rest_framework.test import APIClient

from labormarket.accounts.choices import OrganisationKind, Role
from labormarket.accounts.tests.factories import OrganisationFactory, user_with_role
from labormarket.core.testing import next_iin
from labormarket.exchange import services
from labormarket.exchange.apis import VacancySerializer, vacancy_representations
from labormarket.exchange.models import Cv, Vacancy
from labormarket.exchange.search import VACANCY_LIST_RELATED
from labormarket.exchange.tests.conftest import cv_data, give_consent, vacancy_data
from labormarket.registry import services as registry_services
from labormarket.registry.models import Person
from labormarket.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


VACANCY = {
    "occupation": "7112",
    "title": "Каменщик",
    "locality": "351000000",
    "salary_min": "250000",
    "salary_max": "350000",
    "schedule": "full_day",
    "employment_type": "permanent",
    "places_total": 1,
    "skills": ["кладка кирпича"],
}


def test_journey_cv_vacancy_referral_hire(employer, employer_manager, specialist, centre):
    citizen = user_with_role(Role.CITIZEN)
    person = citizen.person
    me = client_for(citizen)
    cv = me.post(
        "/api/v1/cvs/",
        {
            "person": person.pk,
            "title": "Каменщик",
            "occupations": ["7112"],
            "regions": ["350000000"],
        },
        format="json",
    )
    assert cv.status_code == 201, cv.json()
    expires = (timezone.localdate() + timedelta(days=20)).isoformat()
    published = me.post(
        f"/api/v1/cvs/{cv.json()['id']}/publish/", {"expires_on": expires}, format="json"
    )
    assert (published.status_code, published.json()["status"]) == (200, "published")

    boss = client_for(employer_manager)
    vacancy = boss.post("/api/v1/vacancies/", {**VACANCY, "employer": employer.pk}, format="json")
    assert vacancy.status_code == 201, vacancy.json()
    vacancy_id = vacancy.json()["id"]
    assert boss.post(f"/api/v1/vacancies/{vacancy_id}/publish/").json()["status"] == "published"
    # The public sees the published vacancy.
    assert APIClient().get(f"/api/v1/vacancies/{vacancy_id}/").status_code == 200

    staff = client_for(specialist)
    body = {"vacancy": vacancy_id, "cv": cv.json()["id"], "organisation": centre.pk}
    refused = staff.post("/api/v1/referrals/", body, format="json")
    assert refused.status_code == 409
    assert (refused.json()["error"]["code"], refused.json()["error"]["rule"]) == (
        "consent_missing",
        "PRG-71",
    )
    give_consent(specialist, person, "referral_to_employer")
    referral = staff.post("/api/v1/referrals/", body, format="json")
    assert referral.status_code == 201
    assert referral.json()["status"] == "sent"

    inbox = boss.get("/api/v1/referrals/", {"status": "sent"}).json()
    assert [r["id"] for r in inbox["results"]] == [referral.json()["id"]]
    hired = boss.post(f"/api/v1/referrals/{referral.json()['id']}/hire/")
    assert hired.json()["status"] == "hired"
    again = boss.post(f"/api/v1/referrals/{referral.json()['id']}/hire/")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_answered")

    vacancy_after = boss.get(f"/api/v1/vacancies/{vacancy_id}/").json()
    assert (vacancy_after["status"], vacancy_after["places_open"]) == ("closed", 0)
    assert APIClient().get(f"/api/v1/vacancies/{vacancy_id}/").status_code == 404
    assert me.get(f"/api/v1/cvs/{cv.json()['id']}/").json()["status"] == "closed"
    assert Person.objects.get(pk=person.pk).labour_status == "not_registered"


def test_bad_vacancy_input_is_a_400_naming_fields(employer, employer_manager):
    response = client_for(employer_manager).post(
        "/api/v1/vacancies/",
        {
            **VACANCY,
            "employer": employer.pk,
            "salary_min": "500000",
            "salary_max": "100",
            "locality": "000000000",
        },
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {k: [e["code"] for e in v] for k, v in fields.items()} == {
        "locality": ["kato_unknown"],
        "salary_max": ["salary_range_reversed"],
    }


def test_employer_cannot_answer_for_another_employer(
    employer_manager, published_vacancy, published_cv, specialist, centre, job_seeker
):
    give_consent(specialist, job_seeker, "referral_to_employer")
    referral = (
        client_for(specialist)
        .post(
            "/api/v1/referrals/",
            {"vacancy": published_vacancy.pk, "cv": published_cv.pk, "organisation": centre.pk},
            format="json",
        )
        .json()
    )
    stranger = user_with_role(
        Role.EMPLOYER_MANAGER, organisation=OrganisationFactory(kind=OrganisationKind.EMPLOYER)
    )
    response = client_for(stranger).post(f"/api/v1/referrals/{referral['id']}/hire/")
    assert response.status_code == 404
    assert client_for(stranger).get("/api/v1/referrals/").json()["count"] == 0


def test_cv_contacts_are_hidden_from_employers_until_referral(
    employer_manager, published_cv, published_vacancy, specialist, centre, job_seeker
):
    boss = client_for(employer_manager)
    listed = boss.get("/api/v1/cvs/").json()
    assert [c["id"] for c in listed["results"]] == [published_cv.pk]
    assert listed["results"][0]["candidate"] is None
    give_consent(specialist, job_seeker, "referral_to_employer")
    client_for(specialist).post(
        "/api/v1/referrals/",
        {"vacancy": published_vacancy.pk, "cv": published_cv.pk, "organisation": centre.pk},
        format="json",
    )
    after = boss.get(f"/api/v1/cvs/{published_cv.pk}/").json()
    assert after["candidate"]["full_name"] == job_seeker.full_name


def test_cv_search_decides_whose_contacts_show_in_one_go(
    employer_manager, published_vacancy, specialist, centre, django_assert_max_num_queries
):
    """Contacts show only for the person referred to the employer, and the page costs the
    same number of queries however many CVs it holds."""

    def post_cvs(count: int) -> list[int]:
        ids = []
        for _ in range(count):
            person = PersonFactory()
            registry_services.person_register_job_seeker(
                actor=specialist, person_id=person.pk, organisation=centre
            )
            give_consent(specialist, person, "cv_publication")
            cv = services.cv_create(actor=specialist, person_id=person.pk, data=cv_data())
            ids.append(services.cv_publish(actor=specialist, cv_id=cv.pk).pk)
        return ids

    boss = client_for(employer_manager)

    def shown() -> dict[int, bool]:
        body = boss.get("/api/v1/search/cvs/", {"q": "каменщик"}).json()
        return {c["id"]: c["candidate"] is not None for c in body["results"]}

    first, second = post_cvs(2)
    referred = Cv.objects.select_related("person").get(pk=first)
    give_consent(specialist, referred.person, "referral_to_employer")
    response = client_for(specialist).post(
        "/api/v1/referrals/",
        {"vacancy": published_vacancy.pk, "cv": first, "organisation": centre.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    with django_assert_max_num_queries(100) as few:
        assert shown() == {first: True, second: False}
    more = post_cvs(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert shown() == {first: True, second: False, **dict.fromkeys(more, False)}


def test_prg_70_agency_figures_are_never_public(db):
    manager = user_with_role(Role.PEA_MANAGER)
    agency_id = manager.memberships.get().organisation_id
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    payload = {
        "agency": agency_id,
        "period": last_month.isoformat(),
        "lines": [{"occupation": "2512", "applicants": 10, "placed": 4}],
    }
    created = client_for(manager).post("/api/v1/agency-reports/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert APIClient().get("/api/v1/agency-reports/").status_code == 403
    for role in (Role.EMPLOYER_MANAGER, Role.CITIZEN):
        assert client_for(user_with_role(role)).get("/api/v1/agency-reports/").json()["count"] == 0
    other_pea = user_with_role(Role.PEA_MANAGER)
    assert client_for(other_pea).get("/api/v1/agency-reports/").json()["count"] == 0
    staff = client_for(user_with_role(Role.SPECIALIST))
    lines = staff.get("/api/v1/agency-reports/").json()["results"][0]["lines"]
    assert lines == [{"occupation": "2512", "applicants": 10, "placed": 4}]


def test_prg_70_report_validation(db):
    manager = user_with_role(Role.PEA_MANAGER)
    agency_id = manager.memberships.get().organisation_id
    response = client_for(manager).post(
        "/api/v1/agency-reports/",
        {
            "agency": agency_id,
            "period": timezone.localdate().isoformat(),
            "lines": [{"occupation": "2512", "applicants": 1, "placed": 3}],
        },
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {k: [e["code"] for e in v] for k, v in fields.items()} == {
        "period": ["month_not_over"],
        "lines.0.placed": ["placed_above_applicants"],
    }


def test_layoff_notice_then_registration_with_consent(
    employer, employer_manager, specialist, centre
):
    iin = next_iin(date(1980, 2, 2))
    planned = (timezone.localdate() + timedelta(days=60)).isoformat()
    notice = client_for(employer_manager).post(
        "/api/v1/layoff-notices/",
        {
            "employer": employer.pk,
            "kind": "staff_reduction",
            "planned_on": planned,
            "affected": [
                {"iin": iin, "last_name": "Касымов", "first_name": "Нуржан", "position": "Оператор"}
            ],
        },
        format="json",
    )
    assert notice.status_code == 201, notice.json()
    affected_id = notice.json()["affected"][0]["id"]
    registered = client_for(specialist).post(
        f"/api/v1/layoff-notices/affected/{affected_id}/register/",
        {"organisation": centre.pk, "consent_evidence_reference": "№ 77"},
        format="json",
    )
    assert registered.status_code == 200
    assert registered.json()["affected"][0]["status"] == "registered"
    person = Person.objects.get(iin=iin)
    assert person.labour_status == "job_seeker"
    assert person.consents.get().purpose == "personal_data"


def test_layoff_notice_with_bad_iin_writes_nothing(employer, employer_manager):
    response = client_for(employer_manager).post(
        "/api/v1/layoff-notices/",
        {
            "employer": employer.pk,
            "kind": "liquidation",
            "planned_on": "2020-01-01",
            "affected": [{"iin": "123", "last_name": "Касымов", "first_name": "Нуржан"}],
        },
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {k: [e["code"] for e in v] for k, v in fields.items()} == {
        "planned_on": ["date_in_past"],
        "affected.0.iin": ["iin_length"],
    }
    assert Person.objects.count() == 0


def test_forecast_jobs_are_seen_by_the_employer_and_the_region(
    employer, employer_manager, specialist
):
    expected = (timezone.localdate() + timedelta(days=90)).isoformat()
    created = client_for(employer_manager).post(
        "/api/v1/forecast-jobs/",
        {
            "employer": employer.pk,
            "occupation": "8111",
            "locality": "351000000",
            "quantity": 40,
            "expected_from": expected,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert client_for(specialist).get("/api/v1/forecast-jobs/").json()["count"] == 1
    outsider = user_with_role(Role.SPECIALIST, region_code="110000000")
    assert client_for(outsider).get("/api/v1/forecast-jobs/").json()["count"] == 0


def test_public_vacancy_search_with_filters_and_facets(published_vacancy):
    response = APIClient().get(
        "/api/v1/search/vacancies/", {"q": "каменщ", "region": "350000000", "occupation": "71"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], [v["id"] for v in body["results"]]) == (1, [published_vacancy.pk])
    assert body["facets"]["region"] == [{"code": "350000000", "count": 1}]
    nothing = APIClient().get("/api/v1/search/vacancies/", {"q": "программист"})
    assert nothing.json()["count"] == 0


def test_vacancy_search_takes_the_same_queries_whatever_the_page_holds(
    employer, employer_manager, django_assert_num_queries
):
    """Every related value a result shows (the education level included) comes with the page's
    one query: no query per vacancy."""

    def post(count: int) -> None:
        for _ in range(count):
            vacancy = services.vacancy_create(
                actor=employer_manager,
                employer_id=employer.pk,
                data=vacancy_data(education_min_code="tvet"),
            )
            services.vacancy_publish(actor=employer_manager, vacancy_id=vacancy.pk)

    def search() -> list[dict]:
        response = APIClient().get("/api/v1/search/vacancies/", {"q": "каменщик"})
        assert response.status_code == 200
        return response.json()["results"]

    # Facets with the total, the page, its vacancies; PostgreSQL looks the prefix up and asks
    # the planner first, then reads the total, facets and page in one statement.
    queries = 4 if connection.vendor == "postgresql" else 3
    post(2)
    with django_assert_num_queries(queries):
        assert [v["education_min"] for v in search()] == ["tvet", "tvet"]
    post(5)
    with django_assert_num_queries(queries):
        assert len(search()) == 7


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_search_results_show_vacancies_as_the_vacancy_serializer_does(
    employer, employer_manager, language
):
    """The search API builds its results without the serializer (its hot path); they must be
    what VacancySerializer shows, field for field, whatever is or is not filled in."""
    full = services.vacancy_create(
        actor=employer_manager,
        employer_id=employer.pk,
        data=vacancy_data(
            education_min_code="tvet",
            languages=["kk", "ru"],
            description="Кладка кирпича и блоков",
            health_restrictions="Работа на высоте",
            is_social_job=True,
            salary_min=Decimal("250000.5"),
        ),
    )
    services.vacancy_publish(actor=employer_manager, vacancy_id=full.pk)
    bare = services.vacancy_create(
        actor=employer_manager,
        employer_id=employer.pk,
        data=vacancy_data(salary_max=None, skills=[], locality_code="711110000"),
    )
    closed = services.vacancy_create(
        actor=employer_manager, employer_id=employer.pk, data=vacancy_data()
    )
    services.vacancy_publish(actor=employer_manager, vacancy_id=closed.pk)
    services.vacancy_close(actor=employer_manager, vacancy_id=closed.pk)
    ids = [closed.pk, bare.pk, full.pk, 10**9]  # in this order; the last does not exist
    with translation.override(language):
        expected = VacancySerializer(
            Vacancy.objects.select_related(*VACANCY_LIST_RELATED)
            .filter(pk__in=ids)
            .order_by("-pk"),
            many=True,
        ).data
        assert vacancy_representations(ids) == [dict(item) for item in expected]
        assert vacancy_representations([]) == []


def test_search_parameters_are_validated(db):
    response = APIClient().get(
        "/api/v1/search/vacancies/",
        {"salary_from": "много", "posted_since": "2025-02-30", "page": "0"},
    )
    assert response.status_code == 400
    assert sorted(response.json()["error"]["fields"]) == ["page", "posted_since", "salary_from"]


def test_cv_search_is_for_employers_agencies_and_centres(
    published_cv, employer_manager, specialist
):
    assert client_for(user_with_role(Role.CITIZEN)).get("/api/v1/search/cvs/").status_code == 403
    assert APIClient().get("/api/v1/search/cvs/").status_code == 403
    found = client_for(employer_manager).get("/api/v1/search/cvs/", {"q": "каменщик"}).json()
    assert [c["id"] for c in found["results"]] == [published_cv.pk]
    assert found["results"][0]["candidate"] is None  # contacts hidden before a referral
    staff = client_for(specialist).get("/api/v1/search/cvs/", {"q": "каменщик"}).json()
    assert staff["results"][0]["candidate"]["full_name"] == published_cv.person.full_name


def test_matches_explain_each_criterion(
    published_vacancy, published_cv, specialist, employer_manager
):
    response = client_for(specialist).get("/api/v1/matches/", {"vacancy": published_vacancy.pk})
    assert response.status_code == 200
    [match] = response.json()["results"]
    assert match["cv"] == published_cv.pk
    assert round(sum(c["points"] for c in match["criteria"]), 1) == match["score"]
    assert {c["code"] for c in match["criteria"]} == {
        "qualification",
        "education",
        "experience",
        "region",
        "transport",
        "salary",
        "skills",
    }
    assert (
        client_for(employer_manager)
        .get("/api/v1/matches/", {"vacancy": published_vacancy.pk})
        .status_code
        == 403
    )
    both = client_for(specialist).get("/api/v1/matches/")
    assert both.status_code == 400
