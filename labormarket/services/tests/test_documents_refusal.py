"""The motivated refusal as a document (SVC-04): drafted when the application is refused, in
Kazakh and Russian with the regulation's grounds and the reasons in words, signed with EDS by
the provider's authorised person as results are (SVC-05 (7)), shown in the citizen's cabinet and
on the office's application page, and verifiable on the public page."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from labormarket.accounts.tests.factories import AKMOLA, KARAGANDA
from labormarket.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from labormarket.core.models import StoredSignature
from labormarket.notifications.models import Notification
from labormarket.services import services
from labormarket.services.choices import (
    ApplicationStatus,
    DocumentStatus,
    ResultKind,
    ServiceCode,
)
from labormarket.services.documents import render_document_html
from labormarket.services.models import Application, RefusalGround, ResultDocument

from .conftest import make_centre
from .test_services_portal import citizen_of, submit

pytestmark = pytest.mark.django_db

API = "/api/v1/services"
REASONS = "Данные удостоверения личности не совпадают с данными ГБД ФЛ."


def office_refused(centre, person) -> Application:
    """An office job-seeker application (Karaganda) refused by the executor at the draft step."""
    application = services.application_register_office(
        actor=centre.clerk,
        centre_id=centre.organisation.pk,
        person_id=person.pk,
        service=ServiceCode.JOB_SEEKER_REGISTRATION,
    )
    services.step_assign_executor(
        actor=centre.head, application_id=application.pk, executor_id=centre.specialist.pk
    )
    return services.step_refuse(
        actor=centre.specialist,
        application_id=application.pk,
        ground_codes=["unreliable-documents"],
        reasons=REASONS,
    )


def refusal_of(application: Application) -> ResultDocument:
    return ResultDocument.objects.get(application=application, kind=ResultKind.REFUSAL)


def state(application: Application) -> tuple:
    document = refusal_of(application)
    return (
        document.status,
        document.signature_id,
        document.signed_at,
        StoredSignature.objects.count(),
        list(application.events.values_list("kind", flat=True)),
        Notification.objects.count(),
    )


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_svc_04_the_office_refusal_is_drafted_with_the_grounds_and_reasons(karaganda, person):
    application = office_refused(karaganda, person)

    document = refusal_of(application)
    ground = RefusalGround.objects.get(
        regulation=application.regulation, code="unreliable-documents"
    )
    assert (document.number, document.status, document.drafted_by) == (
        f"RF-{application.number}",
        DocumentStatus.DRAFT,
        karaganda.specialist,
    )
    assert bytes(document.pdf).startswith(b"%PDF-")
    assert document.pdf_sha256 == hashlib.sha256(bytes(document.pdf)).hexdigest()
    assert document.data["grounds"] == [
        {
            "code": "unreliable-documents",
            "rule": "SVC-04",
            "ru": ground.name_ru,
            "kk": ground.name_kk,
        }
    ]
    assert (document.data["reasons"], document.data["application"]) == (
        REASONS,
        application.number,
    )
    assert document.data["title"] == {"kk": "Дәлелді бас тарту", "ru": "Мотивированный отказ"}

    # What the PDF says: the service, the application, both languages' grounds, the reasons and
    # the verification address of the QR code (pypdf is not installed: the HTML it is made from).
    html = render_document_html(document)
    for text in (
        application.regulation.title_ru,
        application.regulation.title_kk,
        application.number,
        ground.name_ru,
        ground.name_kk,
        REASONS,
        "Бас тарту негіздері",
        "Основания отказа",
        "Причины отказа",
        f"/verify/{document.verification_token}/",
        "data:image/svg+xml",
    ):
        assert text in html, text
    # A draft has not left the centre: the public page does not know it yet.
    assert Client().get(f"/verify/{document.verification_token}/").status_code == 404


def test_svc_04_svc_05_the_head_signs_the_office_refusal_and_it_is_verifiable(
    karaganda, person, sign
):
    application = office_refused(karaganda, person)
    document = refusal_of(application)
    pdf = bytes(document.pdf)

    signed = services.refusal_sign(
        actor=karaganda.head, application_id=application.pk, cms=sign(karaganda.head, pdf)
    )

    assert (signed.status, signed.signed_by) == (DocumentStatus.SIGNED, karaganda.head)
    signature = signed.signature
    assert signature is not None
    assert (signature.purpose, signature.valid, signature.signer_iin) == (
        "service_refusal",
        True,
        karaganda.head.iin,
    )
    assert signature.content_sha256 == document.pdf_sha256
    assert list(application.events.values_list("kind", flat=True))[-2:] == [
        "refused",
        "refusal_signed",
    ]

    # The public page: genuine and in force, the recipient by surname and initials, no IIN.
    page = Client().get(f"/verify/{document.verification_token}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Мотивированный отказ" in text
    assert document.number in text
    assert person.iin not in text
    compared = Client().post(
        f"/verify/{document.verification_token}/",
        {"file": SimpleUploadedFile("refusal.pdf", pdf, content_type="application/pdf")},
    )
    assert "Файл в точности совпадает с документом, выданным центром." in compared.content.decode()
    body = APIClient().get(f"{API}/documents/{document.verification_token}/verification/").json()
    assert (body["status"], body["kind"], body["number"], body["pdf_sha256"]) == (
        "signed",
        "refusal",
        document.number,
        document.pdf_sha256,
    )

    # The office's application page shows it, with its PDF.
    office = logged_in(karaganda.clerk)
    page = office.get(f"/staff/services/applications/{application.pk}/")
    assert document.number in page.content.decode()
    pdf_response = office.get(f"/services/applications/{application.pk}/refusal.pdf")
    assert (pdf_response.status_code, pdf_response.content) == (200, pdf)
    # There is no result document: its URL answers "not found".
    assert office.get(f"/services/applications/{application.pk}/result.pdf").status_code == 404


def test_svc_04_svc_05_a_portal_refusal_reaches_the_cabinet_once_signed(sign):
    centre = make_centre(KARAGANDA)
    user, person = citizen_of(KARAGANDA)
    application = submit(user, centre, sign)
    services.step_assign_executor(
        actor=centre.head, application_id=application.pk, executor_id=centre.specialist.pk
    )
    services.step_refuse(
        actor=centre.specialist,
        application_id=application.pk,
        ground_codes=["documents-incomplete"],
        reasons="К запросу приложена только первая страница удостоверения личности.",
    )
    document = refusal_of(application)
    citizen = logged_in(user)
    url = f"/services/applications/{application.pk}/refusal.pdf"
    # Not signed yet: the citizen neither gets the PDF nor a message.
    assert citizen.get(url).status_code == 404
    assert Notification.objects.filter(person=person, kind="service_refusal").count() == 0
    assert "RF-" not in citizen.get("/cabinet/services/").content.decode()

    services.refusal_sign(
        actor=centre.head, application_id=application.pk, cms=sign(centre.head, bytes(document.pdf))
    )

    assert (
        Notification.objects.filter(
            person=person, kind="service_refusal", channel="cabinet"
        ).count()
        == 1
    )
    message = Notification.objects.get(person=person, kind="service_refusal", channel="cabinet")
    assert document.number in message.body
    cabinet = citizen.get("/cabinet/services/").content.decode()
    assert url in cabinet
    response = citizen.get(url)
    assert (response.status_code, response.content) == (200, bytes(document.pdf))
    html = render_document_html(document)
    ground = RefusalGround.objects.get(
        regulation=application.regulation, code="documents-incomplete"
    )
    assert ground.name_ru in html
    assert ground.name_kk in html
    assert Client().get(f"/verify/{document.verification_token}/").status_code == 200


def test_svc_04_svc_32_a_refusal_after_the_draft_revokes_the_draft_and_keeps_it(akmola, sign):
    """Standard-190 (SVC-32): the sector head refuses the referral the specialist drafted; the
    draft stays, revoked, beside the refusal, which the head then signs."""
    from labormarket.registry import services as registry
    from labormarket.registry.tests.factories import PersonFactory

    person = PersonFactory(region=akmola.organisation.region)
    registry.person_register_job_seeker(
        actor=akmola.specialist, person_id=person.pk, organisation=akmola.organisation
    )
    registry.person_register_unemployed(
        actor=akmola.specialist, person_id=person.pk, organisation=akmola.organisation
    )
    application = services.application_register_office(
        actor=akmola.specialist,
        centre_id=akmola.organisation.pk,
        person_id=person.pk,
        service=ServiceCode.ACTIVE_MEASURE_REFERRAL,
        requested_result=ResultKind.REFERRAL_PUBLIC_WORKS,
    )
    draft = services.step_draft_result(
        actor=akmola.specialist, application_id=application.pk, destination="ГКП «Көкше Су»"
    )
    services.step_refuse(
        actor=akmola.sector_head,
        application_id=application.pk,
        ground_codes=["no-record-card", "unreliable-documents"],
        reasons="Карточка персонального учёта закрыта до оформления направления.",
    )

    kinds = dict(
        ResultDocument.objects.filter(application=application).values_list("kind", "status")
    )
    assert kinds == {
        ResultKind.REFERRAL_PUBLIC_WORKS: DocumentStatus.REVOKED,
        ResultKind.REFUSAL: DocumentStatus.DRAFT,
    }
    refusal = refusal_of(application)
    # In the regulation's order, whatever order they were chosen in.
    assert [g["code"] for g in refusal.data["grounds"]] == [
        "unreliable-documents",
        "no-record-card",
    ]
    # The head's queue lists the refusal to sign; the sector head's does not.
    assert (
        str(application.number) in logged_in(akmola.head).get("/staff/services/").content.decode()
    )
    assert application.number not in (
        logged_in(akmola.sector_head).get("/staff/services/").content.decode()
    )
    # The signing page gives the head the refusal's bytes, not the revoked draft's.
    bytes_response = logged_in(akmola.head).get(
        f"/staff/services/applications/{application.pk}/signing-bytes/"
    )
    assert base64.b64decode(bytes_response.json()["data"]) == bytes(refusal.pdf)
    assert bytes(refusal.pdf) != bytes(draft.pdf)

    cms = base64.b64encode(sign(akmola.head, bytes(refusal.pdf))).decode()
    response = logged_in(akmola.head).post(
        f"/staff/services/applications/{application.pk}/sign-refusal/", {"cms": cms}
    )
    assert response.status_code == 302
    refusal.refresh_from_db()
    assert refusal.status == DocumentStatus.SIGNED
    assert application.number not in (
        logged_in(akmola.head).get("/staff/services/").content.decode()
    )


def test_svc_05_only_the_head_signs_the_refusal_and_nothing_changes_otherwise(
    karaganda, akmola, person, sign
):
    application = office_refused(karaganda, person)
    pdf = bytes(refusal_of(application).pdf)
    before = state(application)

    with pytest.raises(Forbidden) as caught:
        services.refusal_sign(
            actor=karaganda.specialist,
            application_id=application.pk,
            cms=sign(karaganda.specialist, pdf),
        )
    assert (caught.value.code, caught.value.rule) == ("step_role", "SVC-05")
    with pytest.raises(NotFound):
        services.refusal_sign(
            actor=akmola.head, application_id=application.pk, cms=sign(akmola.head, pdf)
        )
    # The head's call with the specialist's certificate, and a signature over other bytes.
    with pytest.raises(ApplicationError) as caught:
        services.refusal_sign(
            actor=karaganda.head, application_id=application.pk, cms=sign(karaganda.specialist, pdf)
        )
    assert (caught.value.code, caught.value.rule) == ("signature_rejected", "SVC-05")
    with pytest.raises(ApplicationError) as caught:
        services.refusal_sign(
            actor=karaganda.head,
            application_id=application.pk,
            cms=sign(karaganda.head, pdf + b"changed"),
        )
    assert caught.value.code == "signature_rejected"
    assert state(application) == before

    first = services.refusal_sign(
        actor=karaganda.head, application_id=application.pk, cms=sign(karaganda.head, pdf)
    )
    after = state(application)
    again = services.refusal_sign(
        actor=karaganda.head, application_id=application.pk, cms=sign(karaganda.head, pdf)
    )
    assert (again.pk, again.signature_id) == (first.pk, first.signature_id)
    assert state(application) == after


def test_svc_04_there_is_no_refusal_to_sign_before_a_refusal(karaganda, person, sign):
    application = services.application_register_office(
        actor=karaganda.clerk,
        centre_id=karaganda.organisation.pk,
        person_id=person.pk,
        service=ServiceCode.JOB_SEEKER_REGISTRATION,
    )
    with pytest.raises(Conflict) as caught:
        services.refusal_sign(
            actor=karaganda.head, application_id=application.pk, cms=sign(karaganda.head, b"x")
        )
    assert (caught.value.code, caught.value.rule) == ("no_refusal", "SVC-04")
    assert ResultDocument.objects.filter(application=application).count() == 0
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.IN_PROGRESS


def test_svc_04_the_api_signs_the_refusal_and_serves_its_pdf(karaganda, person, sign):
    application = office_refused(karaganda, person)
    document = refusal_of(application)
    head = APIClient()
    head.force_authenticate(karaganda.head)

    detail = head.get(f"{API}/applications/{application.pk}/").json()
    assert (detail["result"], detail["refusal_document"]["status"]) == (None, "draft")
    denied = APIClient()
    denied.force_authenticate(karaganda.clerk)
    response = denied.post(
        f"{API}/applications/{application.pk}/refusal/sign/",
        {"cms": base64.b64encode(sign(karaganda.clerk, bytes(document.pdf))).decode()},
        format="json",
    )
    assert (response.status_code, response.json()["error"]["code"]) == (403, "step_role")

    response = head.post(
        f"{API}/applications/{application.pk}/refusal/sign/",
        {"cms": base64.b64encode(sign(karaganda.head, bytes(document.pdf))).decode()},
        format="json",
    )
    assert response.status_code == 200, response.json()
    refusal = response.json()["refusal_document"]
    assert (refusal["kind"], refusal["number"], refusal["status"]) == (
        "refusal",
        document.number,
        "signed",
    )
    assert refusal["verification_url"].endswith(f"/verify/{document.verification_token}/")
    pdf = head.get(f"{API}/applications/{application.pk}/refusal.pdf")
    assert (pdf.status_code, pdf["Content-Type"], pdf.content) == (
        200,
        "application/pdf",
        bytes(document.pdf),
    )


def test_svc_04_an_akmola_portal_referral_refused_for_want_of_a_record_card(sign):
    """SVC-33/SVC-34 through the portal: no record card, the refusal names that ground."""
    centre = make_centre(AKMOLA)
    user, _person = citizen_of(AKMOLA)
    application = submit(
        user,
        centre,
        sign,
        service=ServiceCode.ACTIVE_MEASURE_REFERRAL,
        requested_result=ResultKind.REFERRAL_EMPLOYMENT,
    )
    services.step_refuse(
        actor=centre.specialist,
        application_id=application.pk,
        ground_codes=["no-record-card"],
        reasons="Лицо не зарегистрировано в качестве безработного.",
    )
    document = refusal_of(application)
    services.refusal_sign(
        actor=centre.head, application_id=application.pk, cms=sign(centre.head, bytes(document.pdf))
    )
    html = render_document_html(document)
    assert "Отсутствует карточка персонального учёта в качестве безработного" in html
    assert "Жұмыссыз ретінде дербес есепке алу карточкасы жоқ" in html
    assert [g["rule"] for g in document.data["grounds"]] == ["SVC-34"]
