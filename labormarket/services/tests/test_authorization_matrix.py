"""Every public-services page for every role (and anonymous), on an application of the user's own
region and of another region: a step is performed only by its role in the providing centre, and
a denied request changes nothing (SVC-03).

The user holds their role in a Karaganda centre — the centre of ``home`` (when the role is a
centre role) — or in an organisation of its kind in Karaganda; ``other`` is an Akmola
application. ``home`` waits for the head's appointment of the executor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client

from labormarket.accounts.choices import CENTRE_ROLES, Role
from labormarket.accounts.models import Membership
from labormarket.accounts.tests.factories import AKMOLA, PASSWORD, user_with_role
from labormarket.core.testing import next_iin
from labormarket.services import services
from labormarket.services.choices import ServiceCode
from labormarket.services.models import Application, ApplicationEvent, ApplicationStep

from .conftest import make_centre

ANONYMOUS = "anonymous"
ALL = [*Role.values, ANONYMOUS]
CENTRE = set(CENTRE_ROLES)
HEADS = {Role.CENTRE_HEAD, Role.SECTOR_HEAD}
VIEWERS = CENTRE | {Role.ADMINISTRATOR}
LOGIN = 302


@dataclass
class World:
    home: Application
    other: Application
    executor_id: int


@dataclass
class Case:
    name: str
    method: str
    url: Callable[[World], str]
    expect: Callable[[str], int]
    body: Callable[[World], dict] = field(default=lambda w: {})


def allow(roles: set[str], ok: int, denied: int = 404, anonymous: int = LOGIN):
    def expect(role: str) -> int:
        if role == ANONYMOUS:
            return anonymous
        return ok if role in roles else denied

    return expect


def API_ASSIGN(role: str) -> int:  # noqa: N802 - read as a constant in the table
    """Only the centre's head performs it; other viewers are refused (403 step_role); those who
    cannot see the application get 404; anonymous 403."""
    if role == ANONYMOUS:
        return 403
    if role == Role.CENTRE_HEAD:
        return 200
    return 403 if role in VIEWERS else 404


CASES = [
    Case("queue", "get", lambda w: "/staff/services/", allow(VIEWERS, 200)),
    Case("overdue view", "get", lambda w: "/staff/services/overdue/", allow(HEADS, 200)),
    Case(
        "office registration form",
        "get",
        lambda w: "/staff/services/new/",
        allow({Role.CLERK, Role.SPECIALIST}, 200),
    ),
    Case(
        "application of own region",
        "get",
        lambda w: f"/staff/services/applications/{w.home.pk}/",
        # Everyone who may see it; the citizen (not the recipient here) gets 404.
        allow(VIEWERS, 200),
    ),
    Case(
        "application of another region",
        "get",
        lambda w: f"/staff/services/applications/{w.other.pk}/",
        allow({Role.ADMINISTRATOR}, 200),
    ),
    Case(
        "appoint the executor (head's step)",
        "post",
        lambda w: f"/staff/services/applications/{w.home.pk}/assign/",
        # The page answers with a redirect and a message; only the head's request moves it.
        allow(VIEWERS, 302),
        body=lambda w: {"executor": w.executor_id},
    ),
    Case(
        "appoint in another region",
        "post",
        lambda w: f"/staff/services/applications/{w.other.pk}/assign/",
        allow({Role.ADMINISTRATOR}, 302),
        body=lambda w: {"executor": w.executor_id},
    ),
    Case(
        "refuse (not a refusable step)",
        "post",
        lambda w: f"/staff/services/applications/{w.home.pk}/refuse/",
        allow(VIEWERS, 302),
        body=lambda w: {"grounds": ["unreliable-documents"], "reasons": "Документы недостоверны."},
    ),
    Case(
        "signing bytes (no draft yet)",
        "get",
        lambda w: f"/staff/services/applications/{w.home.pk}/signing-bytes/",
        allow(set(), 404),
    ),
    Case(
        "result PDF (no document yet)",
        "get",
        lambda w: f"/services/applications/{w.home.pk}/result.pdf",
        allow(set(), 404),
    ),
    Case("citizen cabinet", "get", lambda w: "/cabinet/services/", allow({Role.CITIZEN}, 200)),
    Case(
        "portal request form",
        "get",
        lambda w: "/cabinet/services/new/",
        allow({Role.CITIZEN}, 200),
    ),
    Case(
        "api applications",
        "get",
        lambda w: "/api/v1/services/applications/",
        allow(VIEWERS | {Role.CITIZEN}, 200, denied=403, anonymous=403),
    ),
    Case(
        "api application of own region",
        "get",
        lambda w: f"/api/v1/services/applications/{w.home.pk}/",
        allow(VIEWERS, 200, denied=404, anonymous=403),
    ),
    Case(
        "api application of another region",
        "get",
        lambda w: f"/api/v1/services/applications/{w.other.pk}/",
        allow({Role.ADMINISTRATOR}, 200, denied=404, anonymous=403),
    ),
    Case(
        "api appoint the executor",
        "post",
        lambda w: f"/api/v1/services/applications/{w.home.pk}/assign/",
        API_ASSIGN,
        body=lambda w: {"executor": w.executor_id},
    ),
    Case(
        "api regulations",
        "get",
        lambda w: "/api/v1/services/regulations/",
        allow(set(ALL), 200, anonymous=200),
    ),
    Case(
        "verification of an unknown code",
        "get",
        lambda w: "/verify/unknown-code/",
        allow(set(), 404, anonymous=404),
    ),
]


def build_world(role: str) -> tuple[World, object]:
    home_centre = make_centre("350000000")
    other_centre = make_centre(AKMOLA)
    from labormarket.registry.tests.factories import PersonFactory

    home = services.application_register_office(
        actor=home_centre.clerk,
        centre_id=home_centre.organisation.pk,
        person_id=PersonFactory(region=home_centre.organisation.region).pk,
        service=ServiceCode.JOB_SEEKER_REGISTRATION,
    )
    other = services.application_register_office(
        actor=other_centre.clerk,
        centre_id=other_centre.organisation.pk,
        person_id=PersonFactory(region=other_centre.organisation.region).pk,
        service=ServiceCode.JOB_SEEKER_REGISTRATION,
    )
    world = World(home=home, other=other, executor_id=home_centre.specialist.pk)
    if role == ANONYMOUS:
        return world, None
    if role in CENTRE:
        user = user_with_role(role, organisation=home_centre.organisation, iin=next_iin())
    else:
        user = user_with_role(role)
    return world, user


def snapshot() -> tuple:
    return (
        list(Application.objects.order_by("pk").values_list("pk", "status", "ended_at")),
        list(
            ApplicationStep.objects.order_by("pk").values_list(
                "pk", "status", "assignee_id", "ended_at"
            )
        ),
        ApplicationEvent.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("role", ALL)
def test_svc_03_services_authorization_matrix(role: str, case: Case):
    world, user = build_world(role)
    client = Client()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    before = snapshot()
    if case.url(world).startswith("/api/"):
        response = (
            getattr(client, case.method)(
                case.url(world), case.body(world), content_type="application/json"
            )
            if case.method == "post"
            else client.get(case.url(world))
        )
    else:
        response = getattr(client, case.method)(case.url(world), case.body(world))
    assert response.status_code == case.expect(role), (role, case.name)
    moved = snapshot() != before
    performer = role == Role.CENTRE_HEAD and case.name in {
        "appoint the executor (head's step)",
        "api appoint the executor",
    }
    assert moved == performer, (role, case.name)
    if performer:
        assert ApplicationStep.objects.get(application=world.home, status="open").assignee_id == (
            world.executor_id
        )


def test_a_centre_role_holder_of_another_centre_cannot_perform_the_step(db):
    world, _ = build_world(ANONYMOUS)
    outsider = user_with_role(Role.CENTRE_HEAD, iin=next_iin())  # a head elsewhere in Karaganda
    assert Membership.objects.filter(user=outsider).get().organisation_id != world.home.centre_id
    client = Client()
    assert client.login(username=outsider.username, password=PASSWORD)
    before = snapshot()
    client.post(
        f"/staff/services/applications/{world.home.pk}/assign/", {"executor": world.executor_id}
    )
    assert snapshot() == before
