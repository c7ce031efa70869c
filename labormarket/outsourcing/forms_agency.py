"""Forms of the agency's outsourcing cabinet. They only shape input: every rule (OUT-04,
OUT-07, OUT-08, OUT-18, OUT-20…) is checked by the services, which name the field they refuse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from labormarket.core.forms import Base64Field

from .choices import ActStage, QualificationDocumentKind


def signature_field() -> Base64Field:
    return Base64Field(
        widget=forms.HiddenInput, error_messages={"required": _("Sign with your EDS first.")}
    )


class SignForm(forms.Form):
    """Only the signature: confirming a lot, checking the key, signing a contract or an act."""

    cms = signature_field()


class CabinetForm(forms.Form):
    """The cabinet's contacts and bank details, certified with the agency's EDS (OUT-04)."""

    contact_person = forms.CharField(label=_("Contact person (full name)"), max_length=300)
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=32, help_text=_("For example +77015550101.")
    )
    contact_email = forms.CharField(label=_("Contact e-mail"), max_length=254)
    legal_address = forms.CharField(label=_("Legal address"), max_length=300)
    iik = forms.CharField(label=_("IIK (account)"), max_length=34, help_text=_("KZ and 18 more."))
    bik = forms.CharField(label=_("BIK (bank code)"), max_length=11)
    bank_name = forms.CharField(label=_("Bank"), max_length=200)
    cms = signature_field()


class QualificationDocumentForm(forms.Form):
    """A document proving the agency's experience or resources (OUT-08)."""

    kind = forms.ChoiceField(label=_("What it proves"), choices=QualificationDocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG, up to 10 MB)"))


class ActPrepareForm(forms.Form):
    stage = forms.TypedChoiceField(label=_("Stage"), choices=ActStage.choices, coerce=int)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PlacementForm(forms.Form):
    """A person of the lot started work (OUT-18); ``member`` is the person's place in the lot,
    never their IIN."""

    member = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    employer_bin = forms.CharField(label=_("Employer's BIN"), max_length=12)
    employer_name = forms.CharField(label=_("Employer"), max_length=300)
    position = forms.CharField(label=_("Position"), max_length=300)
    started_on = forms.DateField(label=_("Started work on"), widget=DateInput())
