"""Who may act on the exchange.

- An employer's manager manages the vacancies of their own organisation and answers the
  referrals made to them.
- Centre and CLM staff manage vacancies of employers in their region (vacancies are often
  registered by phone), post CVs for persons of their region and refer candidates.
- A citizen manages their own self-posted CVs.
- CVs are searched by employers and agencies (those published with the person's consent) and
  by centre staff (also those shown to employment centres only); citizens and the public do
  not search CVs. The vacancies ranked for a CV are for its person and for the staff of the
  person's region.
"""

from __future__ import annotations

from typing import Any

from labormarket.accounts.choices import CENTRE_ROLES, Role
from labormarket.accounts.policies import (
    RegionScope,
    has_any_role,
    organisation_ids_with,
    region_scope,
)

EXCHANGE_STAFF_ROLES = CENTRE_ROLES | {Role.CLM_SPECIALIST, Role.CLM_HEAD, Role.ADMINISTRATOR}


def staff_scope(user: Any) -> RegionScope:
    return region_scope(user, EXCHANGE_STAFF_ROLES)


def employer_ids_of(user: Any) -> frozenset[int]:
    return organisation_ids_with(user, {Role.EMPLOYER_MANAGER})


def can_manage_employer(user: Any, employer: Any) -> bool:
    return employer.pk in employer_ids_of(user) or staff_scope(user).allows(employer.region_id)


def can_refer_candidates(user: Any) -> bool:
    return not staff_scope(user).is_empty


def sees_centre_only_cvs(user: Any) -> bool:
    """Centre staff also find the CVs shown to employment centres only (no consent to
    publication)."""
    return not staff_scope(user).is_empty


def can_search_cvs(user: Any) -> bool:
    return sees_centre_only_cvs(user) or has_any_role(
        user, {Role.EMPLOYER_MANAGER, Role.PEA_MANAGER}
    )


def can_see_vacancies_for_cv(user: Any, cv: Any) -> bool:
    """The vacancies ranked for a CV (PRG-71): for the person themselves and for the staff of
    the person's region — not for employers and agencies, who may see the CV itself."""
    return cv.person.user_id == user.pk or staff_scope(user).allows(cv.person.region_id)
