"""Writes to the reference data: imports of the official KATO and NKZ classifier files.

Both imports read the whole file first and check every row; if any row is wrong, nothing is
written and the error names each bad line (unless the caller asks to skip bad rows). The
writes then happen in one transaction, parents before children, matched by code: an
existing entry is updated, a new one created, an identical one left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .errors import ImportRejected, RowError
from .models import KatoUnit, Occupation, Region
from .tabular import Table, TableReadError, TableRow, read_table

KATO_CODE = re.compile(r"^[1-9]\d{8}$")
OCCUPATION_CODE = re.compile(r"^\d{1,12}$")

KATO_CODE_HEADERS = ("te", "code", "kato", "код")
KATO_PART_HEADERS = ("ab", "cd", "ef", "hij")
KATO_RU_HEADERS = ("rus_name", "name_ru", "наименование")
KATO_KK_HEADERS = ("kaz_name", "name_kk", "атауы")
KATO_EN_HEADERS = ("eng_name", "name_en")

OCCUPATION_CODE_HEADERS = ("code", "код", "kod", "nkz_code", "код нкз", "код занятия")
OCCUPATION_RU_HEADERS = (
    "name_ru",
    "rus_name",
    "наименование",
    "наименование на русском языке",
    "наименование занятия",
    "название",
    "name",
)
OCCUPATION_KK_HEADERS = ("name_kk", "kaz_name", "атауы", "наименование на казахском языке")
OCCUPATION_EN_HEADERS = ("name_en", "eng_name")


@dataclass
class ImportReport:
    """What an import did: entries created, updated, left unchanged; bad rows skipped."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False


@dataclass
class _Entry:
    """One checked row of an imported file."""

    line: int
    code: str
    name_ru: str
    name_kk: str
    name_en: str
    level: int | None = None
    parent_code: str | None = None


def _read(path: Path | str, header_names: tuple[str, ...]) -> Table:
    try:
        return read_table(path, header_names)
    except TableReadError as error:
        raise ImportRejected([], message=str(error)) from error


def _parse_level(raw: str, allowed: range) -> int:
    try:
        level = int(raw)
    except ValueError:
        raise ValueError(_("level “%s” is not a number") % raw) from None
    if level not in allowed:
        raise ValueError(
            _("level %(level)s is not one of %(first)s–%(last)s")
            % {
                "level": level,
                "first": allowed.start,
                "last": allowed.stop - 1,
            }
        )
    return level


def _apply_names(instance: Region | KatoUnit | Occupation, entry: _Entry) -> list[str]:
    """Copy the file's names onto ``instance``; a blank name in the file keeps the stored one."""
    changed = []
    for name in ("name_ru", "name_kk", "name_en"):
        value = getattr(entry, name)
        if value and getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _finish(report: ImportReport, row_errors: list[RowError], *, skip_invalid: bool) -> None:
    row_errors.sort(key=lambda error: error.line)
    report.errors = row_errors
    if row_errors and not skip_invalid:
        raise ImportRejected(row_errors)
    report.skipped = len(row_errors)


# --- KATO ------------------------------------------------------------------------------------


def kato_structural_depth(code: str) -> int:
    """The depth the code's digit groups AB CD EF HIJ show: 1 region … 4 locality."""
    if code[2:] == "0000000":
        return 1
    if code[4:] == "00000":
        return 2
    if code[6:] == "000":
        return 3
    return 4


def kato_region_code(code: str) -> str:
    return f"{code[:2]}0000000"


def _kato_code_of(row: TableRow, table: Table) -> str:
    code = row.get(*KATO_CODE_HEADERS).replace(" ", "")
    if not code and table.has(*KATO_PART_HEADERS):
        widths = (2, 2, 2, 3)
        code = "".join(
            row.get(part).replace(" ", "").zfill(width)
            for part, width in zip(KATO_PART_HEADERS, widths, strict=True)
        )
    return code


