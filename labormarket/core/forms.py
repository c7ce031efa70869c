"""Form fields shared by the apps' pages."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class Base64Field(forms.CharField):
    """A signature (CMS) the signing widget (static/js/eds-sign.js) puts into the form as
    base64; cleaned to its bytes."""

    default_error_messages = {"invalid": _("The signature is not valid base64.")}

    def to_python(self, value: Any) -> bytes | str:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return ""  # empty, so that ``required`` applies (b"" is not an empty value)
        try:
            return base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError) as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error
