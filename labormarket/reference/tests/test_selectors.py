"""Selectors: parameter values on real dates, KATO navigation, occupation search."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from labormarket.core.errors import NotFound
from labormarket.reference.errors import ParameterNotDefined
from labormarket.reference.selectors import (
    kato_children,
    kato_unit_list,
    occupation_search,
    parameter_value,
    parameter_value_record,
    region_list,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "on_date", "expected"),
    [
        ("mrp", date(2017, 1, 1), Decimal("2269")),
        ("mrp", date(2018, 6, 30), Decimal("2405")),
        ("mrp", date(2019, 12, 31), Decimal("2525")),
        ("mrp", date(2020, 3, 31), Decimal("2651")),
        ("mrp", date(2020, 4, 1), Decimal("2778")),
        ("mrp", date(2021, 7, 1), Decimal("2917")),
        ("mrp", date(2022, 5, 31), Decimal("3063")),
        ("mrp", date(2022, 6, 1), Decimal("3180")),
        ("mrp", date(2023, 12, 31), Decimal("3450")),
        ("mrp", date(2024, 3, 8), Decimal("3692")),
        ("mrp", date(2025, 1, 1), Decimal("3932")),
        ("mrp", date(2026, 12, 31), Decimal("4325")),
        ("mrp", date(2030, 1, 1), Decimal("4325")),
        ("minimum_wage", date(2017, 12, 31), Decimal("24459")),
        ("minimum_wage", date(2018, 1, 1), Decimal("28284")),
        ("minimum_wage", date(2019, 1, 1), Decimal("42500")),
        ("minimum_wage", date(2021, 12, 31), Decimal("42500")),
        ("minimum_wage", date(2022, 1, 1), Decimal("60000")),
        ("minimum_wage", date(2023, 6, 15), Decimal("70000")),
        ("minimum_wage", date(2024, 1, 1), Decimal("85000")),
        ("minimum_wage", date(2026, 6, 1), Decimal("85000")),
    ],
)
def test_prg_77_parameter_value_of_the_relevant_date(code, on_date, expected):
    """PRG-77: amounts in MRP / minimum wage use the value in force on the relevant date."""
    assert parameter_value(code, on_date) == expected


def test_the_record_keeps_the_legal_act_that_set_the_value():
    record = parameter_value_record("mrp", date(2017, 5, 1))
    assert record.valid_from == date(2017, 1, 1)
    assert record.legal_act == (
        "Закон РК от 29 ноября 2016 года № 25-VI «О республиканском бюджете на 2017–2019 "
        "годы», ст. 8"
    )
    amended = parameter_value_record("mrp", date(2022, 6, 1))
    assert amended.valid_from == date(2022, 6, 1)
    assert "2022–2024" in amended.legal_act
    assert "с 1 июня 2022 года" in amended.legal_act


@pytest.mark.parametrize(
    ("code", "on_date"),
    [
        ("mrp", date(2016, 12, 31)),
        ("minimum_wage", date(2000, 1, 1)),
        ("subsistence_minimum", date(2024, 1, 1)),
    ],
)
def test_no_value_is_parameter_not_defined(code, on_date):
    with pytest.raises(ParameterNotDefined) as caught:
        parameter_value(code, on_date)
    assert isinstance(caught.value, NotFound)
    assert caught.value.code == "parameter_not_defined"
    assert caught.value.http_status == 404
    assert caught.value.parameter_code == code


def test_region_list_is_in_official_order():
    codes = list(region_list().values_list("kato_code", flat=True))
    assert codes[:3] == ["100000000", "110000000", "150000000"]
    assert codes[-3:] == ["710000000", "750000000", "790000000"]


def test_kato_children_of_a_region_a_district_and_the_top():
    assert list(kato_children("350000000").values_list("code", flat=True)) == [
        "351000000",
        "351600000",
        "352100000",
        "352200000",
        "352400000",
        "352800000",
        "353200000",
        "353600000",
        "354000000",
        "354800000",
        "355200000",
        "355600000",
        "356400000",
    ]
    assert list(kato_children("354000000").values_list("code", flat=True)) == ["354030000"]
    assert list(kato_children("354030000").values_list("code", flat=True)) == ["354030100"]
    assert kato_children(None).count() == 62


def test_kato_unit_list_by_region_and_level():
    assert kato_unit_list(region="350000000").count() == 19
    assert kato_unit_list(region="350000000", level=4).count() == 3
    assert kato_unit_list(level=3).count() == 10


def test_occupation_search_by_cyrillic_word_in_any_case():
    expected = ["221", "2211", "2212", "225", "2250", "3256"]
    assert list(occupation_search("врач").values_list("code", flat=True)) == expected
    assert list(occupation_search("ВРАЧ").values_list("code", flat=True)) == expected


def test_occupation_search_by_kazakh_and_english_names():
    assert list(occupation_search("бағдарламашы").values_list("code", flat=True)) == ["2514"]
    assert list(occupation_search("software developers").values_list("code", flat=True)) == ["2512"]


def test_occupation_search_by_code_prefix():
    assert list(occupation_search("251").values_list("code", flat=True)) == [
        "251",
        "2511",
        "2512",
        "2513",
        "2514",
        "2519",
    ]
    assert list(occupation_search(" 2512-").values_list("code", flat=True)) == ["2512"]
