from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from labormarket.core.errors import ValidationFailed
from labormarket.reference.models import EducationLevel, EmploymentType, Region, WorkSchedule

from .choices import RefusalReason
from .services import CvData, VacancyData


class ServiceForm(forms.Form):
    """Bootstrap classes, and the service's field errors shown next to the fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.Select | forms.SelectMultiple):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")

    def add_service_errors(
        self, error: ValidationFailed, aliases: dict[str, str] | None = None
    ) -> None:
        for name, errors in error.fields.items():
            alias = (aliases or {}).get(name, name)
            target = alias if alias in self.fields else None
            for item in errors:
                self.add_error(target, ValidationError(item.message, code=item.code))


def _choices(model: Any) -> list[tuple[str, str]]:
    return [("", "—")] + [(o.code, o.name) for o in model.objects.filter(is_active=True)]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class VacancyForm(ServiceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    occupation_code = forms.CharField(
        label=_("Occupation code (NKZ)"), max_length=12, help_text=_("e.g. 7112 — bricklayers")
    )
    locality_code = forms.CharField(label=_("Locality (KATO code)"), max_length=9)
    salary_min = forms.DecimalField(
        label=_("Salary from, KZT"), min_value=Decimal(0), max_digits=12
    )
    salary_max = forms.DecimalField(
        label=_("Salary to, KZT"), min_value=Decimal(0), max_digits=12, required=False
    )
    schedule_code = forms.ChoiceField(label=_("Working-time regime"))
    employment_type_code = forms.ChoiceField(label=_("Employment type"))
    places_total = forms.IntegerField(label=_("Places"), min_value=1, initial=1)
    education_min_code = forms.ChoiceField(label=_("Minimum education"), required=False)
    experience_years_min = forms.IntegerField(
        label=_("Years of experience"), min_value=0, initial=0
    )
    skills = forms.CharField(
        label=_("Skills"), required=False, help_text=_("Separate with commas"), max_length=2000
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    health_restrictions = forms.CharField(
        label=_("Health restrictions"), max_length=300, required=False
    )
    suitable_for_disability = forms.BooleanField(
        label=_("Suitable for persons with disabilities"), required=False
    )
    transport_accessible = forms.BooleanField(
        label=_("Reachable by public transport"), required=False, initial=True
    )
    housing_offered = forms.BooleanField(label=_("Housing offered"), required=False)
    is_social_job = forms.BooleanField(label=_("Social job"), required=False)
    is_youth_practice = forms.BooleanField(label=_("Youth practice"), required=False)

    ALIASES = {
        "occupation": "occupation_code",
        "locality": "locality_code",
        "schedule": "schedule_code",
        "employment_type": "employment_type_code",
        "education_min": "education_min_code",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["schedule_code"].choices = _choices(WorkSchedule)  # type: ignore[attr-defined]
        self.fields["employment_type_code"].choices = _choices(EmploymentType)  # type: ignore[attr-defined]
        self.fields["education_min_code"].choices = _choices(EducationLevel)  # type: ignore[attr-defined]

    def to_data(self) -> VacancyData:
        d = self.cleaned_data
        return VacancyData(
            occupation_code=d["occupation_code"],
            title=d["title"],
            locality_code=d["locality_code"],
            salary_min=d["salary_min"],
            salary_max=d["salary_max"],
            schedule_code=d["schedule_code"],
            employment_type_code=d["employment_type_code"],
            places_total=d["places_total"],
            education_min_code=d["education_min_code"] or "",
            experience_years_min=d["experience_years_min"],
            skills=_split(d["skills"]),
            description=d["description"],
            health_restrictions=d["health_restrictions"],
            suitable_for_disability=d["suitable_for_disability"],
            transport_accessible=d["transport_accessible"],
            housing_offered=d["housing_offered"],
            is_social_job=d["is_social_job"],
            is_youth_practice=d["is_youth_practice"],
        )


class CvForm(ServiceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    occupation_codes = forms.CharField(
        label=_("Desired occupations (NKZ codes)"), help_text=_("Up to five, separated by commas")
    )
    regions = forms.MultipleChoiceField(label=_("Regions where you would work"))
    expected_salary = forms.DecimalField(
        label=_("Expected salary, KZT"), min_value=Decimal(0), max_digits=12, required=False
    )
    ready_to_relocate = forms.BooleanField(label=_("Ready to relocate"), required=False)
    schedule_code = forms.ChoiceField(label=_("Working-time regime"), required=False)
    experience_years = forms.IntegerField(label=_("Years of experience"), min_value=0, initial=0)
    skills = forms.CharField(label=_("Skills"), required=False, help_text=_("Separate with commas"))
    health_limits = forms.CharField(label=_("Health limitations"), max_length=300, required=False)
    about = forms.CharField(
        label=_("About"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    ALIASES = {"occupations": "occupation_codes", "schedule": "schedule_code"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regions"].choices = [(r.kato_code, r.name) for r in Region.objects.all()]  # type: ignore[attr-defined]
        self.fields["schedule_code"].choices = _choices(WorkSchedule)  # type: ignore[attr-defined]

    def to_data(self) -> CvData:
        d = self.cleaned_data
        return CvData(
            title=d["title"],
            occupation_codes=_split(d["occupation_codes"]),
            region_codes=d["regions"],
            expected_salary=d["expected_salary"],
            ready_to_relocate=d["ready_to_relocate"],
            schedule_code=d["schedule_code"] or "",
            experience_years=d["experience_years"],
            skills=_split(d["skills"]),
            health_limits=d["health_limits"],
            about=d["about"],
        )


class CvPublishForm(ServiceForm):
    expires_on = forms.DateField(
        label=_("Show until"),
        widget=DateInput(),
        required=False,
        help_text=_("At most one month from today"),
    )


class RefuseForm(ServiceForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=RefusalReason.choices)
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


def _rows(text: str, columns: int) -> list[list[str]]:
    """Lines of ``a; b; c`` (or tab/comma separated) as lists of ``columns`` cells."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        separator = ";" if ";" in line else ("\t" if "\t" in line else ",")
        cells = [cell.strip() for cell in line.split(separator)]
        rows.append((cells + [""] * columns)[:columns])
    return rows


class LayoffNoticeForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Kind"))
    planned_on = forms.DateField(label=_("Planned date"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    affected = forms.CharField(
        label=_("People affected"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One person per line: IIN; last name; first name; patronymic; position"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .choices import LayoffKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = LayoffKind.choices  # type: ignore[attr-defined]

    def affected_rows(self) -> list[list[str]]:
        return _rows(self.cleaned_data["affected"], 5)


class ForecastJobForm(ServiceForm):
    occupation_code = forms.CharField(label=_("Occupation code (NKZ)"), max_length=12)
    locality_code = forms.CharField(label=_("Locality (KATO code)"), max_length=9)
    quantity = forms.IntegerField(label=_("Number of jobs"), min_value=1)
    expected_from = forms.DateField(label=_("Expected from"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    ALIASES = {"occupation": "occupation_code", "locality": "locality_code"}


class AgencyReportForm(ServiceForm):
    period = forms.DateField(
        label=_("Month"), widget=DateInput(), help_text=_("Any day of the month you report")
    )
    lines = forms.CharField(
        label=_("Figures"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One occupation per line: NKZ code; people who asked for intermediation; people placed"
        ),
    )

    def line_rows(self) -> list[list[str]]:
        return _rows(self.cleaned_data["lines"], 3)


class VacancySearchForm(forms.Form):
    """The public vacancy search: GET, so results can be bookmarked (no personal data here)."""

    q = forms.CharField(label=_("What"), required=False, max_length=200)
    region = forms.ChoiceField(label=_("Region"), required=False)
    occupation = forms.CharField(label=_("Occupation code"), required=False, max_length=12)
    salary_from = forms.DecimalField(
        label=_("Salary from, KZT"), required=False, min_value=Decimal(0)
    )
    schedule = forms.ChoiceField(label=_("Working-time regime"), required=False)
    employment_type = forms.ChoiceField(label=_("Employment type"), required=False)
    posted_since = forms.DateField(label=_("Posted since"), required=False, widget=DateInput())
    page = forms.IntegerField(
        required=False, min_value=1, max_value=10000, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = [("", "—")] + [(r.kato_code, r.name) for r in Region.objects.all()]
        self.fields["region"].choices = regions  # type: ignore[attr-defined]
        self.fields["schedule"].choices = _choices(WorkSchedule)  # type: ignore[attr-defined]
        self.fields["employment_type"].choices = _choices(EmploymentType)  # type: ignore[attr-defined]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


#: A run of twelve digits: an IIN typed into a search box, which would end up in the address.
_IIN_LIKE = re.compile(r"(?<!\d)\d{12}(?!\d)")


class CvSearchForm(forms.Form):
    """CV search for employers, agencies and centres: GET, so a search can be bookmarked; its
    fields are the filters of ``CvQuery`` and never carry personal data (no IIN in the address).
    """

    q = forms.CharField(label=_("What"), required=False, max_length=200)
    region = forms.ChoiceField(label=_("Region"), required=False)
    occupation = forms.CharField(label=_("Occupation code"), required=False, max_length=12)
    salary_to = forms.DecimalField(
        label=_("Expected salary up to, KZT"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
    )
    schedule = forms.ChoiceField(label=_("Working-time regime"), required=False)
    ready_to_relocate = forms.TypedChoiceField(
        label=_("Ready to relocate"),
        required=False,
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = [("", "—")] + [(r.kato_code, r.name) for r in Region.objects.all()]
        self.fields["region"].choices = regions  # type: ignore[attr-defined]
        self.fields["schedule"].choices = _choices(WorkSchedule)  # type: ignore[attr-defined]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_q(self) -> str:
        text: str = self.cleaned_data["q"]
        if _IIN_LIKE.search(text):
            raise ValidationError(
                _("Search by words, not by IIN: an IIN must not appear in the page address."),
                code="iin_not_in_url",
            )
        return text
