"""The period of the monitoring report (OUT-25), for the page and the API."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from labormarket.core.calendar import business_today

from .monitoring import MAX_PERIOD_DAYS


def period_errors(date_from: date, date_to: date) -> dict[str, str]:
    """What is wrong with a period, by field: from ≤ to, at most three years, not past today."""
    errors: dict[str, str] = {}
    if date_from > date_to:
        errors["date_to"] = _("The end of the period must not be before its start.")
    elif (date_to - date_from).days + 1 > MAX_PERIOD_DAYS:
        errors["date_to"] = _("A report covers at most three years; shorten the period.")
    if date_from > business_today():
        errors["date_from"] = _("The period must not start in the future.")
    return errors


def default_period(today: date | None = None) -> tuple[date, date]:
    """From the first day of the year to today."""
    day = today or business_today()
    return day.replace(month=1, day=1), day


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", attrs={"class": "form-control"}, **kwargs)


class MonitoringPeriodForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("Period from"), widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("Period to"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start is not None and end is not None:
            for name, message in period_errors(start, end).items():
                self.add_error(name, ValidationError(message, code="invalid_period"))
        return data
