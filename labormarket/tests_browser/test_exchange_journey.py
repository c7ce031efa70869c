"""The exchange journey as its users walk it: a person posts a CV, an employer posts a vacancy,
a specialist records the consent, finds the candidate and refers them, the employer hires —
and the vacancy and the person leave the exchange (PRG-67, PRG-68, PRG-71)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from labormarket.accounts.choices import OrganisationKind, Role
from labormarket.exchange.models import CandidateReferral, Cv, Vacancy

if TYPE_CHECKING:
    from labormarket.accounts.models import Organisation, User

    from .conftest import Site

    PASSWORD: str

    def user_with_role(role: str, **kw: object) -> User: ...
    def OrganisationFactory(**kw: object) -> Organisation: ...  # noqa: N802

else:
    from labormarket.accounts.tests.factories import PASSWORD, OrganisationFactory, user_with_role

pytestmark = pytest.mark.browser


def follow(page: Page, action: Callable[[], object]) -> None:
    with page.expect_navigation():
        action()


def sign_out(page: Page) -> None:
    page.click("#user-menu")
    follow(page, lambda: page.click("form[action='/accounts/logout/'] button"))


def test_cv_vacancy_match_referral_hire(page: Page, site: Site) -> None:
    citizen = user_with_role(Role.CITIZEN, last_name="Жумабаев", first_name="Ерлан")
    employer = OrganisationFactory(
        kind=OrganisationKind.EMPLOYER, name="ТОО «Караганда Стройсервис»"
    )
    manager = user_with_role(Role.EMPLOYER_MANAGER, organisation=employer)
    centre = OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_CENTRE)
    specialist = user_with_role(Role.SPECIALIST, organisation=centre)

    # 1. The person writes and posts a CV (PRG-68: shown for at most a month).
    site.sign_in(page, citizen.username, PASSWORD)
    follow(page, lambda: page.goto(site.url("/cabinet/cvs/")))
    follow(page, lambda: page.click("#new-cv"))
    page.fill("#id_title", "Каменщик 4 разряда")
    page.fill("#id_occupation_codes", "7112")
    page.select_option("#id_regions", ["350000000"])
    page.fill("#id_experience_years", "6")
    page.fill("#id_skills", "кладка кирпича, штукатурка")
    follow(page, lambda: page.click("main form button[type=submit]"))
    cv = Cv.objects.get(person=citizen.person)
    page.fill(f"#expires-{cv.pk}", (timezone.localdate() + timedelta(days=20)).isoformat())
    follow(page, lambda: page.click(f"#publish-cv-{cv.pk}"))
    expect(page.locator(f"#cv-status-{cv.pk}")).to_have_text(
        Cv(status="published").get_status_display()
    )
    site.shot(page, "30-exchange-cv-published-ru.png")
    sign_out(page)

    # 2. The employer posts a vacancy.
    site.sign_in(page, manager.username, PASSWORD)
    follow(page, lambda: page.goto(site.url("/employer/")))
    follow(page, lambda: page.click("#new-vacancy"))
    page.fill("#id_title", "Каменщик")
    page.fill("#id_occupation_code", "7112")
    page.fill("#id_locality_code", "351000000")
    page.fill("#id_salary_min", "250000")
    page.fill("#id_salary_max", "350000")
    page.select_option("#id_schedule_code", "full_day")
    page.select_option("#id_employment_type_code", "permanent")
    page.fill("#id_skills", "кладка кирпича")
    follow(page, lambda: page.click("main form button[type=submit]"))
    vacancy = Vacancy.objects.get(employer=employer)
    follow(page, lambda: page.click("#publish-vacancy"))
    expect(page.locator("#vacancy-status")).to_have_text(
        Vacancy(status="published").get_status_display()
    )
    site.shot(page, "31-exchange-vacancy-published-ru.png")
    # Without the person's consent to publish personal data the CV is for centres only: the
    # employer's CV search does not find it.
    follow(page, lambda: page.goto(site.url("/cvs/")))
    page.fill("#id_q", "каменщик")
    follow(page, lambda: page.click("#cv-search"))
    expect(page.locator("#nothing-found")).to_be_visible()
    expect(page.locator(f"#cv-{cv.pk}")).to_have_count(0)
    site.shot(page, "31a-exchange-cv-search-employer-ru.png")
    sign_out(page)

    # 3. The specialist records the person's consent (PRG-71), finds and refers the candidate.
    site.sign_in(page, specialist.username, PASSWORD)
    follow(
        page,
        lambda: page.goto(
            site.url(f"/staff/persons/{citizen.person.pk}/?purpose=service_delivery")
        ),
    )
    page.click("#form-consent_form summary")
    page.select_option("#id_consent-purpose", "referral_to_employer")
    page.fill("#id_consent-scope", "Направление резюме работодателю")
    page.select_option("#id_consent-evidence", "paper")
    page.fill("#id_consent-evidence_reference", "№ 12/2026")
    follow(page, lambda: page.locator("form[action$='/consents/'] button[type=submit]").click())
    # The centre's CV search finds the CV shown to centres only.
    follow(page, lambda: page.goto(site.url("/cvs/?q=каменщик")))
    expect(page.locator(f"#cv-{cv.pk}")).to_have_text("Каменщик 4 разряда")
    site.shot(page, "31b-exchange-cv-search-centre-ru.png")
    follow(page, lambda: page.goto(site.url(f"/vacancies/{vacancy.pk}/")))
    follow(page, lambda: page.click("#find-candidates"))
    expect(page.locator(f"#refer-{cv.pk}")).to_be_visible()
    site.shot(page, "32-exchange-candidates-ru.png")
    # The other way round (PRG-71): the vacancies ranked for the person's CV.
    follow(page, lambda: page.click(f"#cv-vacancies-{cv.pk}"))
    expect(page.locator(f"#vacancy-{vacancy.pk}")).to_have_text("Каменщик")
    site.shot(page, "32a-exchange-vacancies-for-cv-ru.png")
    follow(page, lambda: page.go_back())
    follow(page, lambda: page.click(f"#refer-{cv.pk}"))
    referral = CandidateReferral.objects.get(vacancy=vacancy)
    assert referral.status == "sent"
    site.shot(page, "33-exchange-referred-ru.png")
    sign_out(page)

    # 4. The employer hires: the vacancy and the person leave the exchange (PRG-67).
    site.sign_in(page, manager.username, PASSWORD)
    follow(page, lambda: page.goto(site.url("/employer/")))
    expect(page.locator("main")).to_contain_text(citizen.person.full_name)
    site.shot(page, "34-exchange-employer-inbox-ru.png")
    follow(page, lambda: page.click(f"#hire-{referral.pk}"))
    vacancy.refresh_from_db()
    cv.refresh_from_db()
    assert (vacancy.status, vacancy.places_open, cv.status) == ("closed", 0, "closed")
    site.shot(page, "35-exchange-hired-ru.png")
    follow(page, lambda: page.goto(site.url("/vacancies/")))
    expect(page.locator(f"a[href='/vacancies/{vacancy.pk}/']")).to_have_count(0)
