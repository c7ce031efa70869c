"""The portal channel (SVC-05, SVC-33): the signed request, its checks, and the result in the
citizen's cabinet."""

from __future__ import annotations

import pytest

from labormarket.accounts.choices import Role
from labormarket.accounts.tests.factories import AKMOLA, KARAGANDA, region, user_with_role
from labormarket.core.calendar import deadline_at
from labormarket.core.errors import ApplicationError, Conflict, ValidationFailed
from labormarket.core.signatures import TestSubject
from labormarket.core.testing import next_iin
from labormarket.notifications.models import Notification
from labormarket.registry import services as registry
from labormarket.services import services
from labormarket.services.choices import (
    ApplicationStatus,
    ResultKind,
    ServiceCode,
    StepAction,
    StepStatus,
)
from labormarket.services.models import Application, Attachment

from .conftest import make_centre

pytestmark = pytest.mark.django_db

PDF_SCAN = b"%PDF-1.4\n% scan of the identity card\n"
PNG_SCAN = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def citizen_of(region_code: str):
    user = user_with_role(Role.CITIZEN, region_code=region_code)
    person = user.person
    user.iin = person.iin
    user.save(update_fields=["iin"])
    return user, person


def submit(
    user,
    centre,
    sign,
    *,
    service=ServiceCode.JOB_SEEKER_REGISTRATION,
    uploads=None,
    requested_result="",
    form=None,
    signer=None,
    cms=None,
    content_override=None,
):
    uploads = (
        [services.Upload("identity_document", "id.pdf", PDF_SCAN)] if uploads is None else uploads
    )
    form = form or {"phone": "+77011234567"}
    import hashlib

    content = content_override or services.request_bytes(
        service=service,
        centre_id=centre.organisation.pk,
        iin=user.person.iin,
        requested_result=requested_result,
        form_data=form,
        attachment_digests=[hashlib.sha256(u.content).hexdigest() for u in uploads],
    )
    if cms is None:
        cms = sign(signer or user, content)
    return services.application_submit_portal(
        actor=user,
        centre_id=centre.organisation.pk,
        service=service,
        requested_result=requested_result,
        form_data=form,
        uploads=uploads,
        cms=cms,
    )


def test_svc_05_a_signed_request_is_registered_and_goes_to_the_provider(sign):
    centre = make_centre(KARAGANDA)
    user, person = citizen_of(KARAGANDA)
    application = submit(user, centre, sign)

    assert application.channel.channel == "portal"
    assert application.registered_by is None
    assert application.request_signature.signer_iin == person.iin
    assert application.request_signature.valid is True
    assert list(
        Attachment.objects.filter(application=application).values_list("sha256", flat=True)
    ) == [__import__("hashlib").sha256(PDF_SCAN).hexdigest()]
    first = application.steps.get(position=1)
    assert (first.status, first.ended_by) == (StepStatus.DONE, user)
    step = application.steps.select_related("regulation_step").get(status=StepStatus.OPEN)
    assert (step.regulation_step.action, step.regulation_step.role) == (
        StepAction.ASSIGN,
        "centre_head",
    )


def test_svc_05_step_7_the_signed_result_reaches_the_cabinet(sign):
    centre = make_centre(KARAGANDA)
    user, person = citizen_of(KARAGANDA)
    application = submit(user, centre, sign)
    services.step_assign_executor(
        actor=centre.head, application_id=application.pk, executor_id=centre.specialist.pk
    )
    document = services.step_draft_result(actor=centre.specialist, application_id=application.pk)
    services.step_sign_result(
        actor=centre.head, application_id=application.pk, cms=sign(centre.head, bytes(document.pdf))
    )
    application.refresh_from_db()
    # Delivery to the cabinet is the system's step: done at once, and the application ends.
    assert application.status == ApplicationStatus.COMPLETED
    assert (
        Notification.objects.filter(person=person, kind="service_result", channel="cabinet").count()
        == 1
    )


