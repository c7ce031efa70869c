"""Exchange pages as their users use them."""

from __future__ import annotations

import re
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


# --- CV search -----------------------------------------------------------------------------------


def post_cv(specialist, centre, *, consent: bool = True, **overrides) -> Cv:
    """A CV a centre publishes for a new job seeker of Karaganda with a phone and an e-mail;
    without ``consent`` to publication it is shown to centres only."""
    from labormarket.exchange import services
    from labormarket.exchange.tests.conftest import cv_data
    from labormarket.registry import services as registry_services
    from labormarket.registry.models import PersonPhone
    from labormarket.registry.tests.factories import PersonFactory

    person = PersonFactory(email=f"seeker{Cv.objects.count()}@example.kz")
    PersonPhone.objects.create(
        person=person, number=f"+7701555{Cv.objects.count():04d}", is_primary=True
    )
    registry_services.person_register_job_seeker(
        actor=specialist, person_id=person.pk, organisation=centre
    )
    if consent:
        give_consent(specialist, person, "cv_publication")
    cv = services.cv_create(actor=specialist, person_id=person.pk, data=cv_data(**overrides))
    return services.cv_publish(actor=specialist, cv_id=cv.pk)


def found(response) -> list[int]:
    return [cv.pk for cv, _contact in response.context["page"].object_list]


def test_cv_search_finds_by_words_and_each_filter_with_facet_counts(
    client, specialist, centre, employer_manager
):
    from decimal import Decimal

    bricklayer = post_cv(
        specialist,
        centre,
        title="Каменщик 4 разряда",
        schedule_code="shift",
        experience_years=6,
        skills=["кладка кирпича", "штукатурка"],
    )
    driver = post_cv(
        specialist,
        centre,
        title="Водитель категории B",
        occupation_codes=["8322"],
        region_codes=["350000000", "110000000"],
        expected_salary=Decimal("450000"),
        ready_to_relocate=True,
        skills=["вождение"],
    )
    client.force_login(employer_manager)
    url = reverse("exchange:cv_search")
    everything = client.get(url)
    assert everything.status_code == 200
    assert sorted(found(everything)) == sorted([bricklayer.pk, driver.pk])
    by_region, by_group, by_schedule = (rows for _title, rows in everything.context["facets"])
    assert by_region == [("Карагандинская область", 2), ("Акмолинская область", 1)]
    assert sorted(by_group) == [
        (
            "7 · Квалифицированные рабочие промышленности, строительства, транспорта и рабочие "
            "родственных занятий",
            1,
        ),
        ("8 · Операторы производственных установок и машин, сборщики и водители", 1),
    ]
    assert by_schedule == [("Сменный график", 1)]
    assert client.get(url, {"q": "каменщик"}).context["result"].ids == [bricklayer.pk]
    assert found(client.get(url, {"region": "110000000"})) == [driver.pk]
    assert found(client.get(url, {"occupation": "83"})) == [driver.pk]
    assert found(client.get(url, {"salary_to": "400000"})) == [bricklayer.pk]
    assert found(client.get(url, {"schedule": "shift"})) == [bricklayer.pk]
    assert found(client.get(url, {"ready_to_relocate": "yes"})) == [driver.pk]
    assert found(client.get(url, {"ready_to_relocate": "no"})) == [bricklayer.pk]
    row = client.get(url, {"q": "каменщик"}).content.decode()
    for shown in (
        "Каменщик 4 разряда",
        "7112 · Каменщики и рабочие родственных занятий",
        "Карагандинская область",
        "300\xa0000 ₸",
        "Сменный график",
        "опыт работы: 6 лет",
        "штукатурка",
        bricklayer.published_at.astimezone(timezone.get_current_timezone()).strftime("%d.%m.%Y"),
    ):
        assert shown in row, shown
    nothing = client.get(url, {"q": "астронавт"})
    assert found(nothing) == []
    assert 'id="nothing-found"' in nothing.content.decode()


