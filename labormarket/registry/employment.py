"""Import of extracts from the state register of employment contracts (ЕСУТД).

The extract lists, per person (IIN), each employment contract: the employer (BIN), the start
and, once it has ended, the end. The records feed the outsourcing checks "employed within 30
working days" (OUT-18) and "continuously employed at one employer for 3 / 6 months" (OUT-23,
OUT-24); see :mod:`labormarket.registry.spells`.

CSV, UTF-8 (or Windows-1251), comma or semicolon separated, with the header
``iin,employer_bin,started_on,ended_on``; dates ISO ``YYYY-MM-DD``; ``ended_on`` empty while
the contract is in force.

Like the pension-contributions import (PRG-69), the file is checked whole before anything is
written: a file with a bad row is refused with every bad line and field listed, and nothing
changes. Messages name the line and the field, never the IIN. A file already processed (same
content) is skipped. Rows of IINs not in the registry are counted and skipped.

A contract is identified by (person, employer BIN, start). A later extract that ends a contract,
or corrects its end, updates the record. An extract that gives no end for a contract already
known to have ended does not reopen it: extracts may arrive out of order, and a stale one must
not count employment that the register says has ended; that row counts as unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from labormarket.core.bin import InvalidBIN, parse_bin
from labormarket.core.errors import Conflict, FieldError, ValidationFailed
from labormarket.core.iin import InvalidIIN, parse_iin
from labormarket.core.logging import mask_iin_text

from .models import EmploymentImport, EmploymentRecord, Person

logger = logging.getLogger(__name__)

HEADER = ("iin", "employer_bin", "started_on", "ended_on")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Keeps every IN (...) list under SQLite's and PostgreSQL's parameter limits.
CHUNK = 500


@dataclass(frozen=True)
class EmploymentRow:
    line: int
    iin: str
    employer_bin: str
    started_on: date
    ended_on: date | None


@dataclass
class EmploymentImportResult:
    """Counts of one import. ``rows`` = data lines; ``created``, ``updated`` and ``unchanged``
    count contracts (a line repeated in the file is one contract); ``unknown_persons`` counts
    the lines of IINs not in the registry."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unknown_persons: int = 0
    skipped_duplicate_file: bool = False
    import_id: int | None = None
    errors: list[str] = field(default_factory=list)


def _parse_date(text: str) -> date | None:
    """An ISO date (exactly ``YYYY-MM-DD``: ``date.fromisoformat`` alone also takes week dates
    and ``YYYYMMDD``), or ``None`` if it is not one."""
    if not ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _read_rows(text: str) -> list[EmploymentRow]:
    """Every row of the file, or ValidationFailed listing every bad line and field."""
    reader = csv.reader(
        io.StringIO(text), delimiter=";" if text.count(";") > text.count(",") else ","
    )
    problems: list[str] = []
    rows: list[EmploymentRow] = []
    try:
        header = next(reader, None)
        if header is None or tuple(h.strip().lower() for h in header if h.strip()) != HEADER:
            raise ValidationFailed(
                {
                    "file": [
                        FieldError(
                            "header", "The first line must be: iin,employer_bin,started_on,ended_on"
                        )
                    ]
                }
            )
        for line, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(record) < 4 or any(cell.strip() for cell in record[4:]):
                problems.append(f"line {line}: 4 columns expected")
                continue
            row = _parse_row(line, [cell.strip() for cell in record[:4]], problems)
            if row is not None:
                rows.append(row)
    except csv.Error:
        # The csv module's message may quote the line; name the line only.
        problems.append(f"line {reader.line_num}: not readable as CSV")
    problems.extend(_conflicting_duplicates(rows))
    if problems:
        raise ValidationFailed(
            {"file": [FieldError("invalid_rows", problem) for problem in problems]},
            message=_("The file was refused; nothing changed."),
        )
    return rows


def _parse_row(line: int, cells: list[str], problems: list[str]) -> EmploymentRow | None:
    iin_text, bin_text, started_text, ended_text = cells
    before = len(problems)
    iin = employer_bin = ""
    try:
        iin = parse_iin(iin_text).value
    except InvalidIIN as error:
        problems.append(f"line {line}: iin: {error.code}")
    try:
        employer_bin = parse_bin(bin_text).value
    except InvalidBIN as error:
        problems.append(f"line {line}: employer_bin: {error.code}")
    started_on = _parse_date(started_text)
    if started_on is None:
        problems.append(f"line {line}: started_on: expected YYYY-MM-DD")
    ended_on = _parse_date(ended_text) if ended_text else None
    if ended_text and ended_on is None:
        problems.append(f"line {line}: ended_on: expected YYYY-MM-DD or empty")
    elif started_on and ended_on and ended_on < started_on:
        problems.append(f"line {line}: ended_on: before started_on")
    if len(problems) > before or started_on is None:
        return None
    return EmploymentRow(line, iin, employer_bin, started_on, ended_on)


