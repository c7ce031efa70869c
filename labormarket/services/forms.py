"""Forms of the public-services pages. They only shape input; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from labormarket.core.forms import Base64Field
from labormarket.core.iin import InvalidIIN, parse_iin

from .choices import REFERRAL_KINDS, ResultKind, ServiceCode

REFERRAL_CHOICES = [("", "—")] + [(k.value, k.label) for k in ResultKind if k in REFERRAL_KINDS]


def _choices(form: forms.Form, name: str, choices: list[tuple[Any, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class OfficeApplicationForm(forms.Form):
    centre = forms.TypedChoiceField(label=_("Centre"), coerce=int)
    service = forms.ChoiceField(label=_("Service"), choices=ServiceCode.choices)
    iin = forms.CharField(
        label=_("Recipient's IIN"),
        max_length=12,
        min_length=12,
        strip=True,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    requested_result = forms.ChoiceField(
        label=_("Referral"),
        choices=REFERRAL_CHOICES,
        required=False,
        help_text=_("Only for the referral service (SVC-30)."),
    )

    def __init__(self, *args: Any, centres: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "centre", centres)

    def clean_iin(self) -> str:
        try:
            return parse_iin(self.cleaned_data["iin"]).value
        except InvalidIIN as error:
            raise forms.ValidationError(str(error.message), code=error.code) from error


class AssignForm(forms.Form):
    executor = forms.TypedChoiceField(label=_("Responsible executor"), coerce=int)

    def __init__(self, *args: Any, executors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "executor", executors)


class DraftForm(forms.Form):
    requested_result = forms.ChoiceField(
        label=_("Referral"), choices=REFERRAL_CHOICES, required=False
    )
    destination = forms.CharField(
        label=_("Employer or organisation referred to"), max_length=300, required=False
    )
    details = forms.CharField(
        label=_("Additional information"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SignForm(forms.Form):
    cms = Base64Field(
        widget=forms.HiddenInput, error_messages={"required": _("Sign the document first.")}
    )


class RefuseForm(forms.Form):
    grounds = forms.MultipleChoiceField(
        label=_("Grounds (from the regulation)"), widget=forms.CheckboxSelectMultiple
    )
    reasons = forms.CharField(
        label=_("Reasons for the refusal"),
        help_text=_("What was checked and what did not match: the recipient reads this."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args: Any, grounds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "grounds", grounds)


class PortalRequestForm(forms.Form):
    service = forms.ChoiceField(
        label=_("Service"),
        choices=[
            (ServiceCode.JOB_SEEKER_REGISTRATION.value, ServiceCode.JOB_SEEKER_REGISTRATION.label),
            (ServiceCode.ACTIVE_MEASURE_REFERRAL.value, ServiceCode.ACTIVE_MEASURE_REFERRAL.label),
        ],
    )
    centre = forms.TypedChoiceField(label=_("Employment centre"), coerce=int)
    requested_result = forms.ChoiceField(
        label=_("Referral"), choices=REFERRAL_CHOICES, required=False
    )
    phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    cms = Base64Field(
        widget=forms.HiddenInput, error_messages={"required": _("Sign the request with your EDS.")}
    )

    def __init__(self, *args: Any, centres: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "centre", centres)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
