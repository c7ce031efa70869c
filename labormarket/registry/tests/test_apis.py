"""Registry API: the one error shape, field codes, region scoping, IINs out of URLs."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from labormarket.accounts.choices import Role
from labormarket.accounts.tests.factories import AKMOLA, KARAGANDA, region, user_with_role
from labormarket.core.testing import next_iin
from labormarket.registry.models import Person, PersonAccessLog
from labormarket.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    user = user_with_role(Role.SPECIALIST)
    client = APIClient()
    token = Token.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_create_with_bad_fields_answers_400_naming_each_field_and_rule(api):
    response = api.post(
        "/api/v1/persons/",
        {
            "iin": "850101300120",
            "last_name": "Ким",
            "first_name": "Ольга",
            "region": KARAGANDA,
            "phone": "abc",
            "address_kato": "123456789",
        },
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert {name: [e["code"] for e in errs] for name, errs in error["fields"].items()} == {
        "iin": ["iin_check_digit"],
        "address_kato_code": ["kato_unknown"],
        "phone": ["phone_format"],
    }
    assert Person.objects.count() == 0


def test_create_with_missing_fields_uses_the_same_shape(api):
    response = api.post("/api/v1/persons/", {"last_name": ""}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {name: [e["code"] for e in errs] for name, errs in fields.items()} == {
        "last_name": ["blank"],
        "first_name": ["required"],
        "region": ["required"],
        "iin": ["required"],
    }


def test_create_in_another_region_is_refused(api):
    response = api.post(
        "/api/v1/persons/",
        {"iin": next_iin(), "last_name": "Ким", "first_name": "Ольга", "region": AKMOLA},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["region"][0]["code"] == "region_forbidden"


def test_unknown_region_code_names_the_field(api):
    response = api.post(
        "/api/v1/persons/",
        {"iin": next_iin(), "last_name": "Ким", "first_name": "Ольга", "region": "000000000"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["region"][0]["code"] == "region_unknown"


def test_name_search_refuses_digits_in_the_url(api):
    response = api.get("/api/v1/persons/", {"q": "850101300123"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["q"][0]["code"] == "iin_not_in_url"


def test_list_masks_iins_and_is_paginated(api, django_assert_max_num_queries):
    for _ in range(3):
        PersonFactory(last_name="Сапарова", male=False)
    PersonFactory(last_name="Сапарова", region=region(AKMOLA), male=False)
    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/persons/", {"q": "сапар"})
    body = response.json()
    assert body["count"] == 3
    assert all(item["iin_masked"].endswith("********") for item in body["results"])
    assert "iin" not in body["results"][0]


def test_detail_needs_a_purpose_and_logs_the_access(api):
    person = PersonFactory()
    missing = api.get(f"/api/v1/persons/{person.pk}/")
    assert missing.status_code == 400
    assert missing.json()["error"]["fields"]["purpose"][0]["code"] == "required"
    assert PersonAccessLog.objects.count() == 0
    ok = api.get(f"/api/v1/persons/{person.pk}/", {"purpose": "verification"})
    assert ok.status_code == 200
    assert ok.json()["iin"] == person.iin
    assert PersonAccessLog.objects.get().channel == "api"


def test_other_regions_person_is_not_found_alike(api):
    other = PersonFactory(region=region(AKMOLA))
    missing = api.get("/api/v1/persons/999999/", {"purpose": "verification"})
    foreign = api.get(f"/api/v1/persons/{other.pk}/", {"purpose": "verification"})
    assert missing.status_code == foreign.status_code == 404
    assert missing.json() == foreign.json()


def test_lookup_by_iin_in_the_body(api):
    person = PersonFactory()
    response = api.post(
        "/api/v1/persons/lookup/", {"iin": person.iin, "purpose": "consultation"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["id"] == person.pk
    unknown = api.post(
        "/api/v1/persons/lookup/", {"iin": next_iin(), "purpose": "consultation"}, format="json"
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"


def test_patch_changes_only_the_given_fields(api):
    person = PersonFactory(first_name="Айдар")
    response = api.patch(f"/api/v1/persons/{person.pk}/", {"last_name": "Нурланов"}, format="json")
    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.last_name, person.first_name) == ("Нурланов", "Айдар")


def test_malformed_json_is_a_400_in_the_error_shape(api):
    response = api.generic("POST", "/api/v1/persons/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_work_history_with_impossible_dates_names_each_field(api):
    person = PersonFactory()
    response = api.post(
        f"/api/v1/persons/{person.pk}/work-history/",
        {
            "employer_name": "ТОО «Руда»",
            "position": "Инженер",
            "started_on": "1995-01-01",
            "ended_on": "1994-01-01",
            "employer_bin": "000000000000",
        },
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {name: [e["code"] for e in errs] for name, errs in fields.items()} == {
        "employer_bin": ["bin_month"],
        "started_on": ["work_before_minimum_age"],
        "ended_on": ["ends_before_start"],
    }
    assert person.work_history.count() == 0


def test_impossible_calendar_date_is_a_field_error(api):
    person = PersonFactory()
    response = api.post(
        f"/api/v1/persons/{person.pk}/work-history/",
        {"employer_name": "ТОО «Руда»", "position": "Инженер", "started_on": "2015-02-30"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["started_on"][0]["code"] == "invalid"


def test_link_unknown_relative_and_remove_missing_link(api):
    person = PersonFactory()
    unknown = api.post(
        f"/api/v1/persons/{person.pk}/family/",
        {"relative_iin": next_iin(), "relation": "spouse"},
        format="json",
    )
    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"]["relative_iin"][0]["code"] == "relative_unknown"
    missing = api.delete(f"/api/v1/persons/{person.pk}/family/999999/")
    assert missing.status_code == 404


def test_detail_lists_the_file_but_not_relatives_iins(api):
    person, wife = PersonFactory(), PersonFactory(male=False)
    api.post(
        f"/api/v1/persons/{person.pk}/family/",
        {"relative_iin": wife.iin, "relation": "spouse"},
        format="json",
    )
    created = api.post(
        f"/api/v1/persons/{person.pk}/education/",
        {"level": "tvet", "institution": "Колледж", "graduation_year": 2010},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["family"] == [
        {"relative_id": wife.pk, "relative_name": wife.full_name, "relation": "spouse"}
    ]
    assert [(e["level"], e["graduation_year"]) for e in body["education"]] == [("tvet", 2010)]
    assert wife.iin not in created.content.decode()
