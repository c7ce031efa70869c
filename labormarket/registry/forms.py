from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from labormarket.core.errors import ValidationFailed
from labormarket.core.validators import validate_iin, validate_phone
from labormarket.reference.models import DisabilityGroup, EducationLevel, Region

from .choices import (
    AccessPurpose,
    CitizenshipStatus,
    ConsentEvidence,
    ConsentPurpose,
    FamilyRelation,
)
from .policies import person_write_scope
from .services import PersonData

STAFF_ACCESS_PURPOSES = [(v, label) for v, label in AccessPurpose.choices if v != "own_data"]


class PersonSearchForm(forms.Form):
    """Search by IIN or name. Sent by POST so that an IIN never appears in a URL or log."""

    q = forms.CharField(
        label=_("IIN or name"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": _("e.g. 850101300125 or Ivanov A")}
        ),
    )
    purpose = forms.ChoiceField(label=_("Purpose of access"), choices=STAFF_ACCESS_PURPOSES)
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


class AccessPurposeForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose of access"), choices=STAFF_ACCESS_PURPOSES)


class PersonForm(forms.Form):
    """The person's facts as staff enter them; the service does the domain validation and its
    field errors are shown next to the fields (see :meth:`add_service_errors`)."""

    iin = forms.CharField(
        label=_("IIN"), max_length=20, help_text=_("12 digits"), validators=[validate_iin]
    )
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    middle_name = forms.CharField(label=_("Patronymic"), max_length=150, required=False)
    citizenship_status = forms.ChoiceField(label=_("Status"), choices=CitizenshipStatus.choices)
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.all(),
        error_messages={"invalid_choice": _("Choose a region from the list.")},
    )
    address_kato_code = forms.CharField(
        label=_("Locality (KATO code)"),
        max_length=9,
        required=False,
        help_text=_("9 digits, e.g. 351010000"),
    )
    street = forms.CharField(label=_("Street"), max_length=200, required=False)
    house = forms.CharField(label=_("House"), max_length=20, required=False)
    flat = forms.CharField(label=_("Flat"), max_length=20, required=False)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=30,
        required=False,
        help_text=_("+7 7XX XXX XX XX"),
        validators=[validate_phone],
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    disability_group = forms.ModelChoiceField(
        label=_("Disability group"),
        queryset=DisabilityGroup.objects.filter(is_active=True),
        required=False,
    )

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = person_write_scope(user)
        regions = Region.objects.all()
        if not scope.all_regions:
            regions = regions.filter(pk__in=scope.region_ids)
        # The widget offers only the user's regions; validation accepts any region so that a
        # forged value gets the service's clear "region_forbidden" message.
        self.fields["region"].widget.choices = [("", "—")] + [(r.pk, r.name) for r in regions]
        if editing:
            del self.fields["iin"]
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            if name in {"iin", "phone", "address_kato_code"}:
                field.widget.attrs.setdefault("inputmode", "numeric" if name != "phone" else "tel")

    def to_data(self) -> PersonData:
        data = self.cleaned_data
        return PersonData(
            last_name=data["last_name"],
            first_name=data["first_name"],
            middle_name=data.get("middle_name", ""),
            citizenship_status=data["citizenship_status"],
            region_id=data["region"].pk if data.get("region") else None,
            address_kato_code=data.get("address_kato_code", ""),
            street=data.get("street", ""),
            house=data.get("house", ""),
            flat=data.get("flat", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            disability_group_id=data["disability_group"].pk
            if data.get("disability_group")
            else None,
        )

    def add_service_errors(self, error: ValidationFailed) -> None:
        for name, errors in error.fields.items():
            target = name if name in self.fields else None
            for item in errors:
                self.add_error(target, ValidationError(item.message, code=item.code))


class _BootstrapForm(forms.Form):
    """Adds Bootstrap classes and maps a service's field errors onto the form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def add_service_errors(self, error: ValidationFailed) -> None:
        for name, errors in error.fields.items():
            target = name if name in self.fields else None
            for item in errors:
                self.add_error(target, ValidationError(item.message, code=item.code))


class EducationForm(_BootstrapForm):
    prefix = "education"

    level = forms.ChoiceField(label=_("Level"))
    institution = forms.CharField(label=_("Institution"), max_length=300)
    speciality = forms.CharField(label=_("Speciality"), max_length=300, required=False)
    graduation_year = forms.IntegerField(
        label=_("Year of graduation"), required=False, min_value=1900, max_value=2100
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        level_field = self.fields["level"]
        assert isinstance(level_field, forms.ChoiceField)
        level_field.choices = [("", "—")] + [
            (level.code, level.name) for level in EducationLevel.objects.filter(is_active=True)
        ]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class WorkHistoryForm(_BootstrapForm):
    prefix = "work"

    employer_name = forms.CharField(label=_("Employer"), max_length=300)
    employer_bin = forms.CharField(label=_("Employer's BIN"), max_length=20, required=False)
    position = forms.CharField(label=_("Position"), max_length=300)
    occupation_code = forms.CharField(
        label=_("Occupation code (NKZ)"), max_length=12, required=False, help_text=_("e.g. 2422")
    )
    started_on = forms.DateField(label=_("Started"), widget=DateInput())
    ended_on = forms.DateField(label=_("Ended"), widget=DateInput(), required=False)


class FamilyLinkForm(_BootstrapForm):
    """The relative is named by IIN; the form is sent by POST so the IIN stays out of URLs."""

    prefix = "family"

    relative_iin = forms.CharField(label=_("Relative's IIN"), max_length=20)
    relation = forms.ChoiceField(
        label=_("The relative is the person's"), choices=FamilyRelation.choices
    )


class ConsentForm(_BootstrapForm):
    prefix = "consent"

    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    scope = forms.CharField(label=_("Scope"), max_length=500)
    version = forms.CharField(label=_("Version of the text"), max_length=32, initial="1.0")
    evidence = forms.ChoiceField(label=_("Evidence"), choices=ConsentEvidence.choices)
    evidence_reference = forms.CharField(
        label=_("Evidence reference"), max_length=300, required=False
    )
