"""The public services through both channels and both referral regulations, as their users walk
them (SVC-02, SVC-05, SVC-11, SVC-20, SVC-31, SVC-32, SVC-33, docs/adr/0008):

* the office registers a paper application for registration as a job seeker and walks it to the
  signed notification in the person's cabinet; the portal offers no registration as unemployed
  and refuses a tampered request for it (SVC-20);
* a citizen of a region other than Karaganda requests a referral through the portal and the
  standard-190 regulation takes it through its five steps (specialist, sector head, head with
  EDS, specialist sends it) to the signed referral in the cabinet (SVC-33);
* the same referral service registered in Karaganda and in Akmola runs under each region's own
  regulation, in the office and on the portal (SVC-31 beside SVC-32/33).

Every page walked is also checked for UI text left in English (Russian is the default)."""

from __future__ import annotations

import re
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
    from labormarket.reference.models import Region

    from .conftest import Site

    PASSWORD: str
    KARAGANDA: str
    AKMOLA: str

    def user_with_role(role: str, **kw: object) -> User: ...
    def region(code: str = ...) -> Region: ...
    def OrganisationFactory(**kw: object) -> Organisation: ...  # noqa: N802
    def UserFactory(**kw: object) -> User: ...  # noqa: N802

else:
    from labormarket.accounts.tests.factories import (
        AKMOLA,
        KARAGANDA,
        PASSWORD,
        OrganisationFactory,
        UserFactory,
        region,
        user_with_role,
    )

pytestmark = pytest.mark.browser

KARAGANDA_REFERRAL = "active-measure-referral-karaganda-2017"
STANDARD_REFERRAL = "active-measure-referral-standard-190"
#: The acts the application page names (regulation.act), one per referral regulation.
KARAGANDA_ACT = "Постановление акимата Карагандинской области от 23 ноября 2017 года № 75/02"
STANDARD_ACT = "по стандарту, утверждённому приказом Министра труда"

#: Latin words that are not untranslated text: names of formats, products and this API.
LATIN_ALLOWED = {"PDF", "JPEG", "PNG", "API", "NCALayer", "QR", "SHA"}


#: These journeys render PDFs and check CMS signatures on the server at every other click; on a
#: loaded machine (the main suite running beside them) one such request can take longer than
#: the 10 s the other journeys allow, so actions and navigations here may wait this long.
PATIENT_MS = 30_000


@pytest.fixture(autouse=True)
def _patient(page: Page) -> None:
    page.set_default_timeout(PATIENT_MS)
    page.set_default_navigation_timeout(PATIENT_MS)


def follow(page: Page, action: Callable[[], object]) -> None:
    with page.expect_navigation():
        action()


def sign_out(page: Page) -> None:
    page.click("#user-menu")
    button = page.locator("form[action='/accounts/logout/'] button")
    expect(button).to_be_visible()
    follow(page, button.click)


def assert_russian(page: Page) -> None:
    """No UI text of the page is left in English: the navigation as shown, and all of the main
    content including closed forms and the options of selects (textContent)."""
    text = (
        page.locator("header .navbar-nav").inner_text()
        + " "
        + page.locator("main").evaluate("main => main.textContent")
    )
    text = re.sub(r"\b[A-Z]{2,4}-\d+\b", "", text)  # rule IDs (SVC-03, PRG-68)
    words = {w for w in re.findall(r"\b[A-Za-z][A-Za-z'’]+\b", text) if w not in LATIN_ALLOWED}
    assert not words, f"English words on {page.url}: {sorted(words)}"


def staff(centre: Any, role: str, last_name: str, first_name: str = "Айгуль") -> Any:
    user = UserFactory(iin=next_iin(date(1984, 2, 3)), last_name=last_name, first_name=first_name)
    Membership.objects.create(user=user, organisation=centre, role=role)
    return user


def citizen_of(region_code: str, last_name: str, first_name: str) -> Any:
    """A citizen with a portal account whose IIN is the person's (as signing in with EDS)."""
    user = user_with_role(
        Role.CITIZEN, region_code=region_code, last_name=last_name, first_name=first_name
    )
    user.iin = user.person.iin
    user.save(update_fields=["iin"])
    return user


def unemployed(person: Any, centre: Any, clerk: Any) -> None:
    """Registered as a job seeker and as unemployed: the personal record card is open."""
    from labormarket.registry import services as registry

    registry.person_register_job_seeker(actor=clerk, person_id=person.pk, organisation=centre)
    registry.person_register_unemployed(actor=clerk, person_id=person.pk, organisation=centre)


