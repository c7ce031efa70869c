"""PRG-69: weekly reconciliation with pension contributions.

The pension fund's extract lists, per person (IIN), the month (period) and the employer (BIN)
of each contribution. A contribution means the person works, so a registered job seeker or
unemployed person is taken off the registers with reason "pension contributions" and the
contribution as evidence.

The file is checked whole before anything is written: a file with a bad row is refused with
every bad line listed, and nothing changes. A file already processed (same content) is skipped.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from labormarket.core.bin import InvalidBIN, parse_bin
from labormarket.core.errors import FieldError, ValidationFailed
from labormarket.core.iin import InvalidIIN, parse_iin
from labormarket.registry import services as registry_services
from labormarket.registry.choices import DeregistrationReason, LabourStatus
from labormarket.registry.models import Person

from .models import ContributionImport

PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
HEADER = ("iin", "period", "employer_bin")


@dataclass
class ContributionRow:
    line: int
    iin: str
    period: date
    employer_bin: str


@dataclass
class ImportResult:
    rows: int = 0
    persons_found: int = 0
    deregistered: int = 0
    not_registered: int = 0
    unknown_persons: int = 0
    skipped_duplicate_file: bool = False
    errors: list[str] = field(default_factory=list)


def _read_rows(text: str) -> list[ContributionRow]:
    reader = csv.reader(
        io.StringIO(text), delimiter=";" if text.count(";") > text.count(",") else ","
    )
    rows: list[ContributionRow] = []
    problems: list[str] = []
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header[:3]) != HEADER:
        raise ValidationFailed(
            {"file": [FieldError("header", "The first line must be: iin,period,employer_bin")]}
        )
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) < 3:
            problems.append(f"line {line}: 3 columns expected")
            continue
        iin_text, period_text, bin_text = (cell.strip() for cell in record[:3])
        try:
            iin = parse_iin(iin_text).value
        except InvalidIIN as error:
            problems.append(f"line {line}: iin: {error.code}")
            continue
        match = PERIOD.match(period_text)
        if not match or not 1 <= int(match.group(2)) <= 12:
            problems.append(f"line {line}: period: expected YYYY-MM")
            continue
        try:
            employer_bin = parse_bin(bin_text).value
        except InvalidBIN as error:
            problems.append(f"line {line}: employer_bin: {error.code}")
            continue
        period = date(int(match.group(1)), int(match.group(2)), 1)
        rows.append(ContributionRow(line, iin, period, employer_bin))
    if problems:
        raise ValidationFailed(
            {"file": [FieldError("invalid_rows", problem, rule="PRG-69") for problem in problems]}
        )
    return rows


def import_contributions(*, content: bytes, file_name: str) -> ImportResult:
    """Apply one contributions extract. Errors name each bad line; nothing is half-written."""
    digest = hashlib.sha256(content).hexdigest()
    result = ImportResult()
    if ContributionImport.objects.filter(sha256=digest).exists():
        result.skipped_duplicate_file = True
        return result
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1251")
    rows = _read_rows(text)
    result.rows = len(rows)
    latest: dict[str, ContributionRow] = {}
    for row in rows:
        if row.iin not in latest or row.period > latest[row.iin].period:
            latest[row.iin] = row
    with transaction.atomic():
        persons = {p.iin: p for p in Person.objects.filter(iin__in=list(latest))}
        result.persons_found = len(persons)
        result.unknown_persons = len(latest) - len(persons)
        for iin, person in persons.items():
            if person.labour_status == LabourStatus.NOT_REGISTERED:
                result.not_registered += 1
                continue
            row = latest[iin]
            registry_services.person_deregister(
                actor=None,
                person_id=person.pk,
                reason=DeregistrationReason.PENSION_CONTRIBUTIONS,
                payload={
                    "rule": "PRG-69",
                    "period": row.period.strftime("%Y-%m"),
                    "employer_bin": row.employer_bin,
                    "file": file_name,
                },
            )
            result.deregistered += 1
        ContributionImport.objects.create(
            file_name=file_name[:255],
            sha256=digest,
            rows=result.rows,
            persons_found=result.persons_found,
            deregistered=result.deregistered,
            not_registered=result.not_registered,
            unknown_persons=result.unknown_persons,
        )
    return result


def drop_folder() -> Path:
    return Path(settings.CONTRIBUTIONS_DROP_DIR)


def import_drop_folder() -> list[tuple[str, ImportResult]]:
    """Process every *.csv in the drop folder; done files move to processed/, refused ones
    to rejected/ with a .errors.txt beside them."""
    folder = drop_folder()
    folder.mkdir(parents=True, exist_ok=True)
    results: list[tuple[str, ImportResult]] = []
    for path in sorted(folder.glob("*.csv")):
        try:
            result = import_contributions(content=path.read_bytes(), file_name=path.name)
            target = folder / "processed"
        except ValidationFailed as error:
            result = ImportResult(
                errors=[item.message for items in error.fields.values() for item in items]
            )
            target = folder / "rejected"
            target.mkdir(exist_ok=True)
            (target / f"{path.name}.errors.txt").write_text("\n".join(result.errors) + "\n")
        target.mkdir(exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        shutil.move(str(path), target / f"{stamp}-{path.name}")
        results.append((path.name, result))
    return results