def _kato_entries(table: Table) -> tuple[list[_Entry], list[RowError], set[str]]:
    if not (table.has(*KATO_CODE_HEADERS) or all(table.has(h) for h in KATO_PART_HEADERS)):
        raise ImportRejected(
            [
                RowError(
                    line=table.header_line,
                    message=_("no KATO code column (expected “te” or “code”); found: %s")
                    % ", ".join(table.headers),
                )
            ]
        )
    entries: list[_Entry] = []
    errors: list[RowError] = []
    rejected: set[str] = set()
    first_line: dict[str, int] = {}
    for row in table.rows:
        code = _kato_code_of(row, table)
        try:
            if not KATO_CODE.match(code):
                raise ValueError(_("KATO code “%s” must be 9 digits, not starting with 0") % code)
            if code in first_line:
                raise ValueError(
                    _("KATO code %(code)s is already on line %(line)s")
                    % {"code": code, "line": first_line[code]}
                )
            name_ru = row.get(*KATO_RU_HEADERS)
            if not name_ru:
                raise ValueError(_("the Russian name of %s is empty") % code)
            level_raw = row.get("level")
            parent_raw = row.get("parent_code").replace(" ", "")
            if parent_raw and not KATO_CODE.match(parent_raw):
                raise ValueError(_("parent code “%s” must be 9 digits") % parent_raw)
            entry = _Entry(
                line=row.line,
                code=code,
                name_ru=name_ru,
                name_kk=row.get(*KATO_KK_HEADERS),
                name_en=row.get(*KATO_EN_HEADERS),
                level=_parse_level(level_raw, range(1, 5)) if level_raw else None,
                parent_code=parent_raw or None,
            )
            if kato_structural_depth(code) == 1 and entry.level not in (None, 1):
                raise ValueError(_("%s is a region code, so its level must be 1") % code)
            if entry.level == 1 and kato_structural_depth(code) != 1:
                raise ValueError(_("level 1 is for region codes (AB0000000), not %s") % code)
        except ValueError as error:
            errors.append(RowError(line=row.line, message=str(error)))
            if KATO_CODE.match(code):
                rejected.add(code)
            continue
        first_line[code] = row.line
        entries.append(entry)
    return entries, errors, rejected


class _ParentLoop(ValueError):
    """The parent columns of some rows point at each other."""


@dataclass
class _Placement:
    level: int
    parent_code: str | None


def _kato_placements(
    units: list[_Entry],
    known_regions: set[str],
    stored_levels: dict[str, int],
    rejected: set[str],
) -> tuple[dict[str, _Placement], list[RowError]]:
    """Find each unit's parent and level: the parent column, else the nearest ancestor code.

    The level is the depth below the region (2 district, 3 rural district, 4 locality), so a
    unit whose intermediate codes do not exist hangs directly from the nearest one that does.
    """
    by_code = {entry.code: entry for entry in units}
    placements: dict[str, _Placement] = {}
    failures: dict[str, str] = {}

    def level_of(code: str, chain: tuple[str, ...]) -> int:
        if code not in by_code:
            return stored_levels[code]
        try:
            return place(by_code[code], chain).level
        except _ParentLoop:
            raise
        except ValueError:
            raise ValueError(
                _("its parent %(parent)s (line %(line)s) is rejected")
                % {"parent": code, "line": by_code[code].line}
            ) from None

    def place(entry: _Entry, chain: tuple[str, ...] = ()) -> _Placement:
        if entry.code in placements:
            return placements[entry.code]
        if entry.code in failures:
            raise ValueError(failures[entry.code])
        if entry.code in chain:
            raise _ParentLoop(_("the parent codes of %s form a loop") % entry.code)
        chain = (*chain, entry.code)
        try:
            region_code = kato_region_code(entry.code)
            if region_code not in known_regions:
                raise ValueError(_("region %s is neither in the file nor stored") % region_code)
            parent_code = entry.parent_code
            if parent_code == region_code:
                placement = _Placement(level=2, parent_code=None)
            elif parent_code:
                if parent_code == entry.code:
                    raise ValueError(_("%s cannot be its own parent") % entry.code)
                if parent_code[:2] != entry.code[:2]:
                    raise ValueError(
                        _("parent %(parent)s is in another region than %(code)s")
                        % {"parent": parent_code, "code": entry.code}
                    )
                if parent_code in rejected and parent_code not in stored_levels:
                    raise ValueError(_("its parent %s is rejected") % parent_code)
                if parent_code not in by_code and parent_code not in stored_levels:
                    raise ValueError(_("parent %s is neither in the file nor stored") % parent_code)
                placement = _Placement(level_of(parent_code, chain) + 1, parent_code)
            else:
                placement = _Placement(level=2, parent_code=None)
                for candidate in (f"{entry.code[:6]}000", f"{entry.code[:4]}00000"):
                    if candidate == entry.code:
                        continue
                    if candidate in rejected and candidate not in stored_levels:
                        raise ValueError(_("its parent %s is rejected") % candidate)
                    if candidate in by_code or candidate in stored_levels:
                        placement = _Placement(level_of(candidate, chain) + 1, candidate)
                        break
            if placement.level > KatoUnit.Level.LOCALITY:
                raise ValueError(_("%s would lie below the locality level") % entry.code)
            if entry.level is not None and entry.level != placement.level:
                raise ValueError(
                    _("level %(given)s does not match its parent (level %(derived)s)")
                    % {"given": entry.level, "derived": placement.level}
                )
        except ValueError as error:
            failures[entry.code] = str(error)
            raise
        placements[entry.code] = placement
        return placement

    errors: list[RowError] = []
    for entry in sorted(units, key=lambda item: (kato_structural_depth(item.code), item.line)):
        try:
            place(entry)
        except ValueError as error:
            errors.append(RowError(line=entry.line, message=str(error)))
    return placements, errors


