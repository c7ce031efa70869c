"""Periodic tasks of the exchange: apply the deadlines the rules set."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import contributions, services


@db_periodic_task(crontab(minute="*/15"))
def refuse_silent_referrals() -> int:
    """PRG-66: employer silence for 3 working days after receiving a CV is a refusal."""
    return services.referrals_refuse_silent()


@db_periodic_task(crontab(hour="0", minute="5"))
def expire_self_posted_cvs() -> int:
    """PRG-68: a self-posted CV leaves the exchange after the date the person chose."""
    return services.cvs_expire()


@db_periodic_task(crontab(day_of_week="1", hour="6", minute="0"))
def import_pension_contributions() -> int:
    """PRG-69: every Monday morning, apply the contribution extracts in the drop folder."""
    return sum(result.deregistered for _name, result in contributions.import_drop_folder())