def demo_signer(settings: Any, tmp_path: Any, *users: Any) -> None:
    """The demo signer of a test PKI with a key for each of ``users`` (NCALayer does not run)."""
    subjects = [
        TestSubject(key=u.username, iin=u.iin or "", surname=u.last_name, given_name=u.first_name)
        for u in users
    ]
    make_test_pki(tmp_path / "pki", subjects)
    settings.SIGNATURES = {"VERIFIER": "local", "PKI_DIR": tmp_path / "pki"}
    settings.SIGNATURES_DEMO_SIGNER = True


def open_services(page: Page) -> None:
    """The navigation's "public services" item (the staff queue, or the citizen's cabinet)."""
    follow(page, lambda: page.click("header .navbar-nav a[href$='/services/']"))


def open_from_queue(page: Page, site: Site, application: Application) -> None:
    """Sign-in done: from the queue, open the application whose step is waiting."""
    open_services(page)
    expect(page.locator("main")).to_contain_text(application.number)
    assert_russian(page)
    follow(page, lambda: page.click(f"main a:has-text('{application.number}')"))
    expect(page.locator("h1")).to_contain_text(application.number)
    assert site.path_of(page) == f"/staff/services/applications/{application.pk}/"


def step_list(page: Page) -> list[str]:
    """The names of the steps as the application page lists them."""
    return [t.strip() for t in page.locator("main ol.list-group li .fw-semibold").all_inner_texts()]


def sign_with_eds(page: Page) -> None:
    """Click the EDS button; the demo signer signs and the form goes off by itself."""
    button = page.locator("[data-eds-sign]")
    expect(button).to_be_enabled()
    follow(page, button.click)


