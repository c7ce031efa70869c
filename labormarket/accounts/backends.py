"""Sign-in by username or IIN, with a lockout after repeated failures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from .models import User


def find_user_by_identifier(identifier: str) -> User | None:
    """The user whose IIN (12 digits) or username (case-insensitive) is ``identifier``."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    if len(identifier) == 12 and identifier.isdigit():
        return User.objects.filter(iin=identifier).first()
    return User.objects.filter(username__iexact=identifier).first()


def record_failed_login(user: User) -> None:
    """Count one failure atomically; lock the account when the limit is reached."""
    User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
    user.refresh_from_db(fields=["failed_login_count", "locked_until"])
    if user.failed_login_count >= settings.LOGIN_FAILURE_LIMIT:
        locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        User.objects.filter(pk=user.pk).update(locked_until=locked_until, failed_login_count=0)
        user.locked_until = locked_until


def record_successful_login(user: User) -> None:
    if user.failed_login_count or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
        user.failed_login_count = 0
        user.locked_until = None


class UsernameOrIinBackend(ModelBackend):
    """Authenticates by username or IIN. A locked account cannot sign in even with the right
    password until the lock expires; every wrong password counts towards the lock."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        user = find_user_by_identifier(username)
        if user is None:
            # Spend the same time as a real check so that timing does not reveal accounts.
            User().set_password(password)
            return None
        if user.is_locked:
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            record_successful_login(user)
            return user
        record_failed_login(user)
        return None
