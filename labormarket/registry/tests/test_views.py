"""Registry pages: search by POST, the purpose asked before a card opens, the access log."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from labormarket.accounts.choices import Role
from labormarket.accounts.tests.factories import KARAGANDA, region, user_with_role
from labormarket.core.testing import next_iin
from labormarket.registry.models import Person, PersonAccessLog
from labormarket.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def specialist_client(client):
    user = user_with_role(Role.SPECIALIST)
    client.force_login(user)
    client.user = user
    return client


def test_search_by_name_prefix_is_case_insensitive_in_cyrillic(specialist_client):
    PersonFactory(last_name="Ёлкина", first_name="Анна", male=False)
    PersonFactory(last_name="Ахметов", first_name="Серик")
    response = specialist_client.post(
        reverse("registry:home"), {"q": "ЕЛК", "purpose": "consultation"}
    )
    assert response.status_code == 200
    assert [p.last_name for p in response.context["page"].object_list] == ["Ёлкина"]


def test_search_by_first_and_second_word(specialist_client):
    PersonFactory(last_name="Ахметов", first_name="Серик", middle_name="Нурланович")
    PersonFactory(last_name="Ахметов", first_name="Айдар", middle_name="Нурланович")
    response = specialist_client.post(
        reverse("registry:home"), {"q": "ахметов сер", "purpose": "consultation"}
    )
    assert [p.first_name for p in response.context["page"].object_list] == ["Серик"]


def test_search_by_iin_finds_exactly_one_and_keeps_it_out_of_the_url(specialist_client):
    person = PersonFactory()
    PersonFactory()
    response = specialist_client.post(
        reverse("registry:home"),
        {"q": person.iin, "purpose": "consultation"},
        HTTP_HX_REQUEST="true",
    )
    assert list(response.context["page"].object_list) == [person]
    # The results list shows names and links by id; the IIN stays in the form only.
    results = response.content.decode().split('name="q"')[0]
    assert person.iin not in results
    assert person.iin not in response.request["PATH_INFO"]


def test_search_results_page_has_a_fixed_number_of_queries(
    specialist_client, django_assert_max_num_queries
):
    for _ in range(30):
        PersonFactory(last_name="Петров")
    with django_assert_max_num_queries(12):
        response = specialist_client.post(
            reverse("registry:home"), {"q": "петров", "purpose": "consultation"}
        )
    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"].object_list) == 25


def test_htmx_search_returns_only_the_results_fragment(specialist_client):
    PersonFactory(last_name="Петров")
    response = specialist_client.post(
        reverse("registry:home"),
        {"q": "петров", "purpose": "consultation"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert response.templates[0].name == "registry/_results.html"


def test_card_asks_for_the_purpose_first_and_logs_nothing_until_given(specialist_client):
    person = PersonFactory()
    response = specialist_client.get(reverse("registry:person_card", args=[person.pk]))
    assert response.status_code == 200
    assert response.templates[0].name == "registry/purpose.html"
    assert PersonAccessLog.objects.count() == 0


def test_opening_a_card_is_logged_with_who_when_and_why(specialist_client):
    person = PersonFactory()
    url = reverse("registry:person_card", args=[person.pk]) + "?purpose=active_measures"
    response = specialist_client.get(url)
    assert response.status_code == 200
    entry = PersonAccessLog.objects.get()
    assert (entry.person, entry.user, entry.purpose, entry.channel) == (
        person,
        specialist_client.user,
        "active_measures",
        "web",
    )


def test_card_page_has_a_fixed_number_of_queries(specialist_client, django_assert_max_num_queries):
    person = PersonFactory()
    url = reverse("registry:person_card", args=[person.pk]) + "?purpose=consultation"
    with django_assert_max_num_queries(30):
        assert specialist_client.get(url).status_code == 200


def test_create_form_shows_the_rule_next_to_the_field_and_writes_nothing(specialist_client):
    response = specialist_client.post(
        reverse("registry:person_create"),
        {
            "iin": "850101300120",
            "last_name": "Ким",
            "first_name": "Ольга",
            "citizenship_status": "citizen",
            "region": region(KARAGANDA).pk,
            "phone": "12",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error("iin", code="iin_check_digit")
    assert form.has_error("phone", code="phone_invalid")
    assert 'aria-invalid="true"' in response.content.decode()
    assert Person.objects.count() == 0


def test_create_form_creates_and_opens_the_card(specialist_client):
    iin = next_iin()
    response = specialist_client.post(
        reverse("registry:person_create"),
        {
            "iin": iin,
            "last_name": "Ким",
            "first_name": "Ольга",
            "citizenship_status": "kandas",
            "region": region(KARAGANDA).pk,
        },
    )
    person = Person.objects.get(iin=iin)
    assert response.status_code == 302
    assert response.url == f"/staff/persons/{person.pk}/?purpose=data_correction"
    assert iin not in response.url
    assert person.citizenship_status == "kandas"


def test_impossible_region_value_is_a_field_error(specialist_client):
    response = specialist_client.post(
        reverse("registry:person_create"),
        {
            "iin": next_iin(),
            "last_name": "Ким",
            "first_name": "Ольга",
            "citizenship_status": "citizen",
            "region": "999999",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].has_error("region", code="invalid_choice")
    assert Person.objects.count() == 0


def test_card_form_with_bad_input_comes_back_open_with_the_errors(specialist_client):
    person = PersonFactory()
    response = specialist_client.post(
        reverse("registry:work_add", args=[person.pk]),
        {
            "work-employer_name": "ТОО «Руда»",
            "work-position": "Инженер",
            "work-started_on": "1999-01-01",
            "work-employer_bin": "12",
        },
    )
    assert response.status_code == 400
    form = response.context["work_form"]
    assert form.has_error("started_on", code="work_before_minimum_age")
    assert form.has_error("employer_bin", code="bin_length")
    assert response.context["open_form"] == "work_form"
    assert person.work_history.count() == 0


def test_card_form_success_returns_to_the_card(specialist_client):
    person = PersonFactory()
    response = specialist_client.post(
        reverse("registry:education_add", args=[person.pk]),
        {
            "education-level": "master",
            "education-institution": "НУ",
            "education-graduation_year": "2016",
        },
    )
    assert response.status_code == 302
    assert response.url == f"/staff/persons/{person.pk}/?purpose=data_correction"
    assert list(person.education.values_list("level__code", "graduation_year")) == [
        ("master", 2016)
    ]


def test_relative_is_found_by_iin_in_the_posted_form(specialist_client):
    person, mother = PersonFactory(), PersonFactory(male=False, born=date(1965, 3, 1))
    response = specialist_client.post(
        reverse("registry:family_add", args=[person.pk]),
        {"family-relative_iin": mother.iin, "family-relation": "parent"},
    )
    assert response.status_code == 302
    assert person.family_links.get().relative == mother
    assert mother.family_links.get().relation == "child"