def test_office_job_seeker_registration_and_no_unemployed_registration_on_the_portal(
    page: Page, site: Site, settings: Any, tmp_path: Any
) -> None:
    """The office channel of "Registration of job seekers" (SVC-10, SVC-11): the clerk registers
    the paper application, the head appoints the executor, the executor drafts, the head signs
    with EDS, the clerk hands the notification over; the person is a job seeker and sees the
    signed notification in their cabinet. The portal does not offer registration as unemployed
    and refuses a request for it made by tampering with the form (SVC-20)."""
    centre = OrganisationFactory(
        kind=OrganisationKind.EMPLOYMENT_CENTRE, name="ЦЗН г. Караганды", region=region(KARAGANDA)
    )
    clerk = staff(centre, Role.CLERK, "Канцелярова")
    head = staff(centre, Role.CENTRE_HEAD, "Руководитель")
    specialist = staff(centre, Role.SPECIALIST, "Исполнителева")
    visitor = citizen_of(KARAGANDA, "Сериков", "Нурлан")
    person = visitor.person
    assert person.labour_status not in (LabourStatus.JOB_SEEKER, LabourStatus.UNEMPLOYED)
    demo_signer(settings, tmp_path, head, visitor)

    # 1. The clerk registers the paper application: the journal entry first (SVC-03, SVC-11 (1)).
    site.sign_in(page, clerk.username, PASSWORD)
    open_services(page)
    follow(page, lambda: page.click("main a[href='/staff/services/new/']"))
    assert_russian(page)
    page.select_option("#id_centre", str(centre.pk))
    page.select_option("#id_service", "job_seeker_registration")
    page.fill("#id_iin", person.iin)
    site.shot(page, "50-services-office-job-seeker-form-ru.png")
    follow(page, lambda: page.click("main form button[type=submit]"))
    application = Application.objects.get(person=person)
    assert application.channel.channel == "office"
    assert application.registered_by == clerk
    expect(page.locator("h1")).to_contain_text(application.number)
    expect(page.locator(".alert-success")).to_be_visible()
    assert_russian(page)
    site.shot(page, "51-services-office-job-seeker-registered-ru.png")
    sign_out(page)

    # 2. The head reviews it and appoints the executor (SVC-11 (2)).
    site.sign_in(page, head.username, PASSWORD)
    open_from_queue(page, site, application)
    assert_russian(page)
    page.select_option("#id_executor", str(specialist.pk))
    follow(page, lambda: page.click("#step-assign"))
    expect(page.locator(".alert-success")).to_be_visible()
    sign_out(page)

    # 3. The executor studies the documents and drafts the notification (SVC-11 (3)).
    site.sign_in(page, specialist.username, PASSWORD)
    open_from_queue(page, site, application)
    assert_russian(page)
    follow(page, lambda: page.click("#step-draft"))
    expect(page.locator(".alert-success")).to_be_visible()
    document = ResultDocument.objects.get(application=application)
    assert document.status == "draft"
    sign_out(page)

    # 4. The head signs the drafted PDF with EDS: the registration takes effect (SVC-11 (4)).
    site.sign_in(page, head.username, PASSWORD)
    open_from_queue(page, site, application)
    assert_russian(page)
    sign_with_eds(page)
    expect(page.locator(".alert-success")).to_be_visible()
    document.refresh_from_db()
    assert document.status == "signed"
    assert document.signature is not None
    assert document.signature.signer_iin == head.iin
    person.refresh_from_db()
    assert person.labour_status == LabourStatus.JOB_SEEKER
    sign_out(page)

    # 5. The clerk registers the signed notification and hands it over (SVC-11 (5)).
    site.sign_in(page, clerk.username, PASSWORD)
    open_from_queue(page, site, application)
    follow(page, lambda: page.click("#step-issue"))
    application.refresh_from_db()
    assert application.status == "completed"
    assert [s.ended_by_id for s in application.steps.order_by("position")] == [
        clerk.pk,
        head.pk,
        specialist.pk,
        head.pk,
        clerk.pk,
    ]
    expect(page.locator("main ol.list-group li .badge.text-bg-success")).to_have_count(5)
    assert_russian(page)
    site.shot(page, "52-services-office-job-seeker-completed-ru.png")
    sign_out(page)

    # 6. The person sees the signed notification in their cabinet.
    site.sign_in(page, visitor.username, PASSWORD)
    open_services(page)
    assert site.path_of(page) == "/cabinet/services/"
    expect(page.locator("main")).to_contain_text(application.number)
    expect(
        page.locator(f"a[href='/services/applications/{application.pk}/result.pdf']")
    ).to_be_visible()
    assert_russian(page)
    site.shot(page, "53-services-office-job-seeker-cabinet-ru.png")

    # 7. The portal offers the job-seeker registration and the referral, not the registration
    #    as unemployed (SVC-20) ...
    follow(page, lambda: page.click("main a[href='/cabinet/services/new/']"))
    offered = page.locator("#id_service option").evaluate_all("os => os.map(o => o.value)")
    assert "unemployed_registration" not in offered
    assert {"job_seeker_registration", "active_measure_referral"} <= set(offered)
    assert_russian(page)
    site.shot(page, "54-services-portal-no-unemployed-registration-ru.png")
    # ... and a request for it made by tampering with the form is refused, signed or not.
    page.locator("#id_service").evaluate(
        "select => select.add(new Option('Регистрация в качестве безработного',"
        " 'unemployed_registration'))"
    )
    page.select_option("#id_service", "unemployed_registration")
    page.select_option("#id_centre", str(centre.pk))
    scan = tmp_path / "udostoverenie.pdf"
    scan.write_bytes(b"%PDF-1.4\n% scan of the identity card\n")
    page.set_input_files("#id_files", str(scan))
    sign_with_eds(page)
    assert site.path_of(page) == "/cabinet/services/new/"
    expect(page.locator("#id_service-error")).to_be_visible()
    expect(page.locator("#id_service option[value='unemployed_registration']")).to_have_count(0)
    assert_russian(page)
    site.shot(page, "55-services-portal-unemployed-registration-refused-ru.png")
    assert Application.objects.filter(person=person).count() == 1
    person.refresh_from_db()
    assert person.labour_status == LabourStatus.JOB_SEEKER