def _guess_region_kind(name_ru: str) -> str:
    lowered = name_ru.lower()
    if lowered.startswith(("г.", "г ", "город")):
        return Region.Kind.CITY
    return Region.Kind.OBLAST


def _import_regions(entries: list[_Entry], report: ImportReport) -> None:
    stored = {
        region.kato_code: region
        for region in Region.objects.filter(kato_code__in=[entry.code for entry in entries])
    }
    next_order = (Region.objects.aggregate(top=Max("sort_order"))["top"] or 0) + 1
    for entry in entries:
        region = stored.get(entry.code)
        if region is None:
            Region.objects.create(
                kato_code=entry.code,
                kind=_guess_region_kind(entry.name_ru),
                sort_order=next_order,
                name_ru=entry.name_ru,
                name_kk=entry.name_kk,
                name_en=entry.name_en,
            )
            next_order += 1
            report.created += 1
        elif changed := _apply_names(region, entry):
            region.save(update_fields=changed)
            report.updated += 1
        else:
            report.unchanged += 1


def _import_units(
    entries: list[_Entry], placements: dict[str, _Placement], report: ImportReport
) -> None:
    region_ids = dict(Region.objects.values_list("kato_code", "pk"))
    unit_ids = dict(KatoUnit.objects.values_list("code", "pk"))
    stored = {
        unit.code: unit
        for unit in KatoUnit.objects.filter(code__in=[entry.code for entry in entries])
    }
    for level in sorted({placements[entry.code].level for entry in entries}):
        created: list[KatoUnit] = []
        updated: list[KatoUnit] = []
        fields: set[str] = set()
        for entry in (item for item in entries if placements[item.code].level == level):
            placement = placements[entry.code]
            parent_id = unit_ids[placement.parent_code] if placement.parent_code else None
            unit = stored.get(entry.code)
            if unit is None:
                created.append(
                    KatoUnit(
                        code=entry.code,
                        level=level,
                        region_id=region_ids[kato_region_code(entry.code)],
                        parent_id=parent_id,
                        name_ru=entry.name_ru,
                        name_kk=entry.name_kk,
                        name_en=entry.name_en,
                    )
                )
                continue
            changed = _apply_names(unit, entry)
            if unit.level != level:
                unit.level = level
                changed.append("level")
            if unit.parent_id != parent_id:
                unit.parent_id = parent_id
                changed.append("parent")
            if changed:
                updated.append(unit)
                fields.update(changed)
            else:
                report.unchanged += 1
        KatoUnit.objects.bulk_create(created, batch_size=500)
        if updated:
            KatoUnit.objects.bulk_update(updated, sorted(fields), batch_size=500)
        report.created += len(created)
        report.updated += len(updated)
        unit_ids.update(
            KatoUnit.objects.filter(code__in=[unit.code for unit in created]).values_list(
                "code", "pk"
            )
        )


