"""The bundled data files themselves: complete, consistent, named in three languages."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from labormarket.reference.loader import read_data_file

NAME_FIELDS = ("name_ru", "name_kk", "name_en")


@pytest.fixture(scope="module")
def occupations() -> list[dict[str, str]]:
    return read_data_file("occupations")


@pytest.fixture(scope="module")
def kato_units() -> list[dict[str, str]]:
    return read_data_file("kato_units")


def test_occupations_file_has_the_isco08_counts_per_level(occupations):
    assert Counter(int(row["level"]) for row in occupations) == {1: 10, 2: 43, 3: 130, 4: 436}
    assert len({row["code"] for row in occupations}) == 619


def test_every_occupation_parent_exists_one_level_up_with_the_code_prefix(occupations):
    by_code = {row["code"]: row for row in occupations}
    for row in occupations:
        level = int(row["level"])
        assert len(row["code"]) == level, row["code"]
        if level == 1:
            assert row["parent_code"] == "", row["code"]
            continue
        parent = by_code[row["parent_code"]]
        assert int(parent["level"]) == level - 1, row["code"]
        assert row["code"].startswith(parent["code"]), row["code"]
        assert row["code"][:-1] == parent["code"], row["code"]


def test_every_occupation_is_named_in_russian_kazakh_and_english(occupations):
    for row in occupations:
        for field in NAME_FIELDS:
            assert row[field], (row["code"], field)
        assert re.search("[а-яё]", row["name_ru"], re.IGNORECASE), row["code"]
        assert re.search("[а-яәғқңөұүһі]", row["name_kk"], re.IGNORECASE), row["code"]
        assert re.fullmatch(r"[A-Za-z ,'()\-]+", row["name_en"]), row["code"]


@pytest.mark.parametrize(
    ("code", "name_en"),
    [
        ("0", "Armed forces occupations"),
        ("0110", "Commissioned armed forces officers"),
        ("0310", "Armed forces occupations, other ranks"),
        ("1111", "Legislators"),
        ("1120", "Managing directors and chief executives"),
        ("2512", "Software developers"),
        ("3411", "Legal and related associate professionals"),
        ("5414", "Security guards"),
        ("8332", "Heavy truck and lorry drivers"),
        ("9629", "Elementary workers not elsewhere classified"),
    ],
)
def test_known_isco08_titles(occupations, code, name_en):
    assert {row["code"]: row["name_en"] for row in occupations}[code] == name_en


def test_regions_file_lists_the_seventeen_oblasts_and_three_cities_since_2022():
    regions = read_data_file("regions")
    assert {row["kato_code"]: row["kind"] for row in regions} == {
        "100000000": "oblast",  # Abai (2022)
        "110000000": "oblast",
        "150000000": "oblast",
        "190000000": "oblast",
        "230000000": "oblast",
        "270000000": "oblast",
        "310000000": "oblast",
        "330000000": "oblast",  # Zhetisu (2022)
        "350000000": "oblast",
        "390000000": "oblast",
        "430000000": "oblast",
        "470000000": "oblast",
        "550000000": "oblast",
        "590000000": "oblast",
        "610000000": "oblast",
        "620000000": "oblast",  # Ulytau (2022)
        "630000000": "oblast",
        "710000000": "city",
        "750000000": "city",
        "790000000": "city",
    }
    assert sorted(int(row["sort_order"]) for row in regions) == list(range(1, 21))
    for row in regions:
        assert all(row[field] for field in NAME_FIELDS), row["kato_code"]
        assert ZoneInfo(row["timezone"]).key.startswith("Asia/"), row["kato_code"]


def test_kato_units_have_nine_digit_codes_and_parents_one_level_up(kato_units):
    region_codes = {row["kato_code"] for row in read_data_file("regions")}
    by_code = {row["code"]: row for row in kato_units}
    assert len(by_code) == len(kato_units) == 82
    for row in kato_units:
        assert re.fullmatch(r"[1-9]\d{8}", row["code"]), row["code"]
        assert f"{row['code'][:2]}0000000" in region_codes, row["code"]
        assert all(row[field] for field in NAME_FIELDS), row["code"]
        level = int(row["level"])
        if level == 2:
            assert row["parent_code"] == "", row["code"]
        else:
            parent = by_code[row["parent_code"]]
            assert int(parent["level"]) == level - 1, row["code"]
            assert parent["code"][:2] == row["code"][:2], row["code"]


def test_kato_units_per_level(kato_units):
    assert Counter(int(row["level"]) for row in kato_units) == {2: 62, 3: 10, 4: 10}


def test_every_flat_classifier_is_named_in_three_languages():
    expected = {
        "education_levels": [
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
        "employment_types": [
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
        "work_schedules": ["full_day", "part_time", "shift", "rotation", "flexible", "remote"],
        "disability_groups": ["group_1", "group_2", "group_3", "child"],
    }
    for name, codes in expected.items():
        rows = read_data_file(name)
        assert [row["code"] for row in sorted(rows, key=lambda r: int(r["sort_order"]))] == codes
        for row in rows:
            assert all(row[field] for field in NAME_FIELDS), (name, row["code"])


def test_parameter_values_are_dated_and_cite_the_budget_law():
    rows = read_data_file("parameters")
    assert Counter(row["code"] for row in rows) == {"mrp": 12, "minimum_wage": 10}
    for code in ("mrp", "minimum_wage"):
        starts = [date.fromisoformat(row["valid_from"]) for row in rows if row["code"] == code]
        assert starts == sorted(starts)
        assert {start.year for start in starts} == set(range(2017, 2027))
    for row in rows:
        assert Decimal(row["value"]) > 0
        assert row["legal_act"].startswith("Закон РК"), row
        assert "О республиканском бюджете" in row["legal_act"], row
