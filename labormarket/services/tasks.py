"""Periodic tasks of the public services: apply what the regulations say about time."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*"))
def notify_overdue_steps() -> int:
    """SVC-03: every minute, tell the head of the centre of each step that has just run past its
    standard duration (working minutes), once per step."""
    return services.steps_notify_overdue()
