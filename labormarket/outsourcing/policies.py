"""Who may act in outsourcing.

- CLM staff act for their own centre of labour mobility: a CLM specialist sets categories,
  forms lots, publishes announcements, reviews agencies and records placements' checks; the head
  of the CLM does the same and signs or refuses acts of services.
- An agency's manager acts for their own agency only: its cabinet, confirmations, contracts,
  the data of its own contracted lots (OUT-17), placements and acts.
- The public sees published announcements and published contract information, nothing else.
"""

from __future__ import annotations

from typing import Any

from labormarket.accounts.choices import Role
from labormarket.accounts.policies import organisation_ids_with

CLM_ROLES = frozenset({Role.CLM_SPECIALIST, Role.CLM_HEAD})


def clm_ids_of(user: Any) -> frozenset[int]:
    """The centres of labour mobility the user works for."""
    return organisation_ids_with(user, CLM_ROLES)


def clm_head_ids_of(user: Any) -> frozenset[int]:
    return organisation_ids_with(user, {Role.CLM_HEAD})


def agency_ids_of(user: Any) -> frozenset[int]:
    """The private employment agencies the user manages."""
    return organisation_ids_with(user, {Role.PEA_MANAGER})


def can_run_clm(user: Any, clm_id: int) -> bool:
    return clm_id in clm_ids_of(user)


def can_act_for_agency(user: Any, agency_id: int) -> bool:
    return agency_id in agency_ids_of(user)
