"""Who may do what, where: roles × regions.

Every permission question in the system reduces to two facts about the user: which roles they
hold, and in which regions they hold each (a national role holds everywhere). Apps build their
own predicates on :func:`region_scope`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import rules

from .choices import CENTRE_ROLES, NATIONAL_ROLES, STAFF_ROLES, Role


@dataclass(frozen=True)
class RegionScope:
    """The regions in which a user may act for a purpose: all of them, or a set of region ids."""

    all_regions: bool
    region_ids: frozenset[int]

    @property
    def is_empty(self) -> bool:
        return not self.all_regions and not self.region_ids

    def allows(self, region_id: int | None) -> bool:
        return self.all_regions or (region_id is not None and region_id in self.region_ids)


NO_REGIONS = RegionScope(all_regions=False, region_ids=frozenset())
ALL_REGIONS = RegionScope(all_regions=True, region_ids=frozenset())


@dataclass(frozen=True)
class Grant:
    role: str
    organisation_id: int
    region_id: int


def grants_of(user: Any) -> tuple[Grant, ...]:
    """The user's active memberships as (role, organisation, region), cached on the user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cached = getattr(user, "_labormarket_grants", None)
    if cached is None:
        cached = tuple(
            Grant(role=role, organisation_id=org_id, region_id=region_id)
            for role, org_id, region_id in user.memberships.filter(
                is_active=True, organisation__is_active=True
            ).values_list("role", "organisation_id", "organisation__region_id")
        )
        user._labormarket_grants = cached
    return cached


def roles_of(user: Any) -> frozenset[str]:
    """The roles the user holds now; ``citizen`` for a user linked to a registry person."""
    roles = {grant.role for grant in grants_of(user)}
    if getattr(user, "is_authenticated", False) and user.is_active and _has_person(user):
        roles.add(Role.CITIZEN)
    return frozenset(roles)


def _has_person(user: Any) -> bool:
    cached = getattr(user, "_labormarket_has_person", None)
    if cached is None:
        try:
            cached = user.person is not None
        except Exception:
            cached = False
        user._labormarket_has_person = cached
    return bool(cached)


def has_any_role(user: Any, roles: Iterable[str]) -> bool:
    return not roles_of(user).isdisjoint(set(roles))


def region_scope(user: Any, roles: Iterable[str]) -> RegionScope:
    """Where the user may act in any of ``roles``: everywhere for a national role, else the
    regions of the organisations in which they hold one of those roles."""
    wanted = set(roles)
    held = [grant for grant in grants_of(user) if grant.role in wanted]
    if any(grant.role in NATIONAL_ROLES for grant in held):
        return ALL_REGIONS
    return RegionScope(all_regions=False, region_ids=frozenset(g.region_id for g in held))


def organisation_ids_with(user: Any, roles: Iterable[str]) -> frozenset[int]:
    wanted = set(roles)
    return frozenset(g.organisation_id for g in grants_of(user) if g.role in wanted)


def is_staff_member(user: Any) -> bool:
    return has_any_role(user, STAFF_ROLES)


def is_national(user: Any) -> bool:
    return has_any_role(user, NATIONAL_ROLES)


# --- rules predicates, usable with user.has_perm(...) and in templates ----------------------

is_staff_member_predicate = rules.predicate(is_staff_member, name="is_staff_member")
is_centre_staff = rules.predicate(lambda user: has_any_role(user, CENTRE_ROLES), name="centre")
is_administrator = rules.predicate(
    lambda user: has_any_role(user, {Role.ADMINISTRATOR}), name="is_administrator"
)

rules.add_perm("accounts.use_staff_workspace", is_staff_member_predicate)