def kato_import(
    *, path: Path | str, skip_invalid: bool = False, dry_run: bool = False
) -> ImportReport:
    """Import an official KATO file (CSV or XLSX) or one in our own column layout.

    Accepts the official headers (``te``, ``ab``, ``cd``, ``ef``, ``hij``, ``k``, ``kaz_name``,
    ``rus_name``) or ``code, level, parent_code, name_ru, name_kk, name_en``. Region rows
    (AB0000000) update the region's names; other rows are upserted as KATO units. Without a
    parent column the parent is the nearest existing ancestor code (ABCDEF000, then
    ABCD00000, then the region). The ``k`` column is not trusted for the level, which is the
    unit's depth below its region; a ``level`` column, when given, must agree.

    Raises :class:`ImportRejected` (nothing written) when any row is wrong, unless
    ``skip_invalid``: then bad rows are left out and listed in the report.
    """
    table = _read(path, KATO_CODE_HEADERS)
    entries, row_errors, rejected = _kato_entries(table)
    region_entries = [entry for entry in entries if kato_structural_depth(entry.code) == 1]
    unit_entries = [entry for entry in entries if kato_structural_depth(entry.code) != 1]
    known_regions = set(Region.objects.values_list("kato_code", flat=True)) | {
        entry.code for entry in region_entries
    }
    stored_levels = dict(KatoUnit.objects.values_list("code", "level"))
    placements, placement_errors = _kato_placements(
        unit_entries, known_regions, stored_levels, rejected
    )
    row_errors.extend(placement_errors)
    unit_entries = [entry for entry in unit_entries if entry.code in placements]

    report = ImportReport(dry_run=dry_run)
    _finish(report, row_errors, skip_invalid=skip_invalid)

    def writes() -> None:
        _import_regions(region_entries, report)
        _import_units(unit_entries, placements, report)

    _write(writes, dry_run=dry_run)
    return report


def _write(writes: Callable[[], None], *, dry_run: bool) -> None:
    """Run ``writes`` in one transaction; a dry run rolls it back after counting."""
    with transaction.atomic():
        writes()
        if dry_run:
            transaction.set_rollback(True)


# --- Occupations (NKZ) -----------------------------------------------------------------------


def occupation_level_of(code: str) -> int:
    """ISCO-08 levels 1–4 by code length; longer NKZ codes are occupations (level 5)."""
    return min(len(code), Occupation.Level.OCCUPATION)


def occupation_parent_code(code: str) -> str | None:
    """The group an occupation code belongs to: one digit up, or the unit group for NKZ codes."""
    level = occupation_level_of(code)
    if level == Occupation.Level.MAJOR:
        return None
    if level == Occupation.Level.OCCUPATION:
        return code[:4]
    return code[:-1]


def normalise_occupation_code(raw: str) -> str:
    """NKZ codes are printed with separators (``2512-1-001``); we store the digits only."""
    return re.sub(r"[\s.\-/]", "", raw)


def _occupation_entries(table: Table) -> tuple[list[_Entry], list[RowError], set[str]]:
    if not table.has(*OCCUPATION_CODE_HEADERS):
        raise ImportRejected(
            [
                RowError(
                    line=table.header_line,
                    message=_("no occupation code column (expected “code”); found: %s")
                    % ", ".join(table.headers),
                )
            ]
        )
    entries: list[_Entry] = []
    errors: list[RowError] = []
    rejected: set[str] = set()
    first_line: dict[str, int] = {}
    for row in table.rows:
        raw_code = row.get(*OCCUPATION_CODE_HEADERS)
        code = normalise_occupation_code(raw_code)
        try:
            if not OCCUPATION_CODE.match(code):
                raise ValueError(_("occupation code “%s” must be 1 to 12 digits") % raw_code)
            if code in first_line:
                raise ValueError(
                    _("occupation code %(code)s is already on line %(line)s")
                    % {"code": code, "line": first_line[code]}
                )
            name_ru = row.get(*OCCUPATION_RU_HEADERS)
            if not name_ru:
                raise ValueError(_("the Russian name of %s is empty") % code)
            level = occupation_level_of(code)
            level_raw = row.get("level")
            if level_raw and _parse_level(level_raw, range(1, 6)) != level:
                raise ValueError(
                    _("level %(given)s does not match code %(code)s (level %(derived)s)")
                    % {"given": level_raw, "code": code, "derived": level}
                )
            parent_code = occupation_parent_code(code)
            parent_raw = normalise_occupation_code(row.get("parent_code"))
            if parent_raw and parent_raw != parent_code:
                raise ValueError(
                    _("parent %(given)s does not match code %(code)s (parent %(derived)s)")
                    % {"given": parent_raw, "code": code, "derived": parent_code or "—"}
                )
        except ValueError as error:
            errors.append(RowError(line=row.line, message=str(error)))
            if OCCUPATION_CODE.match(code):
                rejected.add(code)
            continue
        first_line[code] = row.line
        entries.append(
            _Entry(
                line=row.line,
                code=code,
                name_ru=name_ru,
                name_kk=row.get(*OCCUPATION_KK_HEADERS),
                name_en=row.get(*OCCUPATION_EN_HEADERS),
                level=level,
                parent_code=parent_code,
            )
        )
    return entries, errors, rejected


