"""The public reference API: status codes, pagination, filters, language, errors, queries."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from labormarket.reference.models import Region

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def client() -> APIClient:
    return APIClient()


def test_regions_are_public_and_paginated(client, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = client.get(f"{API}/regions/")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"], len(body["results"])) == (
        20,
        None,
        None,
        20,
    )
    assert body["results"][0] == {
        "kato_code": "100000000",
        "kind": "oblast",
        "name": "область Абай",
        "name_ru": "область Абай",
        "name_kk": "Абай облысы",
        "name_en": "Abai Region",
        "timezone": "Asia/Almaty",
    }


@pytest.mark.parametrize(
    ("language", "name"),
    [("ru", "Карагандинская область"), ("kk", "Қарағанды облысы"), ("en", "Karaganda Region")],
)
def test_name_follows_accept_language(client, language, name):
    response = client.get(f"{API}/regions/", HTTP_ACCEPT_LANGUAGE=language)
    karaganda = next(
        item for item in response.json()["results"] if item["kato_code"] == "350000000"
    )
    assert karaganda["name"] == name


def test_kato_units_of_a_region(client, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = client.get(f"{API}/kato/", {"parent": "350000000"}, HTTP_ACCEPT_LANGUAGE="kk")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 13
    assert body["results"][0] == {
        "code": "351000000",
        "level": 2,
        "region": "350000000",
        "parent": None,
        "name": "Қарағанды қаласы",
        "name_ru": "город Караганда",
        "name_kk": "Қарағанды қаласы",
        "name_en": "Karaganda (city)",
    }


def test_kato_units_below_a_unit_by_region_and_by_level(client):
    children = client.get(f"{API}/kato/", {"parent": "354030000"}).json()
    assert [(item["code"], item["parent"], item["level"]) for item in children["results"]] == [
        ("354030100", "354030000", 4)
    ]
    assert client.get(f"{API}/kato/", {"region": "350000000"}).json()["count"] == 19
    assert client.get(f"{API}/kato/", {"region": "110000000", "level": 3}).json()["count"] == 4
    assert client.get(f"{API}/kato/").json()["count"] == 82


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"level": "9"}, "level", "invalid_choice"),
        ({"parent": "abc"}, "parent", "invalid"),
        ({"region": "35"}, "region", "invalid"),
    ],
)
def test_kato_bad_filter_is_400_naming_the_field(client, params, field, code):
    response = client.get(f"{API}/kato/", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == [field]
    assert error["fields"][field][0]["code"] == code


def test_occupations_are_paginated_by_fifty(client, django_assert_num_queries):
    with django_assert_num_queries(2):
        first = client.get(f"{API}/occupations/")
    body = first.json()
    assert (body["count"], len(body["results"]), body["previous"]) == (619, 50, None)
    assert body["next"].endswith("/api/v1/occupations/?page=2")
    assert body["results"][0] == {
        "code": "0",
        "level": 1,
        "parent": None,
        "name": "Военнослужащие",
        "name_ru": "Военнослужащие",
        "name_kk": "Әскери қызметшілер",
        "name_en": "Armed forces occupations",
    }
    last = client.get(f"{API}/occupations/", {"page": 13}).json()
    assert (len(last["results"]), last["next"], last["results"][-1]["code"]) == (19, None, "9629")


def test_occupations_filters(client):
    majors = client.get(f"{API}/occupations/", {"level": 1}).json()
    assert [item["code"] for item in majors["results"]] == [str(n) for n in range(10)]
    children = client.get(f"{API}/occupations/", {"parent": "25"}).json()
    assert [item["code"] for item in children["results"]] == ["251", "252"]
    search = client.get(f"{API}/occupations/", {"q": "врач", "level": 4}).json()
    assert [item["code"] for item in search["results"]] == ["2211", "2212", "2250", "3256"]
    by_code = client.get(f"{API}/occupations/", {"q": "2512"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert [(item["code"], item["name"]) for item in by_code["results"]] == [
        ("2512", "Software developers")
    ]


def test_occupations_bad_level_is_400(client):
    response = client.get(f"{API}/occupations/", {"level": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["level"][0]["code"] == "invalid_choice"


@pytest.mark.parametrize(
    ("path", "codes"),
    [
        (
            "education-levels",
            [
                "none",
                "primary",
                "basic_secondary",
                "general_secondary",
                "tvet",
                "post_secondary",
                "higher",
                "master",
                "doctoral",
            ],
        ),
        (
            "employment-types",
            [
                "permanent",
                "temporary",
                "seasonal",
                "part_time",
                "remote",
                "rotation",
                "internship",
                "social_job",
                "youth_practice",
                "public_works",
                "first_job",
            ],
        ),
        ("work-schedules", ["full_day", "part_time", "shift", "rotation", "flexible", "remote"]),
        ("disability-groups", ["group_1", "group_2", "group_3", "child"]),
    ],
)
def test_flat_classifiers(client, django_assert_num_queries, path, codes):
    with django_assert_num_queries(2):
        response = client.get(f"{API}/{path}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(codes)
    assert [item["code"] for item in body["results"]] == codes
    assert all(item["name"] == item["name_en"] for item in body["results"])


def test_disability_group_names(client):
    body = client.get(f"{API}/disability-groups/", HTTP_ACCEPT_LANGUAGE="kk").json()
    assert body["results"][3] == {
        "code": "child",
        "name": "Мүгедектігі бар бала",
        "name_ru": "Ребенок с инвалидностью",
        "name_kk": "Мүгедектігі бар бала",
        "name_en": "Child with disability",
        "sort_order": 40,
    }


def test_parameters_with_their_values(client, django_assert_num_queries):
    with django_assert_num_queries(3):
        response = client.get(f"{API}/parameters/", HTTP_ACCEPT_LANGUAGE="en")
    body = response.json()
    assert [item["code"] for item in body["results"]] == ["minimum_wage", "mrp"]
    mrp = body["results"][1]
    assert (mrp["name"], mrp["unit"], len(mrp["values"])) == (
        "Monthly calculation index",
        "KZT",
        12,
    )
    assert mrp["values"][4] == {
        "valid_from": "2020-04-01",
        "value": "2778.00",
        "legal_act": (
            "Закон РК 2020 года «О внесении изменений и дополнений в Закон Республики Казахстан "
            "«О республиканском бюджете на 2020–2022 годы»» (МРП с 1 апреля 2020 года)"
        ),
    }


@pytest.mark.parametrize(
    ("code", "on", "value", "valid_from"),
    [
        ("mrp", "2020-03-31", "2651.00", "2020-01-01"),
        ("mrp", "2020-04-01", "2778.00", "2020-04-01"),
        ("mrp", "2022-05-31", "3063.00", "2022-01-01"),
        ("mrp", "2022-06-01", "3180.00", "2022-06-01"),
        ("minimum_wage", "2021-12-31", "42500.00", "2021-01-01"),
    ],
)
def test_prg_77_parameter_value_on_a_date(
    client, django_assert_num_queries, code, on, value, valid_from
):
    with django_assert_num_queries(1):
        response = client.get(f"{API}/parameters/{code}/value/", {"on": on})
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["on"], body["value"], body["valid_from"], body["unit"]) == (
        code,
        on,
        value,
        valid_from,
        "KZT",
    )
    assert body["legal_act"].startswith("Закон РК")


def test_parameter_value_defaults_to_today_in_almaty(client):
    # 23:30 UTC on 31 Dec 2025 is already 1 January 2026 in Asia/Almaty.
    with time_machine.travel(datetime(2025, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        body = client.get(f"{API}/parameters/mrp/value/").json()
    assert (body["on"], body["value"]) == ("2026-01-01", "4325.00")


@pytest.mark.parametrize("on", ["2020-13-01", "01.04.2020", "yesterday"])
def test_malformed_date_is_400_on_field_on(client, on):
    response = client.get(f"{API}/parameters/mrp/value/", {"on": on})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == ["on"]
    assert error["fields"]["on"][0]["code"] == "invalid"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("mrp/value/?on=2016-12-31", "Parameter “mrp” has no value on 2016-12-31."),
        ("pension/value/?on=2024-01-01", "Parameter “pension” has no value on 2024-01-01."),
    ],
)
def test_undefined_parameter_is_404(client, path, message):
    response = client.get(f"{API}/parameters/{path}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "parameter_not_defined", "message": message}}


def test_reference_api_is_read_only(client):
    response = client.post(f"{API}/regions/", {"kato_code": "990000000"})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert client.delete(f"{API}/parameters/mrp/value/").status_code == 405
    assert Region.objects.count() == 20
