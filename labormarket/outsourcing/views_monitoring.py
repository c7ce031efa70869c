"""The monitoring of outsourcing for staff and agencies (OUT-25): the page with the period
filter and the XLSX download. Who sees which rows is :func:`.monitoring.monitoring_scope`'s
answer; anyone else gets 403 (and the anonymous the sign-in page)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from labormarket.core.http import AuthenticatedHttpRequest

from .forms_monitoring import MonitoringPeriodForm, default_period
from .monitoring import (
    DEADLINE_COLUMNS,
    FIGURE_COLUMNS,
    MonitoringRow,
    MonitoringScope,
    monitoring_report,
    monitoring_scope,
    row_values,
)
from .monitoring_export import XLSX_CONTENT_TYPE, monitoring_workbook


def _scope_or_403(request: AuthenticatedHttpRequest) -> MonitoringScope:
    scope = monitoring_scope(request.user)
    if scope is None:
        raise PermissionDenied(
            _("The monitoring of outsourcing is for CLMs, agencies and analysts.")
        )
    return scope


def _form(request: AuthenticatedHttpRequest) -> MonitoringPeriodForm:
    if {"date_from", "date_to"} & set(request.GET):
        return MonitoringPeriodForm(request.GET)
    start, end = default_period()
    return MonitoringPeriodForm({"date_from": start.isoformat(), "date_to": end.isoformat()})


def _table(rows: list[MonitoringRow]) -> list[dict[str, object]]:
    """Each row's cells in the order of the columns (templates cannot look up by key)."""
    table = []
    for row in rows:
        values = row_values(row.figures)
        table.append(
            {
                "row": row,
                "figures": [(values[c.key], c.money) for c in FIGURE_COLUMNS],
                "deadlines": [
                    (values[f"{d.key}_met"], values[f"{d.key}_missed"], values[f"{d.key}_open"])
                    for d in DEADLINE_COLUMNS
                ],
            }
        )
    return table


@require_GET
@login_required
def monitoring_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The figures per CLM and per agency for the chosen period."""
    scope = _scope_or_403(request)
    form = _form(request)
    context: dict[str, object] = {
        "form": form,
        "figure_columns": FIGURE_COLUMNS,
        "deadline_columns": DEADLINE_COLUMNS,
    }
    if not form.is_valid():
        return render(request, "outsourcing/monitoring.html", context, status=400)
    report = monitoring_report(
        scope=scope,
        date_from=form.cleaned_data["date_from"],
        date_to=form.cleaned_data["date_to"],
    )
    context["report"] = report
    tables = []
    if scope.sees_clm_rows:
        tables.append((_("Centres of labour mobility"), "clm", _table(report.clm_rows)))
    tables.append((_("Private employment agencies"), "agencies", _table(report.agency_rows)))
    context["tables"] = tables
    return render(request, "outsourcing/monitoring.html", context)


@require_GET
@login_required
def monitoring_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The same figures as an XLSX workbook; a bad period shows the page with the errors."""
    scope = _scope_or_403(request)
    form = _form(request)
    if not form.is_valid():
        return render(
            request,
            "outsourcing/monitoring.html",
            {"form": form, "figure_columns": FIGURE_COLUMNS, "deadline_columns": DEADLINE_COLUMNS},
            status=400,
        )
    start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    report = monitoring_report(scope=scope, date_from=start, date_to=end)
    response = HttpResponse(monitoring_workbook(report), content_type=XLSX_CONTENT_TYPE)
    stamp = timezone.localdate()
    response["Content-Disposition"] = (
        f'attachment; filename="outsourcing-monitoring-{start:%Y%m%d}-{end:%Y%m%d}'
        f'-{stamp:%Y%m%d}.xlsx"'
    )
    return response