def test_portal_referral_under_the_standard_regulation_outside_karaganda(
    page: Page, site: Site, settings: Any, tmp_path: Any
) -> None:
    """The portal channel of the standard-190 referral regulation (SVC-33) in Akmola region:
    (1) the citizen's request signed with EDS; (2) the specialist receives it, checks the
    personal record card and drafts the referral; (3) the head of the employment sector
    approves; (4) the head signs with EDS; (5) the specialist sends it to the cabinet. The
    application page names the regulation; the signed referral reaches the citizen's cabinet."""
    centre = OrganisationFactory(
        kind=OrganisationKind.EMPLOYMENT_CENTRE,
        name="ЦЗН г. Кокшетау",
        region=region(AKMOLA),
        address="г. Кокшетау, ул. Абая, 89",
    )
    specialist = staff(centre, Role.SPECIALIST, "Специалистова")
    sector_head = staff(centre, Role.SECTOR_HEAD, "Заведующая", "Сауле")
    head = staff(centre, Role.CENTRE_HEAD, "Руководитель", "Марат")
    citizen = citizen_of(AKMOLA, "Ахметова", "Динара")
    unemployed(citizen.person, centre, specialist)
    demo_signer(settings, tmp_path, head, citizen)
    scan = tmp_path / "udostoverenie.pdf"
    scan.write_bytes(b"%PDF-1.4\n% scan of the identity card\n")

    # 1. The citizen asks for a referral to youth practice and signs the request (SVC-05).
    site.sign_in(page, citizen.username, PASSWORD)
    open_services(page)
    follow(page, lambda: page.click("main a[href='/cabinet/services/new/']"))
    page.select_option("#id_service", "active_measure_referral")
    page.select_option("#id_centre", str(centre.pk))
    page.select_option("#id_requested_result", "referral_youth_practice")
    page.fill("#id_phone", "+77162254321")
    page.set_input_files("#id_files", str(scan))
    assert_russian(page)
    site.shot(page, "56-services-portal-referral-request-akmola-ru.png")
    sign_with_eds(page)
    assert site.path_of(page) == "/cabinet/services/"
    application = Application.objects.get(person=citizen.person)
    assert application.regulation.code == STANDARD_REFERRAL
    assert application.channel.channel == "portal"
    assert application.channel.term_working_days == 1
    assert application.request_signature is not None
    assert application.request_signature.signer_iin == citizen.iin
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("main")).to_contain_text(application.number)
    assert_russian(page)
    site.shot(page, "57-services-portal-referral-registered-akmola-ru.png")
    sign_out(page)

    # 2. A specialist takes the request from the queue, checks the record card, drafts.
    site.sign_in(page, specialist.username, PASSWORD)
    open_from_queue(page, site, application)
    main = page.locator("main")
    expect(main).to_contain_text(STANDARD_ACT)
    expect(main).not_to_contain_text(KARAGANDA_ACT)
    regulation_steps = [s.name for s in application.channel.steps.order_by("position")]
    assert len(regulation_steps) == 5
    # The page lists the steps reached so far: the signed request, then the specialist's.
    assert step_list(page) == regulation_steps[:2]
    expect(page.locator("main ol.list-group li.list-group-item-primary")).to_contain_text(
        "Специалист · норматив 300 мин"
    )
    expect(main).to_contain_text("открыта карточка персонального учёта")
    assert_russian(page)
    site.shot(page, "58-services-standard-portal-specialist-ru.png")
    follow(page, lambda: page.click("main button:has-text('Взять этап в работу')"))
    expect(page.locator("main ol.list-group li.list-group-item-primary")).to_contain_text(
        specialist.last_name
    )
    expect(page.locator("#id_requested_result")).to_have_value("referral_youth_practice")
    page.fill("#id_destination", "ГКП «Кокшетау Жылу» на ПХВ")
    page.fill("#id_details", "Молодёжная практика по специальности «теплотехник», 6 месяцев.")
    follow(page, lambda: page.click("#step-draft"))
    expect(page.locator(".alert-success")).to_be_visible()
    document = ResultDocument.objects.get(application=application)
    assert document.kind == "referral_youth_practice"
    assert document.status == "draft"
    assert_russian(page)
    sign_out(page)

    # 3. The head of the employment sector checks and approves (SVC-33 (3)).
    site.sign_in(page, sector_head.username, PASSWORD)
    open_from_queue(page, site, application)
    assert_russian(page)
    site.shot(page, "59-services-standard-portal-sector-head-ru.png")
    follow(page, lambda: page.click("#step-approve"))
    expect(page.locator(".alert-success")).to_be_visible()
    sign_out(page)

    # 4. The head signs the referral with EDS (SVC-33 (4)).
    site.sign_in(page, head.username, PASSWORD)
    open_from_queue(page, site, application)
    assert_russian(page)
    site.shot(page, "60-services-standard-portal-head-signs-ru.png")
    sign_with_eds(page)
    expect(page.locator(".alert-success")).to_be_visible()
    document.refresh_from_db()
    assert document.status == "signed"
    assert document.signature is not None
    assert document.signature.signer_iin == head.iin
    application.refresh_from_db()
    assert application.status == "in_progress"  # the specialist has yet to send it
    sign_out(page)

    # 5. The specialist sends the referral to the citizen's personal cabinet (SVC-33 (5)).
    site.sign_in(page, specialist.username, PASSWORD)
    open_from_queue(page, site, application)
    follow(page, lambda: page.click("#step-deliver"))
    expect(page.locator(".alert-success")).to_be_visible()
    application.refresh_from_db()
    assert application.status == "completed"
    steps = list(application.steps.select_related("regulation_step").order_by("position"))
    assert [s.regulation_step.role for s in steps] == [
        "recipient",
        "specialist",
        "sector_head",
        "centre_head",
        "specialist",
    ]
    assert [s.ended_by_id for s in steps] == [
        citizen.pk,
        specialist.pk,
        sector_head.pk,
        head.pk,
        specialist.pk,
    ]
    expect(page.locator("main ol.list-group li .badge.text-bg-success")).to_have_count(5)
    assert step_list(page) == regulation_steps
    expect(page.locator("main")).to_contain_text(STANDARD_ACT)
    assert_russian(page)
    site.shot(page, "61-services-standard-portal-completed-ru.png")
    sign_out(page)

    # 6. The signed referral is in the citizen's cabinet, and it is the centre's PDF.
    site.sign_in(page, citizen.username, PASSWORD)
    open_services(page)
    link = page.locator(f"a[href='/services/applications/{application.pk}/result.pdf']")
    expect(link).to_be_visible()
    expect(link).to_contain_text(document.get_kind_display())
    assert_russian(page)
    site.shot(page, "62-services-standard-portal-cabinet-result-ru.png")
    pdf = page.request.get(site.url(f"/services/applications/{application.pk}/result.pdf"))
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body() == bytes(document.pdf)


