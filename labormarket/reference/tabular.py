"""Reading of the official classifier files (CSV or XLSX) into rows with their line numbers.

Official exports differ from edition to edition: CSV files come in UTF-8 or Windows-1251,
separated by commas, semicolons or tabs; XLSX files keep codes as text or as numbers. This
module hides those differences so that the importers see header names (lower-cased, trimmed)
and text values, each row with the line number a person sees in the file.
"""

from __future__ import annotations

import csv
import io
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


def _build(raw_rows: list[tuple[int, list[str]]]) -> Table:
    header_index = next(
        (index for index, (_line, cells) in enumerate(raw_rows) if any(cells)), None
    )
    if header_index is None:
        raise TableReadError(_("The file is empty."))
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


def read_csv(path: Path) -> Table:
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
    return _build(raw_rows)


def read_xlsx(path: Path) -> Table:
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
    return _build(raw_rows)


def read_table(path: Path | str) -> Table:
    """Read a CSV or XLSX file (chosen by its extension) into a :class:`Table`."""
    path = Path(path)
    if not path.is_file():
        raise TableReadError(_("File not found: %s") % path)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return read_csv(path)
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path)
    raise TableReadError(_("Unsupported file type %s: use CSV or XLSX.") % (suffix or "?"))