def _check_occupation_parents(
    entries: list[_Entry], stored_codes: set[str], rejected: set[str]
) -> tuple[list[_Entry], list[RowError]]:
    accepted: set[str] = set()
    kept: list[_Entry] = []
    errors: list[RowError] = []
    in_file = {entry.code for entry in entries}
    for entry in sorted(entries, key=lambda item: (item.level or 0, item.line)):
        parent = entry.parent_code
        if parent is None or parent in accepted or parent in stored_codes:
            accepted.add(entry.code)
            kept.append(entry)
            continue
        if parent in rejected or parent in in_file:
            message = _("its parent group %s is rejected") % parent
        else:
            message = _("parent group %s is neither in the file nor stored") % parent
        rejected.add(entry.code)
        errors.append(RowError(line=entry.line, message=message))
    return kept, errors


def _import_occupations(entries: list[_Entry], report: ImportReport) -> None:
    occupation_ids = dict(Occupation.objects.values_list("code", "pk"))
    stored = {
        item.code: item
        for item in Occupation.objects.filter(code__in=[entry.code for entry in entries])
    }
    for level in sorted({entry.level or 0 for entry in entries}):
        created: list[Occupation] = []
        updated: list[Occupation] = []
        fields: set[str] = set()
        for entry in (item for item in entries if item.level == level):
            parent_id = occupation_ids[entry.parent_code] if entry.parent_code else None
            occupation = stored.get(entry.code)
            if occupation is None:
                created.append(
                    Occupation(
                        code=entry.code,
                        level=level,
                        parent_id=parent_id,
                        name_ru=entry.name_ru,
                        name_kk=entry.name_kk,
                        name_en=entry.name_en,
                    )
                )
                continue
            changed = _apply_names(occupation, entry)
            if occupation.parent_id != parent_id:
                occupation.parent_id = parent_id
                changed.append("parent")
            if changed:
                updated.append(occupation)
                fields.update(changed)
            else:
                report.unchanged += 1
        Occupation.objects.bulk_create(created, batch_size=500)
        if updated:
            Occupation.objects.bulk_update(updated, sorted(fields), batch_size=500)
        report.created += len(created)
        report.updated += len(updated)
        occupation_ids.update(
            Occupation.objects.filter(code__in=[item.code for item in created]).values_list(
                "code", "pk"
            )
        )


def occupation_import(
    *, path: Path | str, skip_invalid: bool = False, dry_run: bool = False
) -> ImportReport:
    """Import the official NKZ file (CSV or XLSX): code, Russian name, Kazakh name if present.

    Codes of 1–4 digits are the ISCO-08 groups; longer codes are NKZ occupations (level 5)
    under the unit group named by their first four digits. Separators in codes
    (``2512-1-001``) are dropped. Every parent must be in the file or already stored.

    Raises :class:`ImportRejected` (nothing written) when any row is wrong, unless
    ``skip_invalid``: then bad rows are left out and listed in the report.
    """
    table = _read(path, OCCUPATION_CODE_HEADERS)
    entries, row_errors, rejected = _occupation_entries(table)
    stored_codes = set(Occupation.objects.values_list("code", flat=True))
    entries, parent_errors = _check_occupation_parents(entries, stored_codes, rejected)
    row_errors.extend(parent_errors)

    report = ImportReport(dry_run=dry_run)
    _finish(report, row_errors, skip_invalid=skip_invalid)
    _write(lambda: _import_occupations(entries, report), dry_run=dry_run)
    return report
