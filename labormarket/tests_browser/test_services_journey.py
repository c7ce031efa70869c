"""The public services as their users walk them (SVC-03, SVC-05, SVC-11): a citizen requests
registration as a job seeker through the portal and signs the request with EDS (the demo signer
of the test PKI, as NCALayer does not run here); the head appoints the executor, the executor
drafts the notification, the head signs it with EDS; the result reaches the citizen's cabinet;
the public verification page confirms the document."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Page, expect

from labormarket.accounts.choices import OrganisationKind, Role
from labormarket.accounts.models import Membership
from labormarket.core.signatures import TestSubject, make_test_pki
from labormarket.core.testing import next_iin
from labormarket.registry.choices import LabourStatus
from labormarket.services.models import Application, ResultDocument

if TYPE_CHECKING:
    from labormarket.accounts.models import Organisation, User

    from .conftest import Site

    PASSWORD: str

    def user_with_role(role: str, **kw: object) -> User: ...
    def OrganisationFactory(**kw: object) -> Organisation: ...  # noqa: N802
    def UserFactory(**kw: object) -> User: ...  # noqa: N802

else:
    from labormarket.accounts.tests.factories import (
        PASSWORD,
        OrganisationFactory,
        UserFactory,
        user_with_role,
    )

pytestmark = pytest.mark.browser


def follow(page: Page, action: Callable[[], object]) -> None:
    with page.expect_navigation():
        action()


def sign_out(page: Page) -> None:
    page.click("#user-menu")
    follow(page, lambda: page.click("form[action='/accounts/logout/'] button"))


def staff(centre: Any, role: str, last_name: str) -> Any:
    user = UserFactory(iin=next_iin(date(1984, 2, 3)), last_name=last_name, first_name="Айгуль")
    Membership.objects.create(user=user, organisation=centre, role=role)
    return user


def test_portal_request_signed_result_in_the_cabinet(
    page: Page, site: Site, settings: Any, tmp_path: Any
) -> None:
    centre = OrganisationFactory(
        kind=OrganisationKind.EMPLOYMENT_CENTRE, name="ЦЗН г. Караганды", address="ул. Ерубаева, 50"
    )
    head = staff(centre, Role.CENTRE_HEAD, "Руководитель")
    specialist = staff(centre, Role.SPECIALIST, "Исполнителева")
    citizen = user_with_role(Role.CITIZEN, last_name="Жумабаев", first_name="Ерлан")
    citizen.iin = citizen.person.iin
    citizen.save(update_fields=["iin"])
    people = [
        TestSubject(key=u.username, iin=u.iin or "", surname=u.last_name, given_name=u.first_name)
        for u in (head, citizen)
    ]
    make_test_pki(tmp_path / "pki", people)
    settings.SIGNATURES = {"VERIFIER": "local", "PKI_DIR": tmp_path / "pki"}
    settings.SIGNATURES_DEMO_SIGNER = True
    scan = tmp_path / "udostoverenie.pdf"
    scan.write_bytes(b"%PDF-1.4\n% scan of the identity card\n")

    # 1. The citizen fills the request, attaches the scan and signs it (SVC-05).
    site.sign_in(page, citizen.username, PASSWORD)
    follow(page, lambda: page.goto(site.url("/cabinet/services/new/")))
    page.select_option("#id_service", "job_seeker_registration")
    page.select_option("#id_centre", str(centre.pk))
    page.fill("#id_phone", "+77011234567")
    page.set_input_files("#id_files", str(scan))
    site.shot(page, "40-services-portal-request-ru.png")
    follow(page, lambda: page.click("[data-eds-sign]"))
    application = Application.objects.get(person=citizen.person)
    assert application.request_signature is not None
    assert application.request_signature.signer_iin == citizen.iin
    expect(page.locator("main")).to_contain_text(application.number)
    site.shot(page, "41-services-cabinet-registered-ru.png")
    sign_out(page)

    # 2. The head appoints the executor (SVC-11 (2)).
    site.sign_in(page, head.username, PASSWORD)
    follow(page, lambda: page.goto(site.url("/staff/services/")))
    expect(page.locator("main")).to_contain_text(application.number)
    site.shot(page, "42-services-queue-head-ru.png")
    follow(page, lambda: page.click(f"a:has-text('{application.number}')"))
    page.select_option("#id_executor", str(specialist.pk))
    follow(page, lambda: page.click("#step-assign"))
    sign_out(page)

    # 3. The executor drafts the notification.
    site.sign_in(page, specialist.username, PASSWORD)
    follow(page, lambda: page.goto(site.url(f"/staff/services/applications/{application.pk}/")))
    follow(page, lambda: page.click("#step-draft"))
    document = ResultDocument.objects.get(application=application)
    sign_out(page)

    # 4. The head signs the exact PDF with EDS; delivery to the cabinet follows by itself.
    site.sign_in(page, head.username, PASSWORD)
    follow(page, lambda: page.goto(site.url(f"/staff/services/applications/{application.pk}/")))
    site.shot(page, "43-services-sign-step-ru.png")
    follow(page, lambda: page.click("[data-eds-sign]"))
    document.refresh_from_db()
    assert document.status == "signed"
    assert document.signature is not None
    assert document.signature.signer_iin == head.iin
    application.refresh_from_db()
    assert application.status == "completed"
    citizen.person.refresh_from_db()
    assert citizen.person.labour_status == LabourStatus.JOB_SEEKER
    site.shot(page, "44-services-application-completed-ru.png")
    sign_out(page)

    # 5. The citizen sees the signed result; the public page confirms it.
    site.sign_in(page, citizen.username, PASSWORD)
    follow(page, lambda: page.goto(site.url("/cabinet/services/")))
    expect(
        page.locator(f"a[href='/services/applications/{application.pk}/result.pdf']")
    ).to_be_visible()
    site.shot(page, "45-services-cabinet-result-ru.png")
    follow(page, lambda: page.goto(site.url(f"/verify/{document.verification_token}/")))
    expect(page.locator(".alert-success")).to_be_visible()
    assert citizen.iin not in page.content()
    site.shot(page, "46-services-verification-ru.png")


def test_office_unemployed_registration_then_referral(
    page: Page, site: Site, settings: Any, tmp_path: Any
) -> None:
    """The office channel (SVC-02, SVC-21, SVC-22, SVC-31): the clerk registers a job seeker's
    paper application to be registered as unemployed; head, executor and head again; the
    personal record card opens; then the referral to social jobs is issued the same way."""
    from labormarket.registry import services as registry

    centre = OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_CENTRE, name="ЦЗН г. Караганды")
    clerk = staff(centre, Role.CLERK, "Канцелярова")
    head = staff(centre, Role.CENTRE_HEAD, "Руководитель")
    specialist = staff(centre, Role.SPECIALIST, "Исполнителева")
    visitor = user_with_role(Role.CITIZEN, last_name="Сериков", first_name="Нурлан").person
    registry.person_register_job_seeker(actor=clerk, person_id=visitor.pk, organisation=centre)
    make_test_pki(
        tmp_path / "pki",
        [TestSubject(key="head", iin=head.iin or "", surname="Руководитель", given_name="А")],
    )
    settings.SIGNATURES = {"VERIFIER": "local", "PKI_DIR": tmp_path / "pki"}
    settings.SIGNATURES_DEMO_SIGNER = True

    def walk(service: str, referral: str = "") -> Application:
        site.sign_in(page, clerk.username, PASSWORD)
        follow(page, lambda: page.goto(site.url("/staff/services/new/")))
        page.select_option("#id_service", service)
        page.fill("#id_iin", visitor.iin)
        if referral:
            page.select_option("#id_requested_result", referral)
        follow(page, lambda: page.click("main form button[type=submit]"))
        application = Application.objects.filter(person=visitor).order_by("-pk").first()
        assert application is not None
        sign_out(page)
        site.sign_in(page, head.username, PASSWORD)
        follow(page, lambda: page.goto(site.url(f"/staff/services/applications/{application.pk}/")))
        page.select_option("#id_executor", str(specialist.pk))
        follow(page, lambda: page.click("#step-assign"))
        sign_out(page)
        site.sign_in(page, specialist.username, PASSWORD)
        follow(page, lambda: page.goto(site.url(f"/staff/services/applications/{application.pk}/")))
        if referral:
            page.fill("#id_destination", "ТОО «Карагандинский литейный завод»")
        follow(page, lambda: page.click("#step-draft"))
        sign_out(page)
        site.sign_in(page, head.username, PASSWORD)
        follow(page, lambda: page.goto(site.url(f"/staff/services/applications/{application.pk}/")))
        follow(page, lambda: page.click("[data-eds-sign]"))
        sign_out(page)
        site.sign_in(page, clerk.username, PASSWORD)
        follow(page, lambda: page.goto(site.url(f"/staff/services/applications/{application.pk}/")))
        follow(page, lambda: page.click("#step-issue"))
        application.refresh_from_db()
        assert application.status == "completed"
        return application

    walk("unemployed_registration")
    visitor.refresh_from_db()
    assert visitor.labour_status == LabourStatus.UNEMPLOYED
    assert visitor.record_cards.filter(closed_at__isnull=True).count() == 1
    site.shot(page, "47-services-office-unemployed-completed-ru.png")
    sign_out(page)

    referral = walk("active_measure_referral", "referral_social_jobs")
    assert referral.regulation.code == "active-measure-referral-karaganda-2017"
    assert ResultDocument.objects.get(application=referral).status == "signed"
    site.shot(page, "48-services-office-referral-completed-ru.png")
