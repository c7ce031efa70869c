"""Public pages of outsourcing, open to everyone without sign-in: the published announcements
with the five contents of OUT-01, and the information about concluded contracts (OUT-15).
Nothing about the people of a lot is shown here — only counts by category and profession."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from labormarket.core import pages

from . import selectors, services
from .forms_public import RegionFilterForm
from .models import Announcement

PAGE_SIZE = 20


def _by_region(request: HttpRequest, queryset: QuerySet[Any]) -> tuple[RegionFilterForm, Any]:
    """The list narrowed to the chosen region (an unknown region is a form error, 400)."""
    form = RegionFilterForm(request.GET or None)
    if form.is_bound and form.is_valid() and form.cleaned_data["region"]:
        queryset = queryset.filter(clm__region__kato_code=form.cleaned_data["region"])
    return form, queryset


@require_GET
def announcement_list(request: HttpRequest) -> HttpResponse:
    """Published announcements, newest selection day first, by region (OUT-01)."""
    form, announcements = _by_region(request, selectors.announcements_public())
    page = pages.page_of(request, announcements, PAGE_SIZE)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "outsourcing/public/announcements.html",
        {"form": form, "page": page, "announcements": page.object_list},
        status=status,
    )


def _contents(announcement: Announcement) -> dict[str, Any]:
    """The contents as published (kept as they were, OUT-01), with the dates parsed for display
    and each lot's profession named."""
    contents = dict(announcement.contents or services.announcement_contents(announcement))
    dates = dict(contents.get("dates", {}))
    for key in ("selection_opens", "selection_closes"):
        if isinstance(dates.get(key), str):
            dates[key] = datetime.fromisoformat(dates[key])
    contents["dates"] = dates
    professions = contents.get("by_profession", {})
    contents["lots"] = [
        {**row, "occupation_name": professions.get(row.get("occupation"), {}).get("name", "")}
        for row in contents.get("lots", [])
    ]
    contents["professions"] = [{"code": code, **group} for code, group in professions.items()]
    return contents


@require_GET
def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One published announcement: the CLM and its responsible person, the services, the lots
    with their people counted by category and profession, the draft contract and the dates."""
    announcement = selectors.announcement_public_get(pk)
    if announcement is None:
        raise Http404
    return render(
        request,
        "outsourcing/public/announcement.html",
        {"announcement": announcement, "contents": _contents(announcement)},
    )


@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    """The published information about concluded contracts (OUT-15): parties, lot, sum, dates."""
    form, contracts = _by_region(request, selectors.contracts_public())
    page = pages.page_of(request, contracts, PAGE_SIZE)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "outsourcing/public/contracts.html",
        {"form": form, "page": page, "contracts": page.object_list},
        status=status,
    )