def test_cv_search_shows_contacts_to_the_employer_only_after_a_referral(
    client, specialist, centre, employer_manager, published_vacancy
):
    """Name, masked IIN, phone and e-mail once the person is referred to the employer; never
    the full IIN; and, like the API's search, the list writes nothing to the access log."""
    from labormarket.core.iin import mask_iin
    from labormarket.exchange import services
    from labormarket.exchange.selectors import CvContacts
    from labormarket.registry.models import PersonAccessLog

    cv = post_cv(specialist, centre)
    person = cv.person
    phone = person.phones.get().number
    client.force_login(employer_manager)
    url = reverse("exchange:cv_search")
    before = client.get(url)
    assert before.context["page"].object_list == [(cv, None)]
    html = before.content.decode()
    for secret in (person.last_name, person.iin, mask_iin(person.iin), phone, person.email):
        assert secret not in html, secret
    give_consent(specialist, person, "referral_to_employer")
    services.referral_create(
        actor=specialist,
        vacancy_id=published_vacancy.pk,
        cv_id=cv.pk,
        organisation_id=centre.pk,
    )
    after = client.get(url)
    contacts = CvContacts(
        full_name=person.full_name,
        iin_masked=mask_iin(person.iin),
        phone=phone,
        email=person.email,
    )
    assert after.context["page"].object_list == [(cv, contacts)]
    html = after.content.decode()
    for shown in (person.full_name, mask_iin(person.iin), phone, person.email):
        assert shown in html, shown
    assert person.iin not in html
    assert after.context["with_vacancies"] == set()  # the matching is for staff and the person
    assert PersonAccessLog.objects.count() == 0


def test_staff_find_centre_only_cvs_with_the_contacts_of_their_region_only(
    client, specialist, centre, employer_manager
):
    from labormarket.accounts.tests.factories import AKMOLA

    public = post_cv(specialist, centre)
    centres_only = post_cv(specialist, centre, consent=False)
    assert (public.visibility, centres_only.visibility) == ("public", "centres")
    url = reverse("exchange:cv_search")
    client.force_login(employer_manager)
    assert found(client.get(url)) == [public.pk]
    client.force_login(specialist)
    mine = client.get(url)
    assert sorted(found(mine)) == sorted([public.pk, centres_only.pk])
    assert [contact.full_name for _cv, contact in mine.context["page"].object_list] == [
        Cv.objects.get(pk=pk).person.full_name for pk in found(mine)
    ]
    assert mine.context["with_vacancies"] == {public.pk, centres_only.pk}
    assert f'href="{reverse("exchange:cv_vacancies", args=[public.pk])}"' in (mine.content.decode())
    client.force_login(user_with_role(Role.SPECIALIST, region_code=AKMOLA))
    elsewhere = client.get(url)
    assert sorted(found(elsewhere)) == sorted([public.pk, centres_only.pk])
    assert [contact for _cv, contact in elsewhere.context["page"].object_list] == [None, None]
    assert elsewhere.context["with_vacancies"] == set()
    assert public.person.last_name not in elsewhere.content.decode()


@pytest.mark.parametrize(
    "role", [Role.CITIZEN, Role.LEB_SPECIALIST, Role.WDC_ANALYST, Role.MINISTRY_ANALYST]
)
def test_cv_search_is_not_for_citizens_and_oversight_roles(client, published_cv, role):
    client.force_login(user_with_role(role))
    assert client.get(reverse("exchange:cv_search")).status_code == 404


def test_cv_search_asks_the_public_to_sign_in(client, published_cv):
    response = client.get(reverse("exchange:cv_search"), {"q": "каменщик"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"salary_to": "много"}, "salary_to", "invalid"),
        ({"salary_to": "-5"}, "salary_to", "min_value"),
        ({"region": "999999999"}, "region", "invalid_choice"),
        ({"schedule": "nights"}, "schedule", "invalid_choice"),
        ({"ready_to_relocate": "maybe"}, "ready_to_relocate", "invalid_choice"),
        ({"occupation": "7" * 13}, "occupation", "max_length"),
        ({"q": "каменщик 900517300123"}, "q", "iin_not_in_url"),
    ],
)
def test_cv_search_names_a_bad_filter_and_searches_nothing(
    client, employer_manager, published_cv, monkeypatch, params, field, code
):
    from django.utils.html import escape

    from labormarket.exchange import search

    def no_search(query):
        raise AssertionError("searched with a bad filter")

    monkeypatch.setattr(search, "cv_search", no_search)
    client.force_login(employer_manager)
    response = client.get(reverse("exchange:cv_search"), {"q": "каменщик", **params})
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert form.has_error(field, code)
    assert response.context["result"] is None
    html = response.content.decode()
    assert escape(f"{form[field].label}: {form.errors[field][0]}") in html
    assert 'id="search-errors"' in html