def test_svc_33_portal_referral_in_the_other_region_within_one_working_day(sign):
    centre = make_centre(AKMOLA)
    user, person = citizen_of(AKMOLA)
    registry.person_register_job_seeker(
        actor=centre.specialist, person_id=person.pk, organisation=centre.organisation
    )
    registry.person_register_unemployed(
        actor=centre.specialist, person_id=person.pk, organisation=centre.organisation
    )
    application = submit(
        user,
        centre,
        sign,
        service=ServiceCode.ACTIVE_MEASURE_REFERRAL,
        requested_result=ResultKind.REFERRAL_YOUTH_PRACTICE,
    )
    assert application.regulation.code == "active-measure-referral-standard-190"
    assert application.due_at == deadline_at(application.registered_at, 1)
    services.step_take(actor=centre.specialist, application_id=application.pk)
    document = services.step_draft_result(
        actor=centre.specialist, application_id=application.pk, destination="ТОО «Кокше-Строй»"
    )
    services.step_approve(actor=centre.sector_head, application_id=application.pk)
    services.step_sign_result(
        actor=centre.head, application_id=application.pk, cms=sign(centre.head, bytes(document.pdf))
    )
    step = application.steps.select_related("regulation_step").get(status=StepStatus.OPEN)
    assert step.regulation_step.action == StepAction.DELIVER
    services.step_deliver_result(actor=centre.specialist, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETED
    assert Notification.objects.filter(person=person, kind="service_result").count() == 1


def test_svc_20_unemployed_registration_is_not_offered_through_the_portal(sign):
    centre = make_centre(KARAGANDA)
    user, _person = citizen_of(KARAGANDA)
    with pytest.raises(ValidationFailed) as caught:
        submit(user, centre, sign, service=ServiceCode.UNEMPLOYED_REGISTRATION)
    assert caught.value.fields["channel"][0].rule == "SVC-20"
    assert Application.objects.count() == 0


def test_svc_05_a_request_without_scans_is_refused(sign):
    centre = make_centre(KARAGANDA)
    user, _person = citizen_of(KARAGANDA)
    with pytest.raises(ValidationFailed) as caught:
        submit(user, centre, sign, uploads=[])
    assert [(e.code, e.rule) for e in caught.value.fields["attachments"]] == [
        ("required", "SVC-05")
    ]
    assert Application.objects.count() == 0


def test_a_scan_that_is_not_a_pdf_or_an_image_is_refused(sign):
    centre = make_centre(KARAGANDA)
    user, _person = citizen_of(KARAGANDA)
    uploads = [
        services.Upload("identity_document", "id.png", PNG_SCAN),
        services.Upload("identity_document", "virus.exe", b"MZ\x90\x00"),
    ]
    with pytest.raises(ValidationFailed) as caught:
        submit(user, centre, sign, uploads=uploads)
    assert [e.code for e in caught.value.fields["attachments"]] == ["file_type"]
    assert (Application.objects.count(), Attachment.objects.count()) == (0, 0)


def pem_crl(der: bytes) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    return x509.load_der_x509_crl(der).public_bytes(serialization.Encoding.PEM)


def _rejected(caught) -> list[str]:
    assert (caught.value.code, caught.value.rule, caught.value.http_status) == (
        "signature_rejected",
        "SVC-05",
        400,
    )
    return [e.code for e in caught.value.fields["signature"]]


def test_svc_05_a_request_signed_with_another_persons_certificate_is_refused(sign):
    centre = make_centre(KARAGANDA)
    user, _person = citizen_of(KARAGANDA)
    other, _ = citizen_of(KARAGANDA)
    with pytest.raises(ApplicationError) as caught:
        submit(user, centre, sign, signer=other)
    assert _rejected(caught) == ["signer_iin_mismatch"]
    assert Application.objects.count() == 0


def test_svc_05_a_request_signed_over_other_bytes_is_refused(sign):
    centre = make_centre(KARAGANDA)
    user, _person = citizen_of(KARAGANDA)
    with pytest.raises(ApplicationError) as caught:
        submit(user, centre, sign, content_override=b'{"service":"something else"}')
    assert _rejected(caught) == ["content_mismatch"]
    assert Application.objects.count() == 0


def test_svc_05_a_revoked_certificate_is_refused(pki):
    centre = make_centre(KARAGANDA)
    user, person = citizen_of(KARAGANDA)
    issued = pki.issue(
        TestSubject(key=f"r{person.iin}", iin=person.iin, surname="X", given_name="Y"), save=True
    )
    crl_file = pki.directory / "intermediate-ca.crl.pem"
    good_crl = crl_file.read_bytes()
    crl_file.write_bytes(pem_crl(pki.make_crl([issued.certificate.serial_number])))
    try:
        # demo_sign refuses a revoked key, so sign with the key directly.
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.serialization import pkcs7

        def signer(_who, content):
            return (
                pkcs7.PKCS7SignatureBuilder()
                .set_data(content)
                .add_signer(issued.certificate, issued.private_key, hashes.SHA256())
                .add_certificate(pki.intermediate.certificate)
                .sign(
                    serialization.Encoding.DER,
                    [pkcs7.PKCS7Options.Binary, pkcs7.PKCS7Options.DetachedSignature],
                )
            )

        with pytest.raises(ApplicationError) as caught:
            submit(user, centre, signer)
        assert _rejected(caught) == ["certificate_revoked"]
        assert Application.objects.count() == 0
    finally:
        crl_file.write_bytes(good_crl)


def test_a_user_without_a_person_cannot_use_the_portal(sign):
    centre = make_centre(KARAGANDA)
    from labormarket.accounts.tests.factories import UserFactory

    stranger = UserFactory(iin=next_iin())
    with pytest.raises(services.Forbidden):
        services.application_submit_portal(
            actor=stranger,
            centre_id=centre.organisation.pk,
            service=ServiceCode.JOB_SEEKER_REGISTRATION,
            uploads=[services.Upload("identity_document", "id.pdf", PDF_SCAN)],
            cms=b"",
        )
    assert Application.objects.count() == 0


def test_svc_10_a_registered_job_seeker_cannot_ask_again(sign):
    centre = make_centre(KARAGANDA)
    user, person = citizen_of(KARAGANDA)
    registry.person_register_job_seeker(
        actor=centre.specialist, person_id=person.pk, organisation=centre.organisation
    )
    with pytest.raises(Conflict) as caught:
        submit(user, centre, sign)
    assert caught.value.rule == "SVC-10"


def test_svc_01_the_provider_must_be_an_employment_centre(sign):
    centre = make_centre(KARAGANDA)
    user, _ = citizen_of(KARAGANDA)
    centre.organisation.kind = "employer"
    centre.organisation.save(update_fields=["kind"])
    with pytest.raises(ValidationFailed) as caught:
        submit(user, centre, sign)
    assert caught.value.fields["centre"][0].code == "invalid_choice"
    assert region(KARAGANDA)  # the region itself is fine
