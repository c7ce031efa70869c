from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_task()
def deliver_pending() -> int:
    """Deliver what was just queued (scheduled when the queuing transaction commits)."""
    return services.deliver_all_pending()


@db_periodic_task(crontab(minute="*"))
def retry_pending() -> int:
    """Every minute: retry messages whose delivery failed for a passing reason."""
    return services.deliver_all_pending()
