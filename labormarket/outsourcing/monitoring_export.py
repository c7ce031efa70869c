"""The monitoring of outsourcing as an XLSX workbook (OUT-25).

One sheet of CLM rows and one of agency rows; on top of each the title, the period and the
moment the report was generated; then one header row and one row per organisation, the header
and the names frozen. Figures are numbers (money with two decimals), headers are in the active
language. Nothing personal is written: organisations' names, regions and counts only.

Written with XlsxWriter, the project's library for XLSX out (openpyxl reads XLSX in).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from labormarket.core.calendar import business_time_zone

from .monitoring import (
    DEADLINE_COLUMNS,
    DEADLINE_PARTS,
    FIGURE_COLUMNS,
    MonitoringReport,
    MonitoringRow,
    row_values,
)

#: The row (0-based) of the header; the title block is above it.
HEADER_ROW = 4
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def monitoring_headers() -> list[tuple[str, str, bool]]:
    """(key, header in the active language, is money) of each column after the organisation's
    name and region."""
    columns = [
        (c.key, f"{c.label} ({c.rule})" if c.rule else str(c.label), c.money)
        for c in FIGURE_COLUMNS
    ]
    for d in DEADLINE_COLUMNS:
        for part, label in DEADLINE_PARTS:
            columns.append((f"{d.key}_{part}", f"{d.label} ({d.rule}): {label}", False))
    return columns


def monitoring_workbook(report: MonitoringReport) -> bytes:
    """The report as an XLSX file (bytes)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "remove_timezone": True})
    book.set_properties({"title": _("Monitoring of outsourcing (OUT-25)")})
    formats = {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "header": book.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E7EEF7", "border": 1}
        ),
        "int": book.add_format({"num_format": "0"}),
        "money": book.add_format({"num_format": "#,##0.00"}),
    }
    columns = monitoring_headers()
    sheets = (
        (_("CLM"), _("Centre of labour mobility"), report.clm_rows),
        (_("Agencies"), _("Private employment agency"), report.agency_rows),
    )
    generated = timezone.localtime(report.generated_at, business_time_zone())
    for sheet_name, first_header, rows in sheets:
        sheet = book.add_worksheet(_sheet_name(str(sheet_name)))
        sheet.write(0, 0, _("Monitoring of outsourcing (OUT-25)"), formats["title"])
        sheet.write(
            1,
            0,
            _("Period: %(start)s – %(end)s")
            % {"start": f"{report.period_from:%d.%m.%Y}", "end": f"{report.period_to:%d.%m.%Y}"},
        )
        sheet.write(2, 0, _("Generated at %(moment)s") % {"moment": f"{generated:%d.%m.%Y %H:%M}"})
        sheet.write_row(
            HEADER_ROW,
            0,
            [first_header, _("Region"), *(h for _k, h, _m in columns)],
            formats["header"],
        )
        for index, row in enumerate(rows, start=HEADER_ROW + 1):
            _write_row(sheet, index, row, columns, formats)
        sheet.set_column(0, 0, 48)
        sheet.set_column(1, 1, 24)
        sheet.set_column(2, len(columns) + 1, 16)
        sheet.set_row(HEADER_ROW, 90)
        sheet.freeze_panes(HEADER_ROW + 1, 2)
    book.close()
    return buffer.getvalue()


def _write_row(
    sheet: Any,
    index: int,
    row: MonitoringRow,
    columns: list[tuple[str, str, bool]],
    formats: dict[str, Any],
) -> None:
    sheet.write_string(index, 0, row.name)
    sheet.write_string(index, 1, row.region)
    values = row_values(row.figures)
    for offset, (key, _header, money) in enumerate(columns, start=2):
        value = values[key]
        if value is None:
            sheet.write_blank(index, offset, None)
        elif money:
            # Exact to the tiyn: a money figure has at most 2 decimals, which a double holds
            # to the nearest representable value; the cell shows exactly 2 decimals.
            assert isinstance(value, Decimal)
            sheet.write_number(index, offset, float(value), formats["money"])
        else:
            sheet.write_number(index, offset, int(value), formats["int"])


def _sheet_name(name: str) -> str:
    for character in "[]:*?/\\":
        name = name.replace(character, " ")
    return name[:31] or "Sheet"
