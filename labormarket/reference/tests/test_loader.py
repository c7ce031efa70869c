"""load_reference_data(): what the database holds after it, and that running it again is safe."""

from __future__ import annotations

from collections import Counter

import pytest

from labormarket.reference.loader import load_reference_data
from labormarket.reference.models import (
    DisabilityGroup,
    EducationLevel,
    EmploymentType,
    KatoUnit,
    Occupation,
    Parameter,
    ParameterValue,
    Region,
    WorkSchedule,
)

pytestmark = pytest.mark.django_db

EXPECTED_COUNTS = {
    "regions": 20,
    "kato_units": 82,
    "occupations": 619,
    "education_levels": 9,
    "employment_types": 11,
    "work_schedules": 6,
    "disability_groups": 4,
    "parameters": 2,
    "parameter_values": 22,
}


def _table_counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "kato_units": KatoUnit.objects.count(),
        "occupations": Occupation.objects.count(),
        "education_levels": EducationLevel.objects.count(),
        "employment_types": EmploymentType.objects.count(),
        "work_schedules": WorkSchedule.objects.count(),
        "disability_groups": DisabilityGroup.objects.count(),
        "parameters": Parameter.objects.count(),
        "parameter_values": ParameterValue.objects.count(),
    }


def test_the_session_holds_every_bundled_entry():
    assert _table_counts() == EXPECTED_COUNTS


def test_the_twenty_regions_since_2022_with_the_new_ones():
    assert Region.objects.filter(kind=Region.Kind.OBLAST).count() == 17
    assert Region.objects.filter(kind=Region.Kind.CITY).count() == 3
    new_regions = {
        region.kato_code: (region.name_ru, region.name_kk, region.name_en)
        for region in Region.objects.filter(kato_code__in=["100000000", "330000000", "620000000"])
    }
    assert new_regions == {
        "100000000": ("область Абай", "Абай облысы", "Abai Region"),
        "330000000": ("область Жетісу", "Жетісу облысы", "Zhetisu Region"),
        "620000000": ("область Ұлытау", "Ұлытау облысы", "Ulytau Region"),
    }
    assert Region.objects.get(kato_code="270000000").timezone == "Asia/Oral"


def test_districts_and_regional_cities_per_region():
    level_two = Counter(
        KatoUnit.objects.filter(level=KatoUnit.Level.DISTRICT).values_list(
            "region__kato_code", flat=True
        )
    )
    assert level_two == {
        "110000000": 20,  # Akmola: 17 districts, Kokshetau, Kosshy, Stepnogorsk
        "190000000": 10,  # Almaty region: 9 districts and Konaev
        "350000000": 13,  # Karaganda: 7 districts and 6 cities
        "710000000": 6,  # Astana
        "750000000": 8,  # Almaty city
        "790000000": 5,  # Shymkent
    }
    assert set(
        KatoUnit.objects.filter(region__kato_code="710000000").values_list("name_en", flat=True)
    ) == {
        "Almaty District",
        "Baikonyr District",
        "Yesil District",
        "Saryarka District",
        "Nura District",
        "Sarayshyk District",
    }


def test_rural_districts_and_localities_hang_below_their_district():
    botakara = KatoUnit.objects.select_related("parent__parent", "region").get(code="354030100")
    assert botakara.level == KatoUnit.Level.LOCALITY
    assert botakara.parent.code == "354030000"
    assert botakara.parent.level == KatoUnit.Level.RURAL_DISTRICT
    assert botakara.parent.parent.code == "354000000"
    assert botakara.parent.parent.parent_id is None
    assert botakara.region.kato_code == "350000000"
    assert Counter(KatoUnit.objects.values_list("level", flat=True)) == {2: 62, 3: 10, 4: 10}


def test_isco08_groups_per_level_in_the_database():
    assert Counter(Occupation.objects.values_list("level", flat=True)) == {
        1: 10,
        2: 43,
        3: 130,
        4: 436,
    }
    assert Occupation.objects.filter(level=1, parent__isnull=False).count() == 0
    assert Occupation.objects.filter(level__gt=1, parent__isnull=True).count() == 0
    unit = Occupation.objects.select_related("parent__parent__parent").get(code="9629")
    assert [unit.parent.code, unit.parent.parent.code, unit.parent.parent.parent.code] == [
        "962",
        "96",
        "9",
    ]


def test_loading_twice_changes_nothing_and_duplicates_nothing():
    first = load_reference_data()
    second = load_reference_data()
    assert first == second == EXPECTED_COUNTS
    assert _table_counts() == EXPECTED_COUNTS


def test_loading_restores_bundled_names_and_keeps_entries_added_later():
    Region.objects.filter(kato_code="350000000").update(name_en="Qaraghandy")
    extra = KatoUnit.objects.create(
        code="356430000",
        level=KatoUnit.Level.RURAL_DISTRICT,
        region=Region.objects.get(kato_code="350000000"),
        parent=KatoUnit.objects.get(code="356400000"),
        name_ru="Агадырская поселковая администрация",
    )

    load_reference_data()

    assert Region.objects.get(kato_code="350000000").name_en == "Karaganda Region"
    assert KatoUnit.objects.filter(pk=extra.pk).exists()
    assert KatoUnit.objects.count() == EXPECTED_COUNTS["kato_units"] + 1
