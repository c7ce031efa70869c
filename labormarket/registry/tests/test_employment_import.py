"""Import of register-of-employment-contracts extracts (evidence for OUT-18, OUT-23, OUT-24)."""

from __future__ import annotations

import io
import logging
import threading
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from labormarket.core.errors import ValidationFailed
from labormarket.core.testing import next_bin, next_iin
from labormarket.registry.employment import import_employment_records
from labormarket.registry.models import EmploymentImport, EmploymentRecord
from labormarket.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

HEADER = "iin,employer_bin,started_on,ended_on"


def extract(*rows: tuple[str, str, str, str], header: str = HEADER) -> bytes:
    lines = [header, *(",".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


def write(tmp_path, name: str, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def contracts() -> list[tuple[str, str, date, date | None]]:
    return list(
        EmploymentRecord.objects.order_by("person__iin", "employer_bin", "started_on").values_list(
            "person__iin", "employer_bin", "started_on", "ended_on"
        )
    )


def test_import_creates_contracts_and_records_the_run(tmp_path):
    first, second = PersonFactory(), PersonFactory()
    bin_a, bin_b = next_bin(), next_bin()
    path = write(
        tmp_path,
        "esutd-2026-10.csv",
        extract(
            (first.iin, bin_a, "2026-03-02", "2026-05-31"),
            (first.iin, bin_a, "2026-06-01", ""),
            (second.iin, bin_b, "2026-04-15", ""),
            (second.iin, bin_b, "2026-04-15", ""),  # repeated line: one contract
        ),
    )
    result = import_employment_records(path)
    assert (
        result.rows,
        result.created,
        result.updated,
        result.unchanged,
        result.unknown_persons,
        result.skipped_duplicate_file,
    ) == (4, 3, 0, 0, 0, False)
    assert contracts() == sorted(
        [
            (first.iin, bin_a, date(2026, 3, 2), date(2026, 5, 31)),
            (first.iin, bin_a, date(2026, 6, 1), None),
            (second.iin, bin_b, date(2026, 4, 15), None),
        ]
    )
    batch = EmploymentImport.objects.get()
    assert (
        batch.pk,
        batch.file_name,
        batch.rows,
        batch.created,
        batch.updated,
        batch.unchanged,
        batch.unknown_persons,
    ) == (result.import_id, "esutd-2026-10.csv", 4, 3, 0, 0, 0)
    assert set(EmploymentRecord.objects.values_list("source_import", flat=True)) == {batch.pk}


def test_import_accepts_an_open_file_semicolons_bom_and_cp1251():
    person = PersonFactory()
    employer_bin = next_bin()
    content = f"\ufeff{HEADER.replace(',', ';')}\n{person.iin};{employer_bin};2026-01-10;\n"
    result = import_employment_records(io.BytesIO(content.encode("utf-8")), file_name="a.csv")
    assert (result.rows, result.created) == (1, 1)
    again = f"{HEADER}\n{person.iin},{employer_bin},2026-01-10,2026-02-01\n"
    result = import_employment_records(io.BytesIO(again.encode("cp1251")), file_name="b.csv")
    assert (result.rows, result.updated) == (1, 1)
    assert EmploymentImport.objects.get(pk=result.import_id).file_name == "b.csv"


def test_a_bad_file_is_refused_whole_with_every_bad_line_and_field_and_no_iin():
    person = PersonFactory()
    known = EmploymentRecord.objects.count()
    good_bin = next_bin()
    bad_iin = person.iin[:11] + str((int(person.iin[11]) + 1) % 10)
    bad_bin = good_bin[:11] + str((int(good_bin[11]) + 1) % 10)
    content = (
        extract(
            (person.iin, good_bin, "2026-01-10", ""),  # line 2: good
            (bad_iin, good_bin, "2026-01-10", ""),  # line 3
            (person.iin, bad_bin, "10.01.2026", ""),  # line 4: two bad fields
            (person.iin, good_bin, "2026-02-30", "2026-13-01"),  # line 5
            (person.iin, good_bin, "2026-03-10", "2026-03-09"),  # line 6
            (person.iin, good_bin, "2026-01-10", "2026-04-01"),  # line 7: conflicts with line 2
            (person.iin, good_bin, "20260110", ""),  # line 8: not the ISO extended form
        )
        + f"{person.iin},{good_bin}\n".encode()
    )  # line 9
    with pytest.raises(ValidationFailed) as caught:
        import_employment_records(io.BytesIO(content), file_name="bad.csv")
    messages = [e.message for e in caught.value.fields["file"]]
    assert messages == [
        "line 3: iin: iin_check_digit",
        "line 4: employer_bin: bin_check_digit",
        "line 4: started_on: expected YYYY-MM-DD",
        "line 5: started_on: expected YYYY-MM-DD",
        "line 5: ended_on: expected YYYY-MM-DD or empty",
        "line 6: ended_on: before started_on",
        "line 8: started_on: expected YYYY-MM-DD",
        "line 9: 4 columns expected",
        "line 7: ended_on: differs from line 2 for the same person, employer and start",
    ]
    shown = " ".join([*messages, str(caught.value), str(caught.value.as_dict())])
    assert person.iin not in shown
    assert bad_iin not in shown
    assert EmploymentRecord.objects.count() == known
    assert EmploymentImport.objects.count() == 0


def test_a_wrong_header_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        import_employment_records(io.BytesIO(b"iin;period\n1;2\n"), file_name="x.csv")
    assert [e.message for e in caught.value.fields["file"]] == [
        "The first line must be: iin,employer_bin,started_on,ended_on"
    ]
    assert EmploymentImport.objects.count() == 0


def test_rows_of_unknown_persons_are_counted_and_skipped():
    person = PersonFactory()
    employer_bin = next_bin()
    stranger = next_iin()
    result = import_employment_records(
        io.BytesIO(
            extract(
                (person.iin, employer_bin, "2026-01-10", ""),
                (stranger, employer_bin, "2026-01-10", ""),
                (stranger, next_bin(), "2025-01-10", "2025-12-31"),
            )
        ),
        file_name="x.csv",
    )
    assert (result.rows, result.created, result.unknown_persons) == (3, 1, 2)
    assert contracts() == [(person.iin, employer_bin, date(2026, 1, 10), None)]


def test_a_later_extract_ends_a_contract_and_identical_rows_are_unchanged():
    person = PersonFactory()
    employer_bin, other_bin = next_bin(), next_bin()
    first = import_employment_records(
        io.BytesIO(
            extract(
                (person.iin, employer_bin, "2026-01-10", ""),
                (person.iin, other_bin, "2025-01-10", "2025-12-31"),
            )
        ),
        file_name="october.csv",
    )
    record = EmploymentRecord.objects.get(employer_bin=employer_bin)
    stamp = record.updated_at
    later = import_employment_records(
        io.BytesIO(
            extract(
                (person.iin, employer_bin, "2026-01-10", "2026-09-30"),
                (person.iin, other_bin, "2025-01-10", "2025-12-31"),
            )
        ),
        file_name="november.csv",
    )
    assert (later.rows, later.created, later.updated, later.unchanged) == (2, 0, 1, 1)
    record.refresh_from_db()
    assert record.ended_on == date(2026, 9, 30)
    assert record.source_import_id == later.import_id
    assert record.updated_at > stamp
    assert EmploymentRecord.objects.get(employer_bin=other_bin).source_import_id == first.import_id


def test_an_extract_without_the_end_does_not_reopen_an_ended_contract():
    """A stale extract (no end date yet) arriving after the one that ended the contract must
    not count employment the register says has ended (OUT-23, OUT-24 payments)."""
    person = PersonFactory()
    employer_bin = next_bin()
    import_employment_records(
        io.BytesIO(extract((person.iin, employer_bin, "2026-01-10", "2026-03-31"))),
        file_name="ended.csv",
    )
    stale = import_employment_records(
        io.BytesIO(extract((person.iin, employer_bin, "2026-01-10", ""))), file_name="stale.csv"
    )
    assert (stale.updated, stale.unchanged) == (0, 1)
    assert EmploymentRecord.objects.get().ended_on == date(2026, 3, 31)
    corrected = import_employment_records(
        io.BytesIO(extract((person.iin, employer_bin, "2026-01-10", "2026-04-30"))),
        file_name="corrected.csv",
    )
    assert corrected.updated == 1
    assert EmploymentRecord.objects.get().ended_on == date(2026, 4, 30)


def test_the_same_file_twice_is_skipped(tmp_path):
    person = PersonFactory()
    content = extract((person.iin, next_bin(), "2026-01-10", ""))
    import_employment_records(write(tmp_path, "a.csv", content))
    again = import_employment_records(write(tmp_path, "renamed.csv", content))
    assert again.skipped_duplicate_file
    assert (again.rows, again.created, again.import_id) == (0, 0, None)
    assert EmploymentImport.objects.count() == 1
    assert EmploymentRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_file_at_the_same_moment_is_applied_once():
    """Real concurrent connections: the unique SHA-256 of the import row makes the second run
    wait and then skip, instead of applying the file twice."""
    person = PersonFactory()
    content = extract((person.iin, next_bin(), "2026-01-10", ""))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            result = import_employment_records(io.BytesIO(content), file_name="same.csv")
            outcomes.append("skipped" if result.skipped_duplicate_file else "imported")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["imported", "skipped"]
    assert EmploymentImport.objects.count() == 1
    assert EmploymentRecord.objects.count() == 1


def test_command_reports_counts_without_iins(tmp_path, caplog):
    person = PersonFactory()
    path = write(
        tmp_path,
        "extract.csv",
        extract(
            (person.iin, next_bin(), "2026-01-10", ""), (next_iin(), next_bin(), "2026-01-10", "")
        ),
    )
    out = io.StringIO()
    with caplog.at_level(logging.INFO, logger="labormarket.registry.employment"):
        call_command("import_employment_records", str(path), stdout=out)
    assert out.getvalue().strip() == (
        "rows 2; created 1; updated 0; unchanged 0; rows of unknown persons 1"
    )
    assert caplog.messages == [
        "employment extract extract.csv imported: rows 2, created 1, updated 0, unchanged 0, "
        "unknown persons 1"
    ]
    again = io.StringIO()
    call_command("import_employment_records", str(path), stdout=again)
    assert again.getvalue().strip() == "This file has already been imported; nothing changed."
    assert person.iin not in out.getvalue() + again.getvalue() + caplog.text


def test_command_refuses_a_bad_file_naming_lines_not_iins(tmp_path):
    person = PersonFactory()
    path = write(tmp_path, "bad.csv", extract((person.iin, "123", "2026-01-10", "")))
    with pytest.raises(CommandError) as caught:
        call_command("import_employment_records", str(path))
    assert str(caught.value) == (
        "The file was refused, nothing changed:\nline 2: employer_bin: bin_length"
    )
    assert person.iin not in str(caught.value)
    assert EmploymentImport.objects.count() == 0
    with pytest.raises(CommandError):
        call_command("import_employment_records", str(tmp_path / "missing.csv"))
