"""Forms of the CLM staff's outsourcing pages. They only shape input: the rules (OUT-02, OUT-05,
OUT-06, OUT-10, OUT-21, OUT-22…OUT-24) are checked by the services, whose refusals name the
field and the rule."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from labormarket.core.forms import Base64Field
from labormarket.registry.choices import ConsentEvidence

from .choices import ActStage, LotStatus, RefusalGround, UnemploymentCategory


class ClmForm(forms.Form):
    """Bootstrap classes, and a service's field errors (with their rule) next to the fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput | forms.RadioSelect | forms.CheckboxInput):
                continue
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


FILTER_CHOICES = [
    ("", _("Everyone")),
    ("no_category", _("Without a category")),
    ("no_consent", _("Without the consent")),
    ("ready", _("Ready for a lot")),
]


class CandidateSearchForm(ClmForm):
    q = forms.CharField(label=_("Name"), max_length=100, required=False)
    only = forms.ChoiceField(label=_("Show"), choices=FILTER_CHOICES, required=False)

    def clean_q(self) -> str:
        value: str = self.cleaned_data.get("q") or ""
        if any(ch.isdigit() for ch in value):
            # An IIN must never travel in an address (it would land in logs and histories).
            raise forms.ValidationError(_("Search by name: an IIN is not put in the address."))
        return value.strip()


class CategoryForm(ClmForm):
    """OUT-02: a category by the expected duration of unemployment and the profession."""

    category = forms.TypedChoiceField(
        label=_("Category"), choices=UnemploymentCategory.choices, coerce=int
    )
    occupation = forms.CharField(
        label=_("Profession sought (occupation code)"),
        max_length=16,
        help_text=_("Lots are grouped by profession (OUT-01, OUT-06)."),
    )
    note = forms.CharField(label=_("Grounds"), max_length=500, required=False)


class ConsentForm(ClmForm):
    """OUT-05, Appendix 1: the signed consent and its evidence."""

    evidence = forms.ChoiceField(
        label=_("Evidence"),
        choices=[
            (ConsentEvidence.PAPER.value, ConsentEvidence.PAPER.label),
            (ConsentEvidence.EDS.value, ConsentEvidence.EDS.label),
        ],
    )
    evidence_reference = forms.CharField(
        label=_("Registration number of the signed form"),
        max_length=100,
        required=False,
        help_text=_("The identity was checked against the original ID document (Appendix 1)."),
    )


class LotFilterForm(ClmForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *list(LotStatus.choices)], required=False
    )


class LotCreateForm(ClmForm):
    """A lot from chosen people (OUT-05, OUT-06); the composition is checked by the service."""

    people = forms.TypedMultipleChoiceField(
        label=_("People"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    price_per_person = forms.CharField(
        label=_("Service price per person, KZT"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, person_ids: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["people"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        if person_ids is None:
            # Any id may be posted; the service says who may not be in a lot and why.
            getlist = getattr(self.data, "getlist", None)
            raw = getlist("people") if getlist is not None else []
            person_ids = [int(v) for v in raw if str(v).isdigit()]
        field.choices = [(pk, str(pk)) for pk in person_ids]


class WithdrawForm(ClmForm):
    reason = forms.CharField(label=_("Why the lot is withdrawn"), max_length=500)


class ReviewForm(ClmForm):
    """OUT-09/OUT-10: admit, or refuse on exactly one of the four grounds with reasons. The
    ground is checked by the service (so that its refusal names OUT-10)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("admit", _("Meets the qualification requirements")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    ground = forms.TypedChoiceField(
        label=_("Ground of the refusal (OUT-10)"),
        choices=[("", "—"), *list(RefusalGround.choices)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    reasons = forms.CharField(
        label=_("Motivated reasons"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SignForm(forms.Form):
    cms = Base64Field(
        widget=forms.HiddenInput, error_messages={"required": _("Sign the document first.")}
    )


class ActRefuseForm(ClmForm):
    reasons = forms.CharField(
        label=_("Reasons for the refusal"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PaymentOrderForm(forms.Form):
    """The order of a stage's payment. The idempotency key is made when the page is shown and
    travels in a hidden field, so submitting the same form twice pays once."""

    stage = forms.TypedChoiceField(choices=ActStage.choices, coerce=int, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=100, min_length=8, widget=forms.HiddenInput)

    @classmethod
    def fresh(cls, stage: int) -> PaymentOrderForm:
        return cls(initial={"stage": stage, "idempotency_key": f"clm-page-{uuid.uuid4()}"})
