"""Who may act on the exchange.

- An employer's manager manages the vacancies of their own organisation and answers the
  referrals made to them.
- Centre and CLM staff manage vacancies of employers in their region (vacancies are often
  registered by phone), post CVs for persons of their region and refer candidates.
- A citizen manages their own self-posted CVs.
"""

from __future__ import annotations

from typing import Any

from labormarket.accounts.choices import CENTRE_ROLES, Role
from labormarket.accounts.policies import RegionScope, organisation_ids_with, region_scope

EXCHANGE_STAFF_ROLES = CENTRE_ROLES | {Role.CLM_SPECIALIST, Role.CLM_HEAD, Role.ADMINISTRATOR}


def staff_scope(user: Any) -> RegionScope:
    return region_scope(user, EXCHANGE_STAFF_ROLES)


def employer_ids_of(user: Any) -> frozenset[int]:
    return organisation_ids_with(user, {Role.EMPLOYER_MANAGER})


def can_manage_employer(user: Any, employer: Any) -> bool:
    return employer.pk in employer_ids_of(user) or staff_scope(user).allows(employer.region_id)


def can_refer_candidates(user: Any) -> bool:
    return not staff_scope(user).is_empty