def test_each_region_uses_its_own_referral_regulation(
    page: Page, site: Site, settings: Any, tmp_path: Any
) -> None:
    """Both referral regulations side by side (SVC-31, SVC-32, SVC-33, docs/adr/0008): the
    same service registered in the office of a Karaganda centre goes to Karaganda's steps
    (clerk registers, the head appoints the executor, 5 / 20 min), in an Akmola centre to the
    standard's (the specialist receives and drafts, the sector head approves, 30 / 3 min); on
    the portal a Karaganda citizen gets Karaganda's portal steps, where the system delivers the
    result (an Akmola citizen's portal request: the test above)."""
    karaganda = OrganisationFactory(
        kind=OrganisationKind.EMPLOYMENT_CENTRE, name="ЦЗН г. Караганды", region=region(KARAGANDA)
    )
    akmola = OrganisationFactory(
        kind=OrganisationKind.EMPLOYMENT_CENTRE, name="ЦЗН г. Кокшетау", region=region(AKMOLA)
    )
    clerk = staff(karaganda, Role.CLERK, "Канцелярова")
    karaganda_specialist = staff(karaganda, Role.SPECIALIST, "Исполнителева")
    akmola_specialist = staff(akmola, Role.SPECIALIST, "Специалистова")
    karaganda_person = citizen_of(KARAGANDA, "Сериков", "Нурлан")
    karaganda_citizen = citizen_of(KARAGANDA, "Жумабаев", "Ерлан")
    akmola_person = citizen_of(AKMOLA, "Ахметова", "Динара")
    for user, centre, by in (
        (karaganda_person, karaganda, karaganda_specialist),
        (karaganda_citizen, karaganda, karaganda_specialist),
        (akmola_person, akmola, akmola_specialist),
    ):
        unemployed(user.person, centre, by)
    demo_signer(settings, tmp_path, karaganda_citizen)

    def register_in_office(actor: Any, person: Any) -> Application:
        site.sign_in(page, actor.username, PASSWORD)
        open_services(page)
        follow(page, lambda: page.click("main a[href='/staff/services/new/']"))
        page.select_option("#id_service", "active_measure_referral")
        page.fill("#id_iin", person.iin)
        page.select_option("#id_requested_result", "referral_public_works")
        follow(page, lambda: page.click("main form button[type=submit]"))
        application = Application.objects.get(person=person)
        expect(page.locator("h1")).to_contain_text(application.number)
        assert_russian(page)
        return application

    def minutes(page: Page) -> list[str]:
        return [
            t.rsplit("·", 1)[-1].strip()
            for t in page.locator(
                "main ol.list-group li .small.text-body-secondary"
            ).all_inner_texts()
        ]

    # 1. Karaganda, office: the clerk's registration is the first step (SVC-31).
    in_karaganda = register_in_office(clerk, karaganda_person.person)
    assert in_karaganda.regulation.code == KARAGANDA_REFERRAL
    main = page.locator("main")
    expect(main).to_contain_text(KARAGANDA_ACT)
    expect(main).not_to_contain_text(STANDARD_ACT)
    # Registered by the clerk, it waits for the head to appoint the executor (5 min).
    karaganda_steps = step_list(page)
    assert karaganda_steps == [
        "Регистрация документов и передача руководителю",
        "Рассмотрение документов и определение ответственного исполнителя",
    ]
    assert minutes(page) == ["норматив 2 мин", "норматив 5 мин"]
    expect(page.locator("main ol.list-group li.list-group-item-primary")).to_contain_text(
        "Руководитель центра"
    )
    site.shot(page, "63-services-referral-office-karaganda-ru.png")
    sign_out(page)

    # 2. Akmola, office: the specialist receives and drafts at once; no executor is appointed
    #    (SVC-32).
    in_akmola = register_in_office(akmola_specialist, akmola_person.person)
    assert in_akmola.regulation.code == STANDARD_REFERRAL
    expect(main).to_contain_text(STANDARD_ACT)
    expect(main).not_to_contain_text(KARAGANDA_ACT)
    akmola_steps = step_list(page)
    assert akmola_steps == [
        "Приём и сверка документов, информирование о предложениях, проверка карточки "
        "персонального учёта, оформление направления"
    ]
    assert minutes(page) == ["норматив 30 мин"]
    expect(page.locator("main ol.list-group li.list-group-item-primary")).to_contain_text(
        "Специалист"
    )
    assert not set(karaganda_steps) & set(akmola_steps)
    # The regulations behind the pages: the whole office step lists differ.
    assert [s.role for s in in_karaganda.channel.steps.order_by("position")] == [
        "clerk",
        "centre_head",
        "specialist",
        "centre_head",
        "clerk",
    ]
    assert [s.role for s in in_akmola.channel.steps.order_by("position")] == [
        "specialist",
        "sector_head",
        "centre_head",
        "specialist",
    ]
    # The registering specialist performs the first step: its draft form is on the page.
    expect(page.locator("#step-draft")).to_be_visible()
    site.shot(page, "64-services-referral-office-akmola-ru.png")
    sign_out(page)

    # 3. Karaganda, portal: Karaganda's portal steps; the system delivers the result (SVC-31).
    scan = tmp_path / "udostoverenie.pdf"
    scan.write_bytes(b"%PDF-1.4\n% scan of the identity card\n")
    site.sign_in(page, karaganda_citizen.username, PASSWORD)
    open_services(page)
    follow(page, lambda: page.click("main a[href='/cabinet/services/new/']"))
    page.select_option("#id_service", "active_measure_referral")
    page.select_option("#id_centre", str(karaganda.pk))
    page.select_option("#id_requested_result", "referral_employment")
    page.set_input_files("#id_files", str(scan))
    sign_with_eds(page)
    expect(page.locator(".alert-success")).to_be_visible()
    on_portal = Application.objects.get(person=karaganda_citizen.person)
    assert on_portal.regulation.code == KARAGANDA_REFERRAL
    assert on_portal.channel.channel == "portal"
    assert [s.role for s in on_portal.channel.steps.order_by("position")] == [
        "recipient",
        "centre_head",
        "specialist",
        "centre_head",
        "system",
    ]
    assert in_akmola.regulation.code == STANDARD_REFERRAL  # side by side, unchanged
    sign_out(page)

    # The Karaganda clerk sees the portal request beside the office one, with its steps.
    site.sign_in(page, clerk.username, PASSWORD)
    follow(page, lambda: page.goto(site.url(f"/staff/services/applications/{on_portal.pk}/")))
    expect(main).to_contain_text(KARAGANDA_ACT)
    # The signed request, then the head's review (Karaganda's portal steps, not SVC-33's).
    assert step_list(page) == [
        "Запрос, удостоверенный ЭЦП услугополучателя",
        "Рассмотрение запроса и определение ответственного исполнителя",
    ]
    assert minutes(page) == ["норматив 0 мин", "норматив 5 мин"]
    assert_russian(page)
    site.shot(page, "65-services-referral-portal-karaganda-ru.png")
