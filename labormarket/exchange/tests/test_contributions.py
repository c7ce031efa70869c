"""PRG-69: pension contributions take people off the job-seeker and unemployed registers."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from labormarket.core.errors import ValidationFailed
from labormarket.core.testing import next_bin, next_iin
from labormarket.exchange.contributions import import_contributions, import_drop_folder
from labormarket.exchange.models import ContributionImport
from labormarket.registry import services as registry_services
from labormarket.registry.models import LabourStatusChange
from labormarket.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(specialist, centre):
    seeker = PersonFactory()
    registry_services.person_register_job_seeker(
        actor=specialist, person_id=seeker.pk, organisation=centre
    )
    unemployed = PersonFactory()
    registry_services.person_register_job_seeker(
        actor=specialist, person_id=unemployed.pk, organisation=centre
    )
    card = registry_services.person_register_unemployed(
        actor=specialist, person_id=unemployed.pk, organisation=centre
    )
    return seeker, unemployed, card


def extract(*rows: tuple[str, str, str]) -> bytes:
    lines = ["iin,period,employer_bin", *(",".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


def test_prg_69_contribution_deregisters_with_reason_and_evidence(registered):
    seeker, unemployed, card = registered
    employer_bin = next_bin()
    outsider = PersonFactory()
    content = extract(
        (seeker.iin, "2026-09", employer_bin),
        (unemployed.iin, "2026-08", employer_bin),
        (unemployed.iin, "2026-09", employer_bin),
        (outsider.iin, "2026-09", employer_bin),
        (next_iin(), "2026-09", employer_bin),
    )
    result = import_contributions(content=content, file_name="gcvp-2026-09.csv")
    assert (
        result.rows,
        result.persons_found,
        result.deregistered,
        result.not_registered,
        result.unknown_persons,
    ) == (5, 3, 2, 1, 1)
    for person in (seeker, unemployed):
        person.refresh_from_db()
        assert person.labour_status == "not_registered"
    change = LabourStatusChange.objects.filter(person=unemployed).last()
    assert change.reason == "pension_contributions"
    assert change.payload == {
        "rule": "PRG-69",
        "period": "2026-09",
        "employer_bin": employer_bin,
        "file": "gcvp-2026-09.csv",
    }
    card.refresh_from_db()
    assert card.close_reason == "pension_contributions"
    # The same file again changes nothing.
    again = import_contributions(content=content, file_name="gcvp-2026-09.csv")
    assert again.skipped_duplicate_file
    assert ContributionImport.objects.count() == 1


def test_prg_69_a_file_with_a_bad_row_is_refused_whole(registered):
    seeker, _unemployed, _card = registered
    content = extract(
        (seeker.iin, "2026-09", next_bin()),
        ("123", "2026-09", next_bin()),
        (seeker.iin, "2026-13", next_bin()),
    )
    with pytest.raises(ValidationFailed) as caught:
        import_contributions(content=content, file_name="bad.csv")
    assert [e.message for e in caught.value.fields["file"]] == [
        "line 3: iin: iin_length",
        "line 4: period: expected YYYY-MM",
    ]
    seeker.refresh_from_db()
    assert seeker.labour_status == "job_seeker"
    assert ContributionImport.objects.count() == 0


def test_prg_69_weekly_drop_folder_run(registered, settings, tmp_path):
    seeker, _unemployed, _card = registered
    settings.CONTRIBUTIONS_DROP_DIR = tmp_path
    (tmp_path / "week-39.csv").write_bytes(extract((seeker.iin, "2026-09", next_bin())))
    (tmp_path / "broken.csv").write_bytes(b"iin;period\n1;2\n")
    results = dict(import_drop_folder())
    assert results["week-39.csv"].deregistered == 1
    assert results["broken.csv"].errors == ["The first line must be: iin,period,employer_bin"]
    assert [p.name.split("-", 1)[1] for p in (tmp_path / "processed").iterdir()] == ["week-39.csv"]
    assert sorted(p.suffix for p in (tmp_path / "rejected").iterdir()) == [".csv", ".txt"]
    assert list(tmp_path.glob("*.csv")) == []


def test_import_contributions_command_reports_counts(registered, tmp_path):
    seeker, _unemployed, _card = registered
    path = tmp_path / "extract.csv"
    path.write_bytes(extract((seeker.iin, "2026-10", next_bin())))
    from io import StringIO

    out = StringIO()
    call_command("import_contributions", str(path), stdout=out)
    assert out.getvalue().strip() == (
        "rows 1; persons found 1; deregistered 1; already not registered 0; unknown IINs 0"
    )
    assert seeker.iin not in out.getvalue()
    with pytest.raises(CommandError):
        call_command("import_contributions", str(tmp_path / "missing.csv"))
