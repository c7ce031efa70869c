"""import_kato: official and own layouts, CSV and XLSX, all-or-nothing with line numbers."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from labormarket.reference.errors import ImportRejected
from labormarket.reference.models import KatoUnit, Region
from labormarket.reference.services import kato_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """The messages are translated; these tests pin English to compare them exactly."""
    with translation.override("en"):
        yield


OFFICIAL_HEADER = ["te", "ab", "cd", "ef", "hij", "k", "kaz_name", "rus_name", "nn"]
OWN_HEADER = ["code", "level", "parent_code", "name_ru", "name_kk", "name_en"]


def write_csv(
    path: Path,
    header: list[str],
    rows: list[list[object]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def official_row(code: str, k: int, kaz_name: str, rus_name: str) -> list[object]:
    return [code, code[:2], code[2:4], code[4:6], code[6:], k, kaz_name, rus_name, ""]


@pytest.fixture
def shet_units_csv(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "shet.csv",
        OWN_HEADER,
        [
            [
                "356430000",
                "3",
                "356400000",
                "Агадырская поселковая администрация",
                "Ағадыр кенттік әкімдігі",
                "Agadyr settlement administration",
            ],
            ["356430100", "", "", "поселок Агадырь", "Ағадыр кенті", "Agadyr"],
        ],
    )


def test_own_layout_creates_units_below_their_parents(shet_units_csv):
    report = kato_import(path=shet_units_csv)

    assert (report.created, report.updated, report.unchanged, report.skipped) == (2, 0, 0, 0)
    administration = KatoUnit.objects.get(code="356430000")
    assert (administration.level, administration.parent.code) == (3, "356400000")
    assert administration.region.kato_code == "350000000"
    village = KatoUnit.objects.get(code="356430100")
    assert (village.level, village.parent_id, village.name_kk) == (
        4,
        administration.pk,
        "Ағадыр кенті",
    )


def test_importing_the_same_file_again_changes_nothing(shet_units_csv):
    kato_import(path=shet_units_csv)
    report = kato_import(path=shet_units_csv)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert KatoUnit.objects.filter(code__startswith="35643").count() == 2


def test_official_csv_in_windows_1251_with_semicolons(tmp_path):
    # Older official exports are Windows-1251 text separated by semicolons; that code page has
    # no Kazakh letters, so these sample names keep to the Russian alphabet.
    path = write_csv(
        tmp_path / "kato.csv",
        OFFICIAL_HEADER,
        [
            official_row("350000000", 1, "Караганды облысы", "Карагандинская обл."),
            official_row("352400000", 2, "Темиртау К.А.", "Темиртау Г.А."),
            official_row("352410000", 3, "Темиртау к.", "г.Темиртау"),
            official_row("352431100", 4, "Актау к.", "п.Актау"),
        ],
        delimiter=";",
        encoding="cp1251",
    )

    report = kato_import(path=path)

    assert (report.created, report.updated, report.unchanged) == (2, 2, 0)
    region = Region.objects.get(kato_code="350000000")
    assert (region.name_ru, region.name_kk, region.name_en) == (
        "Карагандинская обл.",
        "Караганды облысы",
        "Karaganda Region",
    )
    temirtau = KatoUnit.objects.get(code="352400000")
    assert (temirtau.name_ru, temirtau.name_en) == ("Темиртау Г.А.", "Temirtau (city)")
    city = KatoUnit.objects.get(code="352410000")
    assert (city.level, city.parent.code) == (3, "352400000")
    # No 352431000 exists, so the settlement hangs from the nearest existing ancestor.
    settlement = KatoUnit.objects.get(code="352431100")
    assert (settlement.level, settlement.parent.code) == (3, "352400000")


def test_official_xlsx_with_numeric_codes_below_a_title_row(tmp_path):
    path = write_xlsx(
        tmp_path / "kato.xlsx",
        ["Классификатор административно-территориальных объектов (КАТО)"],
        [
            [],
            OFFICIAL_HEADER,
            [190000000, 19, 0, 0, 0, 1, "Алматы облысы", "Алматинская область", None],
            [196200000, 19, 62, 0, 0, 2, "Талғар ауданы", "Талгарский район", None],
            [196220000, 19, 62, 20, 0, 3, "Талғар қ.ә.", "Талгар Г.А.", None],
            [196220100, 19, 62, 20, 100, 4, "Талғар қ.", "г.Талгар", None],
        ],
    )

    report = kato_import(path=path)

    assert (report.created, report.updated, report.unchanged) == (2, 0, 2)
    assert [error.line for error in report.errors] == []
    town = KatoUnit.objects.select_related("parent__parent").get(code="196220100")
    assert (town.level, town.parent.code, town.parent.parent.code) == (4, "196220000", "196200000")
    assert town.name_kk == "Талғар қ."


def test_a_bad_row_rejects_the_whole_file_and_names_the_line(tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        OWN_HEADER,
        [
            ["356430000", "3", "356400000", "Агадырская поселковая администрация", "", ""],
            ["35643", "4", "", "поселок с неполным кодом", "", ""],
            ["356440000", "", "", "", "", ""],
        ],
    )
    before = KatoUnit.objects.count()

    with pytest.raises(ImportRejected) as caught:
        kato_import(path=path)

    assert [(error.line, error.message) for error in caught.value.row_errors] == [
        (3, "KATO code “35643” must be 9 digits, not starting with 0"),
        (4, "the Russian name of 356440000 is empty"),
    ]
    assert caught.value.code == "import_rejected"
    assert KatoUnit.objects.count() == before
    assert not KatoUnit.objects.filter(code="356430000").exists()


def test_rows_whose_parent_or_region_is_missing_are_rejected(tmp_path):
    path = write_csv(
        tmp_path / "orphans.csv",
        OWN_HEADER,
        [
            ["356430100", "4", "356439000", "поселок", "", ""],
            ["990000100", "", "", "нет такой области", "", ""],
            ["356450000", "4", "", "уровень не тот", "", ""],
            ["356460000", "3", "110000000", "чужая область", "", ""],
        ],
    )

    with pytest.raises(ImportRejected) as caught:
        kato_import(path=path)

    assert [(error.line, error.message) for error in caught.value.row_errors] == [
        (2, "parent 356439000 is neither in the file nor stored"),
        (3, "region 990000000 is neither in the file nor stored"),
        (4, "level 4 does not match its parent (level 3)"),
        (5, "parent 110000000 is in another region than 356460000"),
    ]
    assert not KatoUnit.objects.filter(code__startswith="3564").exclude(code="356400000").exists()


def test_skip_invalid_imports_the_good_rows_and_lists_the_bad(tmp_path):
    path = write_csv(
        tmp_path / "mixed.csv",
        OWN_HEADER,
        [
            ["356430000", "3", "356400000", "Агадырская поселковая администрация", "", ""],
            ["3564X0000", "", "", "испорченный код", "", ""],
        ],
    )

    report = kato_import(path=path, skip_invalid=True)

    assert (report.created, report.skipped) == (1, 1)
    assert [error.line for error in report.errors] == [3]
    assert KatoUnit.objects.filter(code="356430000").exists()


def test_dry_run_counts_and_writes_nothing(shet_units_csv):
    report = kato_import(path=shet_units_csv, dry_run=True)
    assert (report.created, report.dry_run) == (2, True)
    assert not KatoUnit.objects.filter(code__startswith="35643").exists()


def test_command_prints_the_counts(shet_units_csv):
    out = StringIO()
    call_command("import_kato", str(shet_units_csv), stdout=out)
    assert out.getvalue().strip() == "KATO: created 2, updated 0, unchanged 0, skipped 0"


def test_command_reports_bad_lines_and_writes_nothing(tmp_path):
    path = write_csv(tmp_path / "bad.csv", OWN_HEADER, [["1234", "", "", "x", "", ""]])
    before = KatoUnit.objects.count()
    with pytest.raises(CommandError) as caught:
        call_command("import_kato", str(path))
    assert str(caught.value) == (
        f"{path}: not imported, nothing was written.\n"
        "  line 2: KATO code “1234” must be 9 digits, not starting with 0"
    )
    assert KatoUnit.objects.count() == before


def test_command_refuses_other_file_types(tmp_path):
    path = tmp_path / "kato.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import_kato", str(path))
    assert str(caught.value) == (
        f"{path}: not imported, nothing was written. Unsupported file type .json: use CSV or XLSX."
    )


def test_a_file_without_a_code_column_is_refused(tmp_path):
    path = write_csv(tmp_path / "names.csv", ["name_ru"], [["Карагандинская область"]])
    with pytest.raises(ImportRejected) as caught:
        kato_import(path=path)
    assert [(error.line, error.message) for error in caught.value.row_errors] == [
        (1, "no KATO code column (expected “te” or “code”); found: name_ru")
    ]


def test_children_of_a_rejected_row_name_it_and_loops_are_found(tmp_path):
    path = write_csv(
        tmp_path / "chain.csv",
        OWN_HEADER,
        [
            ["356430000", "4", "356400000", "уровень указан неверно", "", ""],
            ["356430100", "", "", "поселок под отклоненной строкой", "", ""],
            ["356440000", "3", "356450000", "петля 1", "", ""],
            ["356450000", "3", "356440000", "петля 2", "", ""],
        ],
    )
    with pytest.raises(ImportRejected) as caught:
        kato_import(path=path)
    assert [(error.line, error.message) for error in caught.value.row_errors] == [
        (2, "level 4 does not match its parent (level 3)"),
        (3, "its parent 356430000 (line 2) is rejected"),
        (4, "the parent codes of 356440000 form a loop"),
        (5, "the parent codes of 356440000 form a loop"),
    ]
