"""import_occupations: the NKZ file (CSV or XLSX), ISCO levels by code length, all-or-nothing."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from labormarket.reference.errors import ImportRejected
from labormarket.reference.models import Occupation
from labormarket.reference.services import occupation_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """The messages are translated; these tests pin English to compare them exactly."""
    with translation.override("en"):
        yield


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
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


@pytest.fixture
def nkz_csv(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "nkz.csv",
        ["code", "name_ru", "name_kk"],
        [
            [
                "2512-1-001",
                "Разработчик программного обеспечения",
                "Бағдарламалық қамтамасыз етуді әзірлеуші",
            ],
            ["2512-1-002", "Программист", "Бағдарламашы"],
            [
                "3333-0-001",
                "Специалист центра занятости населения",
                "Халықты жұмыспен қамту орталығының маманы",
            ],
        ],
    )


def test_nkz_occupations_hang_below_their_unit_group(nkz_csv):
    report = occupation_import(path=nkz_csv)

    assert (report.created, report.updated, report.unchanged, report.skipped) == (3, 0, 0, 0)
    programmer = Occupation.objects.select_related("parent").get(code="25121002")
    assert (programmer.level, programmer.parent.code) == (Occupation.Level.OCCUPATION, "2512")
    assert (programmer.name_ru, programmer.name_kk, programmer.name_en) == (
        "Программист",
        "Бағдарламашы",
        "",
    )
    assert Occupation.objects.get(code="33330001").parent.code == "3333"


def test_importing_the_same_file_again_changes_nothing(nkz_csv):
    occupation_import(path=nkz_csv)
    report = occupation_import(path=nkz_csv)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert Occupation.objects.filter(level=5).count() == 3


def test_xlsx_with_russian_headers_updates_groups_and_adds_occupations(tmp_path):
    path = write_xlsx(
        tmp_path / "nkz.xlsx",
        ["Код", "Наименование", "Атауы"],
        [
            [2512, "Разработчики программного обеспечения (ИТ)", None],
            ["2512-1-003", "Инженер-программист", "Инженер-бағдарламашы"],
        ],
    )

    report = occupation_import(path=path)

    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    group = Occupation.objects.get(code="2512")
    # A blank Kazakh name in the file keeps the stored one.
    assert (group.name_ru, group.name_kk, group.name_en) == (
        "Разработчики программного обеспечения (ИТ)",
        "Бағдарламалық қамтамасыз етуді әзірлеушілер",
        "Software developers",
    )
    assert Occupation.objects.get(code="25121003").parent_id == group.pk


def test_a_whole_new_branch_is_created_parents_first(tmp_path):
    path = write_csv(
        tmp_path / "branch.csv",
        ["code", "name_ru"],
        [["99990001", "Занятие"], ["9999", "Группа"], ["999", "Малая группа"], ["99", "Подгруппа"]],
    )

    report = occupation_import(path=path)

    assert report.created == 4
    assert list(
        Occupation.objects.filter(code__startswith="99", code__regex=r"^99(9|99|990001)?$")
        .order_by("level")
        .values_list("code", "level", "parent__code")
    ) == [("99", 2, "9"), ("999", 3, "99"), ("9999", 4, "999"), ("99990001", 5, "9999")]


def test_a_bad_row_rejects_the_whole_file_and_names_the_line(tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        ["code", "name_ru"],
        [
            ["2512-1-001", "Разработчик программного обеспечения"],
            ["АБВ", "Не код"],
            ["8888-0-001", "Нет такой группы"],
            ["2512-1-001", "Повтор"],
            ["2513-1-001", ""],
        ],
    )
    before = Occupation.objects.count()

    with pytest.raises(ImportRejected) as caught:
        occupation_import(path=path)

    assert [(error.line, error.message) for error in caught.value.row_errors] == [
        (3, "occupation code “АБВ” must be 1 to 12 digits"),
        (4, "parent group 8888 is neither in the file nor stored"),
        (5, "occupation code 25121001 is already on line 2"),
        (6, "the Russian name of 25131001 is empty"),
    ]
    assert Occupation.objects.count() == before
    assert not Occupation.objects.filter(code="25121001").exists()


def test_level_and_parent_columns_must_agree_with_the_code(tmp_path):
    path = write_csv(
        tmp_path / "own.csv",
        ["code", "level", "parent_code", "name_ru"],
        [["2512", "3", "251", "Разработчики"], ["2513", "4", "252", "Веб-разработчики"]],
    )
    with pytest.raises(ImportRejected) as caught:
        occupation_import(path=path)
    assert [(error.line, error.message) for error in caught.value.row_errors] == [
        (2, "level 3 does not match code 2512 (level 4)"),
        (3, "parent 252 does not match code 2513 (parent 251)"),
    ]


def test_bundled_file_imports_as_unchanged():
    bundled = Path(__file__).resolve().parent.parent / "data" / "occupations.csv"
    report = occupation_import(path=bundled)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 619)


def test_command_prints_the_counts(nkz_csv):
    out = StringIO()
    call_command("import_occupations", str(nkz_csv), stdout=out)
    assert out.getvalue().strip() == "occupations: created 3, updated 0, unchanged 0, skipped 0"


def test_command_skip_invalid_lists_skipped_lines(tmp_path):
    path = write_csv(
        tmp_path / "mixed.csv",
        ["code", "name_ru"],
        [["2512-1-001", "Разработчик"], ["8888-0-001", "Нет такой группы"]],
    )
    out, err = StringIO(), StringIO()
    call_command("import_occupations", str(path), "--skip-invalid", stdout=out, stderr=err)
    assert out.getvalue().strip() == "occupations: created 1, updated 0, unchanged 0, skipped 1"
    assert err.getvalue().strip() == (
        "skipped line 3: parent group 8888 is neither in the file nor stored"
    )


def test_command_rejects_and_writes_nothing(tmp_path):
    path = write_csv(tmp_path / "bad.csv", ["code", "name_ru"], [["12-x", "Плохой код"]])
    before = Occupation.objects.count()
    with pytest.raises(CommandError) as caught:
        call_command("import_occupations", str(path))
    assert str(caught.value) == (
        f"{path}: not imported, nothing was written.\n"
        "  line 2: occupation code “12-x” must be 1 to 12 digits"
    )
    assert Occupation.objects.count() == before


def test_xlsx_errors_name_the_spreadsheet_row(tmp_path):
    path = write_xlsx(
        tmp_path / "bad.xlsx",
        ["code", "name_ru", "name_kk"],
        [["2512-1-001", "Разработчик", None], ["2512-1-00X", "Испорченный код", None]],
    )
    before = Occupation.objects.count()
    with pytest.raises(ImportRejected) as caught:
        occupation_import(path=path)
    assert [(error.line, error.message) for error in caught.value.row_errors] == [
        (3, "occupation code “2512-1-00X” must be 1 to 12 digits")
    ]
    assert Occupation.objects.count() == before
