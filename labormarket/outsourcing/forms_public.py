"""The filter of the public outsourcing pages (OUT-01, OUT-15). It only shapes input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from labormarket.reference.models import Region


class RegionFilterForm(forms.Form):
    """Narrow a public list to the centres of labour mobility of one region."""

    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All regions"))] + [
            (r.kato_code, r.name) for r in Region.objects.order_by("sort_order", "kato_code")
        ]
