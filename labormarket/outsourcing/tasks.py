"""Periodic tasks of outsourcing: every deadline the Rules set is applied by one of these, from
stored due dates, idempotently (a second run, or two at once, changes nothing more)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import acts, selection, services


@db_periodic_task(crontab(day_of_week="3", hour="7", minute="0"))
def draft_weekly_announcements() -> int:
    """OUT-01: every Wednesday morning, draft each CLM's announcement of the next selection day
    (the CLM checks and publishes it the same day)."""
    today = timezone.localdate()
    return len(
        [services.announcement_draft(clm=clm, today=today) for clm in services.clm_organisations()]
    )


@db_periodic_task(crontab(minute="*/5"))
def advance_lots() -> dict[str, int]:
    """OUT-11…OUT-13: offer drafts to the first qualifying agency, withdraw offers not signed
    within 2 working days and pass them on, put up again the lots nobody chose."""
    return selection.lots_advance()


@db_periodic_task(crontab(hour="1", minute="30"))
def check_placements() -> int:
    """OUT-18: confirm reported placements against the employment-contract register."""
    return acts.placements_check()
