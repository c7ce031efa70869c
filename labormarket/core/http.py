"""Typed request classes for views behind sign-in (so the type checker knows ``user``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from labormarket.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


def signed_in_user(request: Any) -> User:
    """The request's user, for views and APIs that already required sign-in."""
    return cast("User", request.user)