def test_cv_search_pages_keep_the_filters(
    client, specialist, centre, employer_manager, monkeypatch
):
    from urllib.parse import urlencode

    from labormarket.exchange import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    posted = {post_cv(specialist, centre, title=f"Каменщик {n}").pk for n in range(5)}
    post_cv(specialist, centre, title="Водитель", occupation_codes=["8322"])
    client.force_login(employer_manager)
    url = reverse("exchange:cv_search")
    asked = {"q": "каменщик", "schedule": "", "utm": "x"}
    first = client.get(url, asked)
    page = first.context["page"]
    assert (page.number, page.paginator.num_pages, len(page.object_list)) == (1, 3, 2)
    html = first.content.decode()
    assert re.findall(r'href="(\?[^"]*)"', html) == [f"?{urlencode({'q': 'каменщик'})}&page=2"]
    seen = found(first)
    for number, size in (("2", 2), ("3", 1)):
        later = client.get(url, {**asked, "page": number})
        assert (later.context["page"].number, len(found(later))) == (int(number), size)
        assert f'href="?{urlencode({"q": "каменщик"})}&page={int(number) - 1}"' in (
            later.content.decode()
        )
        seen += found(later)
    assert sorted(seen) == sorted(posted)
    beyond = client.get(url, {**asked, "page": "9"})
    assert (beyond.context["page"].number, found(beyond)) == (3, found(later))
    for nonsense in ("abc", "0", "-1", "9" * 30):
        again = client.get(url, {**asked, "page": nonsense})
        assert (again.context["page"].number, found(again)) == (1, found(first)), nonsense


@pytest.mark.parametrize("searcher", ["employer_manager", "specialist"])
def test_cv_search_costs_the_same_queries_for_2_and_for_7_rows(
    client,
    request,
    searcher,
    specialist,
    centre,
    published_vacancy,
    django_assert_max_num_queries,
    django_assert_num_queries,
):
    from labormarket.exchange import services

    referred, _other = post_cv(specialist, centre), post_cv(specialist, centre)
    give_consent(specialist, referred.person, "referral_to_employer")
    services.referral_create(
        actor=specialist,
        vacancy_id=published_vacancy.pk,
        cv_id=referred.pk,
        organisation_id=centre.pk,
    )
    client.force_login(request.getfixturevalue(searcher))
    url = reverse("exchange:cv_search")
    client.get(url)
    with django_assert_max_num_queries(40) as two:
        response = client.get(url, {"q": "каменщик"})
    assert len(found(response)) == 2
    assert response.context["page"].object_list[-1][1] is not None  # the referred one shows
    for _ in range(5):
        post_cv(specialist, centre)
    with django_assert_num_queries(len(two.captured_queries)):
        response = client.get(url, {"q": "каменщик"})
    assert len(found(response)) == 7


def test_cv_search_is_in_the_navigation_and_the_cabinets_of_those_who_search(
    client, employer_manager, specialist
):
    url = reverse("exchange:cv_search")
    agency = user_with_role(Role.PEA_MANAGER)
    for user, shown in (
        (employer_manager, True),
        (agency, True),
        (specialist, True),
        (user_with_role(Role.CITIZEN), False),
        (user_with_role(Role.LEB_HEAD), False),
    ):
        client.force_login(user)
        items = [item.url for item, _active in client.get("/").context["nav_items"]]
        assert (url in items) is shown, user
    for user, cabinet in (
        (employer_manager, "exchange:employer_cabinet"),
        (agency, "exchange:agency_reports"),
        (specialist, "exchange:staff_vacancies"),
    ):
        client.force_login(user)
        html = client.get(reverse(cabinet)).content.decode()
        assert f'href="{url}" id="cv-search-link"' in html, cabinet


# --- Vacancies for a CV (PRG-71) -----------------------------------------------------------------


