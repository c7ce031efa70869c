"""Who may see and perform what in the public services.

A step is performed by a holder of the step's role *in the centre that provides the service*
(SVC-03: the regulation names the role); viewing the centre's applications is open to the
centre staff of its region; the recipient sees their own applications; the administrator sees
everything and performs nothing.
"""

from __future__ import annotations

from typing import Any

from labormarket.accounts.choices import CENTRE_ROLES, Role
from labormarket.accounts.policies import RegionScope, grants_of, region_scope

from .choices import StepRole

VIEW_ROLES = CENTRE_ROLES | {Role.ADMINISTRATOR}


def application_view_scope(user: Any) -> RegionScope:
    """Regions whose applications the user may see as staff."""
    return region_scope(user, VIEW_ROLES)


def roles_in_organisation(user: Any, organisation_id: int) -> frozenset[str]:
    return frozenset(g.role for g in grants_of(user) if g.organisation_id == organisation_id)


def can_perform(user: Any, role: str, centre_id: int) -> bool:
    """May ``user`` perform a step of ``role`` for the centre ``centre_id``?"""
    if role in (StepRole.SYSTEM, StepRole.RECIPIENT):
        return False
    return role in roles_in_organisation(user, centre_id)


def centres_where(user: Any, role: str) -> list[int]:
    """The organisations in which the user holds ``role``."""
    return sorted({g.organisation_id for g in grants_of(user) if g.role == role})
