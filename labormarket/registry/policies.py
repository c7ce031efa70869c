"""Who may read and change the person registry.

Centre, CLM and LEB staff read the persons of their own region; centre and CLM staff change
them; the administrator acts everywhere. National analysts (WDC, ministry) work with figures,
not with person cards, so they have no registry access (docs/adr/0003-registry-access.md).
Agencies, employers and citizens never reach the registry through these paths.
"""

from __future__ import annotations

from typing import Any

import rules

from labormarket.accounts.choices import CENTRE_ROLES, Role
from labormarket.accounts.policies import RegionScope, has_any_role, region_scope

REGISTRY_WRITE_ROLES = CENTRE_ROLES | {Role.CLM_SPECIALIST, Role.CLM_HEAD, Role.ADMINISTRATOR}
REGISTRY_READ_ROLES = REGISTRY_WRITE_ROLES | {Role.LEB_SPECIALIST, Role.LEB_HEAD}


def person_read_scope(user: Any) -> RegionScope:
    return region_scope(user, REGISTRY_READ_ROLES)


def person_write_scope(user: Any) -> RegionScope:
    return region_scope(user, REGISTRY_WRITE_ROLES)


def can_use_registry(user: Any) -> bool:
    return has_any_role(user, REGISTRY_READ_ROLES)


def can_create_persons(user: Any) -> bool:
    return has_any_role(user, REGISTRY_WRITE_ROLES)


@rules.predicate
def can_view_person(user: Any, person: Any) -> bool:
    return person is not None and person_read_scope(user).allows(person.region_id)


@rules.predicate
def can_change_person(user: Any, person: Any) -> bool:
    return person is not None and person_write_scope(user).allows(person.region_id)


rules.add_perm("registry.view_person", can_view_person)
rules.add_perm("registry.change_person", can_change_person)
