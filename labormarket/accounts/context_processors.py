"""Navigation by role: what the top bar offers the signed-in user."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import CENTRE_ROLES, Role
from .policies import has_any_role, is_staff_member, roles_of


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    icon: str

    def is_active(self, path: str) -> bool:
        return path.startswith(self.url) if self.url != "/" else path == "/"


def navigation_for(user: object) -> list[NavItem]:
    from labormarket.exchange.policies import can_search_cvs, staff_scope
    from labormarket.registry.policies import can_use_registry

    items: list[NavItem] = [
        NavItem(_("Vacancies"), reverse("exchange:vacancy_list"), "search"),
        NavItem(_("Outsourcing"), reverse("outsourcing_public:announcements"), "megaphone"),
    ]
    if not getattr(user, "is_authenticated", False):
        return items
    if can_use_registry(user):
        items.append(NavItem(_("Person registry"), reverse("registry:home"), "people"))
    if not staff_scope(user).is_empty:
        items.append(NavItem(_("Exchange"), reverse("exchange:staff_vacancies"), "briefcase"))
    if can_search_cvs(user):
        items.append(NavItem(_("CV search"), reverse("exchange:cv_search"), "person-lines-fill"))
    if has_any_role(user, CENTRE_ROLES):
        items.append(NavItem(_("Public services"), reverse("services:queue"), "journal-check"))
    if has_any_role(user, {Role.CLM_SPECIALIST, Role.CLM_HEAD}):
        items.append(
            NavItem(_("Outsourcing workspace"), reverse("outsourcing_clm:dashboard"), "people-fill")
        )
    if has_any_role(user, {Role.EMPLOYER_MANAGER}):
        items.append(
            NavItem(_("Employer's cabinet"), reverse("exchange:employer_cabinet"), "building-check")
        )
    if has_any_role(user, {Role.PEA_MANAGER}):
        items.append(NavItem(_("Outsourcing cabinet"), reverse("outsourcing_agency:home"), "send"))
        items.append(NavItem(_("Monthly figures"), reverse("exchange:agency_reports"), "bar-chart"))
    if has_any_role(user, {Role.PEA_MANAGER, Role.EMPLOYER_MANAGER}):
        items.append(NavItem(_("My organisation"), reverse("accounts:organisation"), "building"))
    if has_any_role(user, {Role.CITIZEN}):
        items.append(NavItem(_("My cabinet"), reverse("registry:cabinet"), "person-badge"))
        items.append(NavItem(_("My CVs"), reverse("exchange:my_cvs"), "file-person"))
        items.append(NavItem(_("Public services"), reverse("services:cabinet"), "pen"))
    if is_staff_member(user):
        items.append(NavItem(_("API"), reverse("api-docs"), "braces"))
    if getattr(user, "is_staff", False) and has_any_role(user, {Role.ADMINISTRATOR}):
        items.append(NavItem(_("Administration"), reverse("admin:index"), "gear"))
    return items


def _active_item(items: list[NavItem], path: str) -> NavItem | None:
    matching = [item for item in items if item.is_active(path)]
    return max(matching, key=lambda item: len(item.url), default=None)


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    items = navigation_for(user)
    path = request.path
    return {
        # Only the most specific item is active: "/cabinet/services/" is not also "/cabinet/".
        "nav_items": [(item, item is _active_item(items, path)) for item in items],
        "user_role_labels": [
            Role(role).label for role in sorted(roles_of(user)) if role in Role.values
        ]
        if user is not None
        else [],
    }
