"""Every exchange endpoint and page for every role: employers and agencies see only their own,
agency figures are never public, contacts stay hidden until a referral, and a denied request
changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from labormarket.accounts.choices import CENTRE_ROLES, OrganisationKind, Role
from labormarket.accounts.models import Membership
from labormarket.accounts.tests.factories import OrganisationFactory, user_with_role
from labormarket.exchange import services
from labormarket.exchange.models import (
    AgencyMonthlyReport,
    CandidateReferral,
    Cv,
    ForecastJob,
    LayoffNotice,
    Vacancy,
)
from labormarket.exchange.tests.conftest import cv_data, give_consent, vacancy_data
from labormarket.registry import services as registry_services
from labormarket.registry.models import PersonAccessLog
from labormarket.registry.tests.factories import PersonFactory

ANONYMOUS = "anonymous"
ALL = [*Role.values, ANONYMOUS]
STAFF = CENTRE_ROLES | {Role.CLM_SPECIALIST, Role.CLM_HEAD, Role.ADMINISTRATOR}
STATE = STAFF | {Role.LEB_SPECIALIST, Role.LEB_HEAD, Role.WDC_ANALYST, Role.MINISTRY_ANALYST}


@dataclass
class World:
    employer_id: int
    agency_id: int
    centre_id: int
    published: int
    draft: int
    referral: int
    cv: int


def build_world(role: str):
    """Objects in Karaganda; the user holds ``role`` at the employer (employer manager), the
    agency (PEA manager) or the centre (centre roles), elsewhere in Karaganda otherwise."""
    employer = OrganisationFactory(kind=OrganisationKind.EMPLOYER)
    agency = OrganisationFactory(kind=OrganisationKind.PRIVATE_EMPLOYMENT_AGENCY)
    centre = OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_CENTRE)
    owner = user_with_role(Role.EMPLOYER_MANAGER, organisation=employer)
    pea = user_with_role(Role.PEA_MANAGER, organisation=agency)
    specialist = user_with_role(Role.SPECIALIST, organisation=centre)
    published = services.vacancy_create(actor=owner, employer_id=employer.pk, data=vacancy_data())
    services.vacancy_publish(actor=owner, vacancy_id=published.pk)
    draft = services.vacancy_create(actor=owner, employer_id=employer.pk, data=vacancy_data())
    person = PersonFactory()
    registry_services.person_register_job_seeker(
        actor=specialist, person_id=person.pk, organisation=centre
    )
    give_consent(specialist, person, "cv_publication")
    give_consent(specialist, person, "referral_to_employer")
    cv = services.cv_create(actor=specialist, person_id=person.pk, data=cv_data())
    services.cv_publish(actor=specialist, cv_id=cv.pk)
    referral = services.referral_create(
        actor=specialist, vacancy_id=published.pk, cv_id=cv.pk, organisation_id=centre.pk
    )
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    services.agency_report_submit(
        actor=pea,
        agency_id=agency.pk,
        period=last_month,
        lines=[services.AgencyReportLineData("2512", 5, 2)],
    )
    world = World(employer.pk, agency.pk, centre.pk, published.pk, draft.pk, referral.pk, cv.pk)
    if role == ANONYMOUS:
        return world, None
    if role == Role.EMPLOYER_MANAGER:
        return world, owner
    if role == Role.PEA_MANAGER:
        return world, pea
    user = user_with_role(role)
    if role in CENTRE_ROLES:
        Membership.objects.filter(user=user).update(organisation=centre)
    return world, user


@dataclass
class Case:
    name: str
    method: str
    url: Callable[[World], str]
    expect: Callable[[str], int]
    body: Callable[[World], dict] = field(default=lambda w: {})
    count: Callable[[str], int] | None = None


def status(ok: int, roles: set[str], denied: int, anonymous: int | None = None):
    def expect(role: str) -> int:
        if role == ANONYMOUS:
            return denied if anonymous is None else anonymous
        return ok if role in roles else denied

    return expect


MANAGERS = STAFF | {Role.EMPLOYER_MANAGER}
CASES = [
    Case(
        "published vacancy",
        "get",
        lambda w: f"/api/v1/vacancies/{w.published}/",
        status(200, set(ALL), 200),
    ),
    Case(
        "draft vacancy",
        "get",
        lambda w: f"/api/v1/vacancies/{w.draft}/",
        status(200, MANAGERS, 404),
    ),
    Case(
        "create vacancy for the employer",
        "post",
        lambda w: "/api/v1/vacancies/",
        status(201, MANAGERS, 404, anonymous=403),
        body=lambda w: {
            "employer": w.employer_id,
            "occupation": "7112",
            "title": "Каменщик",
            "locality": "351000000",
            "salary_min": "250000",
            "schedule": "full_day",
            "employment_type": "permanent",
        },
    ),
    Case(
        "publish the draft",
        "post",
        lambda w: f"/api/v1/vacancies/{w.draft}/publish/",
        status(200, MANAGERS, 404, anonymous=403),
    ),
    Case(
        "close the published vacancy",
        "post",
        lambda w: f"/api/v1/vacancies/{w.published}/close/",
        status(200, MANAGERS, 404, anonymous=403),
    ),
    Case(
        "hire on the referral",
        "post",
        lambda w: f"/api/v1/referrals/{w.referral}/hire/",
        status(200, {Role.EMPLOYER_MANAGER}, 404, anonymous=403),
    ),
    Case(
        "refuse on the referral",
        "post",
        lambda w: f"/api/v1/referrals/{w.referral}/refuse/",
        status(200, {Role.EMPLOYER_MANAGER}, 404, anonymous=403),
        body=lambda w: {"reason": "experience"},
    ),
    Case(
        "refer a candidate",
        "post",
        lambda w: "/api/v1/referrals/",
        lambda role: 409 if role in STAFF else 403,  # already referred: the guard ran
        body=lambda w: {"vacancy": w.published, "cv": w.cv, "organisation": w.centre_id},
    ),
    Case(
        "referrals list",
        "get",
        lambda w: "/api/v1/referrals/",
        status(200, set(Role.values), 403),
        count=lambda role: 1 if role in STAFF | {Role.EMPLOYER_MANAGER} else 0,
    ),
    Case(
        "agency figures",
        "get",
        lambda w: "/api/v1/agency-reports/",
        status(200, set(Role.values), 403),
        count=lambda role: 1 if role in STATE | {Role.PEA_MANAGER} else 0,
    ),
    Case(
        "submit figures for the agency",
        "post",
        lambda w: "/api/v1/agency-reports/",
        status(201, {Role.PEA_MANAGER}, 404, anonymous=403),
        body=lambda w: {
            "agency": w.agency_id,
            "period": "2025-01-01",
            "lines": [{"occupation": "2512", "applicants": 3, "placed": 1}],
        },
    ),
    Case(
        "CV list",
        "get",
        lambda w: "/api/v1/cvs/",
        status(200, set(Role.values), 403),
        count=lambda role: 1 if role in STAFF | {Role.EMPLOYER_MANAGER, Role.PEA_MANAGER} else 0,
    ),
    Case(
        "lay-off notices",
        "get",
        lambda w: "/api/v1/layoff-notices/",
        status(200, set(Role.values), 403),
        count=lambda role: 0,
    ),
    Case(
        "announce forecast jobs for the employer",
        "post",
        lambda w: "/api/v1/forecast-jobs/",
        status(201, MANAGERS, 404, anonymous=403),
        body=lambda w: {
            "employer": w.employer_id,
            "occupation": "8111",
            "locality": "351000000",
            "quantity": 5,
            "expected_from": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
    ),
]


def snapshot() -> tuple:
    return (
        list(Vacancy.objects.order_by("pk").values_list("pk", "status", "places_open")),
        list(CandidateReferral.objects.order_by("pk").values_list("pk", "status")),
        Cv.objects.count(),
        AgencyMonthlyReport.objects.count(),
        LayoffNotice.objects.count(),
        ForecastJob.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@pytest.mark.parametrize("role", ALL)
def test_exchange_authorization_matrix(role: str, case: Case):
    world, user = build_world(role)
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    before = snapshot()
    body = case.body(world)
    response = getattr(client, case.method)(case.url(world), body, format="json")
    assert response.status_code == case.expect(role), (role, case.name, response.content[:300])
    if response.status_code >= 400:
        assert snapshot() == before
        assert set(response.json()["error"]) >= {"code", "message"}
    if case.count is not None and response.status_code == 200:
        assert response.json()["count"] == case.count(role), (role, case.name)


# --- HTML pages ------------------------------------------------------------------------------

#: Who searches CVs: centre staff (all published CVs), employers and agencies (public ones).
SEARCHERS = STAFF | {Role.EMPLOYER_MANAGER, Role.PEA_MANAGER}


@dataclass
class PageCase:
    name: str
    url: Callable[[World], str]
    expect: Callable[[str], int]
    #: The rows the page lists to those allowed: (what counts them, how many per role).
    rows: tuple[Callable[[dict], int], Callable[[str], int]] | None = None
    #: How many of the listed CVs show the person's contacts, per role.
    contacts: Callable[[str], int] | None = None


def _searched(context: dict) -> int:
    return len(context["page"].object_list)


def _shown(context: dict) -> int:
    return sum(contact is not None for _cv, contact in context["page"].object_list)


PAGE_CASES = [
    PageCase(
        "CV search page",
        lambda w: "/cvs/",
        status(200, SEARCHERS, 404, anonymous=302),
        rows=(_searched, lambda role: 1),
        # The world's person is of the staff's region and was referred to the employer.
        contacts=lambda role: 1 if role in STAFF | {Role.EMPLOYER_MANAGER} else 0,
    ),
    PageCase(
        "CV search page with filters",
        lambda w: "/cvs/?q=каменщик&region=350000000&occupation=71&salary_to=400000",
        status(200, SEARCHERS, 404, anonymous=302),
        rows=(_searched, lambda role: 1),
    ),
    PageCase(
        "CV search page with a bad filter",
        lambda w: "/cvs/?salary_to=abc",
        status(200, SEARCHERS, 404, anonymous=302),
        rows=(lambda context: len(context["form"].errors), lambda role: 1),
    ),
    PageCase(
        "vacancies for the CV (PRG-71)",
        lambda w: f"/cvs/{w.cv}/vacancies/",
        status(200, STAFF, 404, anonymous=302),
        rows=(lambda context: len(context["rows"]), lambda role: 1),
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", PAGE_CASES, ids=lambda c: c.name)
@pytest.mark.parametrize("role", ALL)
def test_exchange_pages_authorization_matrix(role: str, case: PageCase):
    """The CV search and the vacancies ranked for a CV, for every role: the public is sent to
    sign in, those not allowed get 404, and reading a page changes nothing (no access log)."""
    world, user = build_world(role)
    client = Client()
    if user is not None:
        client.force_login(user)
    before = snapshot(), PersonAccessLog.objects.count()
    response = client.get(case.url(world))
    assert response.status_code == case.expect(role), (role, case.name)
    assert (snapshot(), PersonAccessLog.objects.count()) == before
    if response.status_code == 302:
        assert response.url.startswith(reverse("accounts:login"))
    if response.status_code == 200:
        if case.rows is not None:
            count, expected = case.rows
            assert count(response.context) == expected(role), (role, case.name)
        if case.contacts is not None:
            assert _shown(response.context) == case.contacts(role), (role, case.name)
