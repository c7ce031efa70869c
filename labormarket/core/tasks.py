"""Housekeeping that the huey worker runs on a schedule."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


def delete_expired_sessions() -> int:
    """Delete sign-in sessions that have expired; returns how many were deleted."""
    deleted, _rows = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@db_periodic_task(crontab(hour="3", minute="17"))
def delete_expired_sessions_nightly() -> int:
    """Expired sessions hold personal identifiers of signed-in users: remove them every night."""
    return delete_expired_sessions()
