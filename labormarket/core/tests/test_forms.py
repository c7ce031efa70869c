"""The signature field the pages share (core/forms.py)."""

from __future__ import annotations

import base64

from django import forms
from django.utils import translation

from labormarket.core.forms import Base64Field


class SignedForm(forms.Form):
    cms = Base64Field(error_messages={"required": "Sign first."})


def test_base64_is_cleaned_to_its_bytes_whitespace_ignored() -> None:
    encoded = base64.b64encode(b"\x30\x82signed").decode()
    form = SignedForm({"cms": f" {encoded[:4]}\n{encoded[4:]} "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["cms"] == b"\x30\x82signed"


def test_an_empty_signature_is_missing_not_damaged() -> None:
    """An empty field used to decode to b"", which passed "required" and was then refused as a
    damaged signature; the user must be told to sign."""
    for value in ("", "   "):
        form = SignedForm({"cms": value})
        assert not form.is_valid()
        assert form.errors["cms"] == ["Sign first."]


def test_text_that_is_not_base64_is_refused() -> None:
    with translation.override("en"):
        form = SignedForm({"cms": "not base64!"})
        assert not form.is_valid()
        assert form.errors["cms"] == ["The signature is not valid base64."]
