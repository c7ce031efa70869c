"""Every page and endpoint of the foundation, for every role (and anonymous), on a person of
the user's own region and of another region. A denied request must change nothing.

Users hold their role in Karaganda; ``home`` is a Karaganda person, ``other`` an Akmola one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from auditlog.models import LogEntry
from django.test import Client

from labormarket.accounts.choices import STAFF_ROLES, Role
from labormarket.accounts.tests.factories import AKMOLA, KARAGANDA, region, user_with_role
from labormarket.core.testing import next_iin
from labormarket.reference.models import EducationLevel
from labormarket.registry.models import (
    Consent,
    EducationRecord,
    FamilyLink,
    Person,
    PersonAccessLog,
    WorkHistoryEntry,
)
from labormarket.registry.tests.factories import PersonFactory

ANONYMOUS = "anonymous"
ALL_ROLES = [*Role.values, ANONYMOUS]

WRITERS = {
    Role.CLERK,
    Role.SPECIALIST,
    Role.SECTOR_HEAD,
    Role.CENTRE_HEAD,
    Role.CLM_SPECIALIST,
    Role.CLM_HEAD,
    Role.ADMINISTRATOR,
}
READERS = WRITERS | {Role.LEB_SPECIALIST, Role.LEB_HEAD}
NATIONAL_READERS = {Role.ADMINISTRATOR}
SIGNED_IN = set(Role.values)


@dataclass
class World:
    home: Person
    other: Person
    relative: Person


@dataclass
class Case:
    name: str
    method: str
    url: Callable[[World], str]
    expect: Callable[[str], int]
    body: Callable[[World], dict] = field(default=lambda w: {})
    json: bool = False
    #: For write requests: the state that must not change when the request is denied.
    writes: bool = False


def allow(roles: set[str], ok: int, denied: int, anonymous: int | None = None):
    def expect(role: str) -> int:
        if role == ANONYMOUS and anonymous is not None:
            return anonymous
        return ok if role in roles else denied

    return expect


def change(ok: int):
    """Writers succeed; read-only registry roles are refused (403); everyone else sees 404."""

    def expect(role: str) -> int:
        if role == ANONYMOUS:
            return 302
        if role in WRITERS:
            return ok
        return 403 if role in READERS else 404

    return expect


def person_form(w: World, iin: str | None = None) -> dict:
    data = {
        "last_name": "Жаксылыкова",
        "first_name": "Дана",
        "citizenship_status": "citizen",
        "region": str(region(KARAGANDA).pk),
        "phone": "+77015550011",
    }
    if iin:
        data["iin"] = iin
    return data


def api_person(w: World, iin: str | None = None) -> dict:
    data = {"last_name": "Жаксылыкова", "first_name": "Дана", "region": KARAGANDA}
    if iin:
        data["iin"] = iin
    return data


CONSENT = {
    "consent-purpose": "cv_publication",
    "consent-scope": "CV",
    "consent-version": "1.0",
    "consent-evidence": "portal",
}
EDUCATION = {"education-level": "higher", "education-institution": "КарГУ"}
WORK = {
    "work-employer_name": "ТОО «Руда»",
    "work-position": "Инженер",
    "work-started_on": "2015-01-01",
}


def family(w: World) -> dict:
    return {"family-relative_iin": w.relative.iin, "family-relation": "sibling"}


LOGIN = "/accounts/login/"
CASES = [
    # Public pages
    Case("home", "get", lambda w: "/", allow(SIGNED_IN, 200, 200, 200)),
    Case("login page", "get", lambda w: LOGIN, allow(set(), 302, 302, 200)),
    Case("api schema", "get", lambda w: "/api/schema/", allow(SIGNED_IN, 200, 200, 200)),
    Case("api docs", "get", lambda w: "/api/docs/", allow(SIGNED_IN, 200, 200, 200)),
    Case("api regions", "get", lambda w: "/api/v1/regions/", allow(SIGNED_IN, 200, 200, 200)),
    Case(
        "api occupations", "get", lambda w: "/api/v1/occupations/", allow(SIGNED_IN, 200, 200, 200)
    ),
    Case(
        "api parameter value",
        "get",
        lambda w: "/api/v1/parameters/mrp/value/?on=2026-01-01",
        allow(SIGNED_IN, 200, 200, 200),
    ),
    # Accounts
    Case(
        "password change", "get", lambda w: "/accounts/password/", allow(SIGNED_IN, 200, 200, 302)
    ),
    Case(
        "my organisation",
        "get",
        lambda w: "/accounts/organisation/",
        allow({Role.PEA_MANAGER, Role.EMPLOYER_MANAGER}, 200, 404, 302),
    ),
    Case("api me", "get", lambda w: "/api/v1/me/", allow(SIGNED_IN, 200, 200, 403)),
    Case("admin", "get", lambda w: "/admin/", allow({Role.ADMINISTRATOR}, 200, 302, 302)),
    Case(
        "admin access log",
        "get",
        lambda w: "/admin/registry/personaccesslog/",
        allow({Role.ADMINISTRATOR}, 200, 302, 302),
    ),
    Case(
        "admin audit log",
        "get",
        lambda w: "/admin/auditlog/logentry/",
        allow({Role.ADMINISTRATOR}, 200, 302, 302),
    ),
    # Registry pages
    Case("registry home", "get", lambda w: "/staff/persons/", allow(READERS, 200, 404, 302)),
    Case(
        "registry search",
        "post",
        lambda w: "/staff/persons/",
        allow(READERS, 200, 404, 302),
        body=lambda w: {"q": "иванов", "purpose": "consultation"},
    ),
    Case(
        "card of own region",
        "get",
        lambda w: f"/staff/persons/{w.home.pk}/?purpose=consultation",
        allow(READERS, 200, 404, 302),
    ),
    Case(
        "card of another region",
        "get",
        lambda w: f"/staff/persons/{w.other.pk}/?purpose=consultation",
        allow(NATIONAL_READERS, 200, 404, 302),
    ),
    Case("new person form", "get", lambda w: "/staff/persons/new/", allow(WRITERS, 200, 404, 302)),
    Case(
        "create person",
        "post",
        lambda w: "/staff/persons/new/",
        allow(WRITERS, 302, 404, 302),
        body=lambda w: person_form(w, next_iin()),
        writes=True,
    ),
    Case(
        "edit form of own region",
        "get",
        lambda w: f"/staff/persons/{w.home.pk}/edit/",
        change(200),
    ),
    Case(
        "edit person of own region",
        "post",
        lambda w: f"/staff/persons/{w.home.pk}/edit/",
        change(302),
        body=person_form,
        writes=True,
    ),
    Case(
        "edit person of another region",
        "post",
        lambda w: f"/staff/persons/{w.other.pk}/edit/",
        allow(NATIONAL_READERS, 302, 404, 302),
        body=person_form,
        writes=True,
    ),
    Case(
        "record consent",
        "post",
        lambda w: f"/staff/persons/{w.home.pk}/consents/",
        change(302),
        body=lambda w: CONSENT,
        writes=True,
    ),
    Case(
        "record consent in another region",
        "post",
        lambda w: f"/staff/persons/{w.other.pk}/consents/",
        allow(NATIONAL_READERS, 302, 404, 302),
        body=lambda w: CONSENT,
        writes=True,
    ),
    Case(
        "add education",
        "post",
        lambda w: f"/staff/persons/{w.home.pk}/education/",
        change(302),
        body=lambda w: EDUCATION,
        writes=True,
    ),
    Case(
        "remove education",
        "post",
        lambda w: f"/staff/persons/{w.home.pk}/education/{w.home.education.get().pk}/delete/",
        change(302),
        writes=True,
    ),
    Case(
        "add work history",
        "post",
        lambda w: f"/staff/persons/{w.home.pk}/work/",
        change(302),
        body=lambda w: WORK,
        writes=True,
    ),
    Case(
        "add family link",
        "post",
        lambda w: f"/staff/persons/{w.home.pk}/family/",
        change(302),
        body=family,
        writes=True,
    ),
    Case(
        "add education in another region",
        "post",
        lambda w: f"/staff/persons/{w.other.pk}/education/",
        allow(NATIONAL_READERS, 302, 404, 302),
        body=lambda w: EDUCATION,
        writes=True,
    ),
    Case("citizen cabinet", "get", lambda w: "/cabinet/", allow({Role.CITIZEN}, 200, 404, 302)),
    # Exchange pages
    Case("public vacancies", "get", lambda w: "/vacancies/", allow(SIGNED_IN, 200, 200, 200)),
    Case(
        "employer's cabinet",
        "get",
        lambda w: "/employer/",
        allow({Role.EMPLOYER_MANAGER}, 200, 404, 302),
    ),
    Case(
        "new vacancy form",
        "get",
        lambda w: "/employer/vacancies/new/",
        allow({Role.EMPLOYER_MANAGER}, 200, 404, 302),
    ),
    Case("my CVs", "get", lambda w: "/cabinet/cvs/", allow({Role.CITIZEN}, 200, 404, 302)),
    Case(
        "CV search",
        "get",
        lambda w: "/cvs/?q=каменщик",
        allow(WRITERS | {Role.EMPLOYER_MANAGER, Role.PEA_MANAGER}, 200, 404, 302),
    ),
    Case(
        "vacancies for a CV that is not there",
        "get",
        lambda w: "/cvs/999999/vacancies/",
        allow(set(), 200, 404, 302),
    ),
    Case("new CV form", "get", lambda w: "/cabinet/cvs/new/", allow({Role.CITIZEN}, 200, 404, 302)),
    Case(
        "staff exchange workspace",
        "get",
        lambda w: "/staff/exchange/",
        allow(WRITERS, 200, 404, 302),
    ),
    Case(
        "employer's lay-offs and forecasts",
        "get",
        lambda w: "/employer/plans/",
        allow({Role.EMPLOYER_MANAGER}, 200, 404, 302),
    ),
    Case(
        "agency's monthly figures",
        "get",
        lambda w: "/agency/reports/",
        allow({Role.PEA_MANAGER}, 200, 404, 302),
    ),
    Case(
        "agencies' figures for staff (PRG-70)",
        "get",
        lambda w: "/staff/exchange/agency-figures/",
        allow(STAFF_ROLES, 200, 404, 302),
    ),
    # Registry API
    Case(
        "api person search",
        "get",
        lambda w: "/api/v1/persons/?q=иванов",
        allow(READERS, 200, 403, 403),
    ),
    Case(
        "api person of own region",
        "get",
        lambda w: f"/api/v1/persons/{w.home.pk}/?purpose=consultation",
        allow(READERS, 200, 403, 403),
    ),
    Case(
        "api person of another region",
        "get",
        lambda w: f"/api/v1/persons/{w.other.pk}/?purpose=consultation",
        lambda role: 200 if role in NATIONAL_READERS else (404 if role in READERS else 403),
    ),
    Case(
        "api person lookup by iin",
        "post",
        lambda w: "/api/v1/persons/lookup/",
        allow(READERS, 200, 403, 403),
        body=lambda w: {"iin": w.home.iin, "purpose": "consultation"},
        json=True,
    ),
    Case(
        "api create person",
        "post",
        lambda w: "/api/v1/persons/",
        lambda role: 201 if role in WRITERS else 403,
        body=lambda w: api_person(w, next_iin()),
        json=True,
        writes=True,
    ),
    Case(
        "api add education",
        "post",
        lambda w: f"/api/v1/persons/{w.home.pk}/education/",
        lambda role: 201 if role in WRITERS else 403,
        body=lambda w: {"level": "higher", "institution": "КарГУ"},
        json=True,
        writes=True,
    ),
    Case(
        "api add education in another region",
        "post",
        lambda w: f"/api/v1/persons/{w.other.pk}/education/",
        lambda role: 201 if role in NATIONAL_READERS else (404 if role in READERS else 403),
        body=lambda w: {"level": "higher", "institution": "КарГУ"},
        json=True,
        writes=True,
    ),
    Case(
        "api remove education",
        "delete",
        lambda w: f"/api/v1/persons/{w.home.pk}/education/{w.home.education.get().pk}/",
        lambda role: 200 if role in WRITERS else 403,
        writes=True,
    ),
    Case(
        "api add work history",
        "post",
        lambda w: f"/api/v1/persons/{w.home.pk}/work-history/",
        lambda role: 201 if role in WRITERS else 403,
        body=lambda w: {
            "employer_name": "ТОО «Руда»",
            "position": "Инженер",
            "started_on": "2015-01-01",
        },
        json=True,
        writes=True,
    ),
    Case(
        "api record consent",
        "post",
        lambda w: f"/api/v1/persons/{w.home.pk}/consents/",
        lambda role: 201 if role in WRITERS else 403,
        body=lambda w: {
            "purpose": "cv_publication",
            "scope": "CV",
            "version": "1",
            "evidence": "portal",
        },
        json=True,
        writes=True,
    ),
    Case(
        "api link relative",
        "post",
        lambda w: f"/api/v1/persons/{w.home.pk}/family/",
        lambda role: 201 if role in WRITERS else 403,
        body=lambda w: {"relative_iin": w.relative.iin, "relation": "sibling"},
        json=True,
        writes=True,
    ),
    Case(
        "api change person of own region",
        "patch",
        lambda w: f"/api/v1/persons/{w.home.pk}/",
        lambda role: 200 if role in WRITERS else 403,
        body=lambda w: {"last_name": "Новая"},
        json=True,
        writes=True,
    ),
    Case(
        "api change person of another region",
        "patch",
        lambda w: f"/api/v1/persons/{w.other.pk}/",
        lambda role: 200 if role in NATIONAL_READERS else (404 if role in READERS else 403),
        body=lambda w: {"last_name": "Новая", "region": AKMOLA},
        json=True,
        writes=True,
    ),
]


def snapshot() -> tuple:
    return (
        list(
            Person.objects.order_by("pk").values_list("pk", "last_name", "region_id", "search_name")
        ),
        list(Consent.objects.order_by("pk").values_list("pk", "withdrawn_at")),
        EducationRecord.objects.count(),
        WorkHistoryEntry.objects.count(),
        FamilyLink.objects.count(),
        LogEntry.objects.count(),
    )


def client_for(role: str) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(user_with_role(role, region_code=KARAGANDA))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@pytest.mark.parametrize("role", ALL_ROLES)
def test_authorization_matrix(role: str, case: Case):
    world = World(
        home=PersonFactory(region=region(KARAGANDA)),
        other=PersonFactory(region=region(AKMOLA)),
        relative=PersonFactory(region=region(KARAGANDA)),
    )
    EducationRecord.objects.create(
        person=world.home, level=EducationLevel.objects.get(code="higher"), institution="КазНУ"
    )
    client = client_for(role)
    expected = case.expect(role)
    before = snapshot()
    log_before = PersonAccessLog.objects.count()
    url = case.url(world)
    body = case.body(world)
    if case.json:
        response = getattr(client, case.method)(url, body, content_type="application/json")
    else:
        response = (
            getattr(client, case.method)(url, body) if body else getattr(client, case.method)(url)
        )
    assert response.status_code == expected, (role, case.name, response.status_code)
    if response.status_code >= 400 or (role == ANONYMOUS and response.status_code == 302):
        assert snapshot() == before
        assert PersonAccessLog.objects.count() == log_before
    if response.status_code in (401, 403, 404) and url.startswith("/api/"):
        assert set(response.json()["error"]) >= {"code", "message"}
