from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from .backends import find_user_by_identifier


class SignInForm(AuthenticationForm):
    """Sign-in by username or IIN. A locked account is told so, with the time it unlocks."""

    username = forms.CharField(
        label=_("Username or IIN"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "class": "form-control"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].widget.attrs["class"] = "form-control"

    error_messages = {
        "invalid_login": _(
            "The username (or IIN) or the password is wrong. After %(limit)s failures in a row "
            "the account is locked for %(minutes)s minutes."
        ),
        "inactive": _("This account is disabled."),
        "account_locked": _(
            "Too many failed attempts: the account is locked until %(until)s. Try again later "
            "or ask the administrator."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            user = find_user_by_identifier(username)
            if user is not None and user.is_locked:
                self._raise_locked(user.locked_until)
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                user = find_user_by_identifier(username)
                if user is not None and user.is_locked:
                    self._raise_locked(user.locked_until)
                raise forms.ValidationError(
                    self.error_messages["invalid_login"],
                    code="invalid_login",
                    params={
                        "limit": settings.LOGIN_FAILURE_LIMIT,
                        "minutes": settings.LOGIN_LOCKOUT_MINUTES,
                    },
                )
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def _raise_locked(self, until: Any) -> None:
        local = timezone.localtime(until)
        raise forms.ValidationError(
            self.error_messages["account_locked"],
            code="account_locked",
            params={"until": formats.date_format(local, "DATETIME_FORMAT")},
        )
