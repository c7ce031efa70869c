"""Reading of the official classifier files (CSV or XLSX) into rows with their line numbers.

Official exports differ from edition to edition: CSV files come in UTF-8 or Windows-1251,
separated by commas, semicolons or tabs; XLSX files keep codes as text or as numbers. This
module hides those differences so that the importers see header names (lower-cased, trimmed)
and text values, each row with the line number a person sees in the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


class TableReadError(Exception):
    """The file cannot be read as a table at all (wrong format, no header)."""


@dataclass(frozen=True)
class TableRow:
    """One data row: its line number in the file and its values by header name."""

    line: int
    values: dict[str, str]

    def get(self, *names: str) -> str:
        """The value of the first of ``names`` that the file has, or ``""``."""
        for name in names:
            if name in self.values:
                return self.values[name]
        return ""


@dataclass(frozen=True)
class Table:
    """A read file: its header names, the line the header is on, and the data rows."""

    headers: tuple[str, ...]
    header_line: int
    rows: tuple[TableRow, ...]

    def has(self, *names: str) -> bool:
        return any(name in self.headers for name in names)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _normalise_header(value: object) -> str:
    return _cell_text(value).lstrip("\ufeff").strip().lower()


def _build(raw_rows: list[tuple[int, list[str]]], header_names: Collection[str] = ()) -> Table:
    non_empty = [index for index, (_line, cells) in enumerate(raw_rows) if any(cells)]
    if not non_empty:
        raise TableReadError(_("The file is empty."))
    # Official workbooks may put a title above the header: take the first row that names one
    # of the expected columns, else the first non-empty row.
    wanted = {name.lower() for name in header_names}
    header_index = next(
        (
            index
            for index in non_empty
            if wanted & {_normalise_header(cell) for cell in raw_rows[index][1]}
        ),
        non_empty[0],
    )
    headers = tuple(_normalise_header(cell) for cell in raw_rows[header_index][1])
    rows = []
    for line, cells in raw_rows[header_index + 1 :]:
        if not any(cells):
            continue
        values = {
            header: cells[position] if position < len(cells) else ""
            for position, header in enumerate(headers)
            if header
        }
        rows.append(TableRow(line=line, values=values))
    return Table(
        headers=tuple(header for header in headers if header),
        header_line=raw_rows[header_index][0],
        rows=tuple(rows),
    )


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older official exports are in the Windows Cyrillic code page.
        return data.decode("cp1251")


def read_csv(path: Path, header_names: Collection[str] = ()) -> Table:
    text = _decode(path.read_bytes())
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    raw_rows: list[tuple[int, list[str]]] = []
    for cells in reader:
        raw_rows.append((reader.line_num, [cell.strip() for cell in cells]))
    return _build(raw_rows, header_names)


def read_xlsx(path: Path, header_names: Collection[str] = ()) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as error:
        raise TableReadError(_("The file is not a readable XLSX workbook: %s") % error) from error
    try:
        sheet = workbook.worksheets[0]
        raw_rows = [
            (line, [_cell_text(value) for value in values])
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()
    return _build(raw_rows, header_names)


def read_table(path: Path | str, header_names: Collection[str] = ()) -> Table:
    """Read a CSV or XLSX file (chosen by its extension) into a :class:`Table`.

    The header is the first row naming one of ``header_names`` (title rows above it are
    skipped), or the first non-empty row.
    """
    path = Path(path)
    if not path.is_file():
        raise TableReadError(_("File not found: %s") % path)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return read_csv(path, header_names)
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path, header_names)
    raise TableReadError(_("Unsupported file type %s: use CSV or XLSX.") % (suffix or "?"))