def _conflicting_duplicates(rows: list[EmploymentRow]) -> list[str]:
    """One problem per line that repeats a contract with another end date."""
    first: dict[tuple[str, str, date], EmploymentRow] = {}
    problems: list[str] = []
    for row in rows:
        key = (row.iin, row.employer_bin, row.started_on)
        earlier = first.setdefault(key, row)
        if earlier.ended_on != row.ended_on:
            problems.append(
                f"line {row.line}: ended_on: differs from line {earlier.line} "
                "for the same person, employer and start"
            )
    return problems


def _content_of(source: str | Path | IO[bytes] | IO[str]) -> tuple[bytes, str]:
    if isinstance(source, str | Path):
        path = Path(source)
        return path.read_bytes(), path.name
    data = source.read()
    content = data.encode("utf-8") if isinstance(data, str) else data
    return content, Path(str(getattr(source, "name", "") or "upload.csv")).name


def import_employment_records(
    source: str | Path | IO[bytes] | IO[str], *, file_name: str | None = None
) -> EmploymentImportResult:
    """Apply one extract of the register of employment contracts (a path or an open file).

    Raises:
        ValidationFailed: the file is refused; ``fields["file"]`` lists every bad line as
            ``"line N: field: problem"``. Nothing was written.
        Conflict: another import changed the same contracts at the same moment; run it again.
    """
    content, name = _content_of(source)
    name = (file_name or name)[:255]
    digest = hashlib.sha256(content).hexdigest()
    result = EmploymentImportResult()
    if EmploymentImport.objects.filter(sha256=digest).exists():
        result.skipped_duplicate_file = True
        logger.info("employment extract %s skipped: already imported", mask_iin_text(name))
        return result
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1251")
    rows = _read_rows(text)
    result.rows = len(rows)
    try:
        with transaction.atomic():
            _apply(rows, digest=digest, file_name=name, result=result)
    except IntegrityError as error:
        if EmploymentImport.objects.filter(sha256=digest).exists():
            return EmploymentImportResult(skipped_duplicate_file=True)
        raise Conflict(
            "employment_import_concurrent",
            _("Another import changed the same contracts at the same time; run it again."),
        ) from error
    logger.info(
        "employment extract %s imported: rows %d, created %d, updated %d, unchanged %d, "
        "unknown persons %d",
        mask_iin_text(name),
        result.rows,
        result.created,
        result.updated,
        result.unchanged,
        result.unknown_persons,
    )
    return result


def _apply(
    rows: list[EmploymentRow], *, digest: str, file_name: str, result: EmploymentImportResult
) -> None:
    # The import row first: a second run of the same file at the same moment waits on the
    # unique SHA-256 and then fails, instead of applying the file twice.
    batch = EmploymentImport.objects.create(file_name=file_name, sha256=digest)
    iins = sorted({row.iin for row in rows})
    persons: dict[str, int] = {}
    for start in range(0, len(iins), CHUNK):
        persons.update(
            Person.objects.filter(iin__in=iins[start : start + CHUNK]).values_list("iin", "pk")
        )
    contracts: dict[tuple[int, str, date], date | None] = {}
    for row in rows:
        person_id = persons.get(row.iin)
        if person_id is None:
            result.unknown_persons += 1
            continue
        contracts[(person_id, row.employer_bin, row.started_on)] = row.ended_on

    person_ids = sorted({key[0] for key in contracts})
    existing: dict[tuple[int, str, date], EmploymentRecord] = {}
    for start in range(0, len(person_ids), CHUNK):
        for held in EmploymentRecord.objects.select_for_update().filter(
            person_id__in=person_ids[start : start + CHUNK]
        ):
            existing[(held.person_id, held.employer_bin, held.started_on)] = held

    new: list[EmploymentRecord] = []
    changed: list[EmploymentRecord] = []
    for (person_id, employer_bin, started_on), ended_on in contracts.items():
        record = existing.get((person_id, employer_bin, started_on))
        if record is None:
            new.append(
                EmploymentRecord(
                    person_id=person_id,
                    employer_bin=employer_bin,
                    started_on=started_on,
                    ended_on=ended_on,
                    source_import=batch,
                )
            )
        elif ended_on is None or ended_on == record.ended_on:
            result.unchanged += 1
        else:
            record.ended_on = ended_on
            record.source_import = batch
            changed.append(record)
    EmploymentRecord.objects.bulk_create(new, batch_size=CHUNK)
    # bulk_update skips auto_now: set updated_at by hand.
    now = timezone.now()
    for record in changed:
        record.updated_at = now
    EmploymentRecord.objects.bulk_update(
        changed, ["ended_on", "source_import", "updated_at"], batch_size=CHUNK
    )
    result.created = len(new)
    result.updated = len(changed)
    result.import_id = batch.pk
    EmploymentImport.objects.filter(pk=batch.pk).update(
        rows=result.rows,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        unknown_persons=result.unknown_persons,
    )