def test_prg_71_the_job_seeker_sees_vacancies_ranked_for_their_own_cv(client, published_vacancy):
    from labormarket.exchange import services
    from labormarket.exchange.matching import vacancies_for_cv
    from labormarket.exchange.tests.conftest import cv_data
    from labormarket.exchange.views import CRITERION_LABELS

    citizen = user_with_role(Role.CITIZEN)
    cv = services.cv_create(actor=citizen, person_id=citizen.person.pk, data=cv_data())
    services.cv_publish(
        actor=citizen, cv_id=cv.pk, expires_on=timezone.localdate() + timedelta(days=20)
    )
    client.force_login(citizen)
    url = reverse("exchange:cv_vacancies", args=[cv.pk])
    assert f'href="{url}"' in client.get(reverse("exchange:my_cvs")).content.decode()
    page = client.get(url)
    assert page.status_code == 200
    [(match, vacancy, criteria)] = page.context["rows"]
    assert (vacancy, match) == (published_vacancy, vacancies_for_cv(cv)[0])
    assert [(c.code, label) for c, label in criteria] == [
        (c.code, CRITERION_LABELS[c.code]) for c in match.criteria
    ]
    assert {c.code for c, _label in criteria} == set(CRITERION_LABELS)
    html = page.content.decode()
    assert f'href="{reverse("exchange:vacancy_detail", args=[vacancy.pk])}"' in html
    assert "Квалификация" in html
    assert page.context["own"] is True


def test_prg_71_staff_see_vacancies_for_cvs_of_their_region_only(
    client, specialist, published_cv, published_vacancy, employer_manager
):
    from labormarket.accounts.tests.factories import AKMOLA

    url = reverse("exchange:cv_vacancies", args=[published_cv.pk])
    client.force_login(specialist)
    page = client.get(url)
    assert page.status_code == 200
    assert [vacancy.pk for _match, vacancy, _criteria in page.context["rows"]] == [
        published_vacancy.pk
    ]
    assert page.context["own"] is False
    candidates = client.get(reverse("exchange:candidates", args=[published_vacancy.pk]))
    assert f'href="{url}"' in candidates.content.decode()
    assert client.get(reverse("exchange:cv_vacancies", args=[10**6])).status_code == 404
    for stranger in (
        user_with_role(Role.SPECIALIST, region_code=AKMOLA),
        employer_manager,  # sees the CV itself, not what it is matched with
        user_with_role(Role.PEA_MANAGER),
        user_with_role(Role.CITIZEN),
    ):
        client.force_login(stranger)
        assert client.get(url).status_code == 404, stranger
    client.logout()
    assert client.get(url).status_code == 302


def test_vacancies_for_a_cv_say_why_the_list_is_empty(client, specialist, job_seeker):
    from labormarket.exchange import services
    from labormarket.exchange.tests.conftest import cv_data

    draft = services.cv_create(actor=specialist, person_id=job_seeker.pk, data=cv_data())
    client.force_login(specialist)
    page = client.get(reverse("exchange:cv_vacancies", args=[draft.pk]))
    assert (page.status_code, page.context["rows"]) == (200, [])
    assert 'id="cv-not-published"' in page.content.decode()
    give_consent(specialist, job_seeker, "cv_publication")
    services.cv_publish(actor=specialist, cv_id=draft.pk)
    page = client.get(reverse("exchange:cv_vacancies", args=[draft.pk]))
    assert (page.status_code, page.context["rows"]) == (200, [])
    assert 'id="no-vacancies"' in page.content.decode()


def test_vacancies_for_a_cv_cost_the_same_queries_for_2_and_for_7_rows(
    client,
    specialist,
    published_cv,
    employer_manager,
    employer,
    django_assert_max_num_queries,
    django_assert_num_queries,
):
    from labormarket.exchange import services
    from labormarket.exchange.tests.conftest import vacancy_data

    def publish(count: int) -> None:
        for n in range(count):
            vacancy = services.vacancy_create(
                actor=employer_manager,
                employer_id=employer.pk,
                data=vacancy_data(title=f"Каменщик {n}"),
            )
            services.vacancy_publish(actor=employer_manager, vacancy_id=vacancy.pk)

    publish(2)
    client.force_login(specialist)
    url = reverse("exchange:cv_vacancies", args=[published_cv.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as two:
        response = client.get(url)
    assert len(response.context["rows"]) == 2
    publish(5)
    with django_assert_num_queries(len(two.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 7
