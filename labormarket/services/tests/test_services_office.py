"""The office channel (SVC-02, SVC-03): the journal, the steps by role, results and refusals."""

from __future__ import annotations

import hashlib

import pytest

from labormarket.core.errors import Conflict, Forbidden, ValidationFailed
from labormarket.core.models import StoredSignature
from labormarket.registry.choices import LabourStatus
from labormarket.registry.models import PersonalRecordCard
from labormarket.registry.tests.factories import PersonFactory
from labormarket.services import services
from labormarket.services.choices import (
    ApplicationStatus,
    DocumentStatus,
    ResultKind,
    ServiceCode,
    StepAction,
    StepStatus,
)
from labormarket.services.models import Application, ApplicationStep, ResultDocument

pytestmark = pytest.mark.django_db


def register(centre, person, service=ServiceCode.JOB_SEEKER_REGISTRATION, actor=None, **kw):
    return services.application_register_office(
        actor=actor or centre.clerk,
        centre_id=centre.organisation.pk,
        person_id=person.pk,
        service=service,
        **kw,
    )


def open_step(application) -> ApplicationStep:
    return application.steps.select_related("regulation_step").get(status=StepStatus.OPEN)


def snapshot(application_id: int) -> tuple:
    application = Application.objects.get(pk=application_id)
    return (
        application.status,
        list(application.steps.values_list("position", "status", "assignee_id", "ended_at")),
        list(ResultDocument.objects.filter(application=application).values_list("status", "pk")),
        StoredSignature.objects.count(),
        application.events.count(),
    )


def test_svc_03_svc_11_job_seeker_registration_through_the_office_end_to_end(
    karaganda, person, sign
):
    application = register(karaganda, person)

    # SVC-03: the journal entry comes first, with a number, date and time.
    assert application.number.startswith(f"35-{karaganda.organisation.pk:04d}-")
    assert application.number.endswith("-000001")
    assert application.registered_by == karaganda.clerk
    assert list(application.events.values_list("kind", flat=True)) == ["registered", "step_done"]
    first = application.steps.get(position=1)
    assert (first.status, first.ended_by) == (StepStatus.DONE, karaganda.clerk)

    # (2) the head appoints the executor.
    step = open_step(application)
    assert (step.regulation_step.action, step.assignee) == (StepAction.ASSIGN, None)
    drafted = services.step_assign_executor(
        actor=karaganda.head, application_id=application.pk, executor_id=karaganda.specialist.pk
    )
    assert drafted.assignee == karaganda.specialist

    # (3) the executor drafts the result: the PDF is rendered now.
    document = services.step_draft_result(actor=karaganda.specialist, application_id=application.pk)
    assert document.kind == ResultKind.JOB_SEEKER_NOTIFICATION
    assert bytes(document.pdf).startswith(b"%PDF-")
    assert document.pdf_sha256 == hashlib.sha256(bytes(document.pdf)).hexdigest()
    assert document.status == DocumentStatus.DRAFT
    person.refresh_from_db()
    assert person.labour_status == LabourStatus.NOT_REGISTERED

    # (4) the head signs those exact bytes with their own EDS; the registration takes effect.
    cms = sign(karaganda.head, bytes(document.pdf))
    signed = services.step_sign_result(actor=karaganda.head, application_id=application.pk, cms=cms)
    assert signed.status == DocumentStatus.SIGNED
    assert signed.signature.content_sha256 == document.pdf_sha256
    assert signed.signature.signer_iin == karaganda.head.iin
    assert signed.signature.valid is True
    person.refresh_from_db()
    assert person.labour_status == LabourStatus.JOB_SEEKER

    # (5) the clerk hands it over: the application is completed.
    services.step_issue_result(actor=karaganda.clerk, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETED
    assert application.steps.filter(status=StepStatus.DONE).count() == 5
    assert application.steps.filter(ended_at__isnull=True).count() == 0


def test_svc_03_journal_numbers_follow_each_other(karaganda):
    numbers = [register(karaganda, PersonFactory()).number[-6:] for _ in range(3)]
    assert numbers == ["000001", "000002", "000003"]


def test_svc_22_unemployed_registration_of_a_person_not_registered_as_job_seeker_is_refused(
    karaganda, person
):
    with pytest.raises(Conflict) as caught:
        register(karaganda, person, service=ServiceCode.UNEMPLOYED_REGISTRATION)
    assert (caught.value.code, caught.value.rule, caught.value.http_status) == (
        "not_job_seeker",
        "SVC-22",
        409,
    )
    assert Application.objects.count() == 0


def test_svc_21_svc_22_unemployed_registration_opens_the_personal_record_card(
    karaganda, job_seeker, sign
):
    application = register(karaganda, job_seeker, service=ServiceCode.UNEMPLOYED_REGISTRATION)
    services.step_assign_executor(
        actor=karaganda.head, application_id=application.pk, executor_id=karaganda.specialist.pk
    )
    document = services.step_draft_result(actor=karaganda.specialist, application_id=application.pk)
    assert document.kind == ResultKind.UNEMPLOYED_NOTIFICATION
    services.step_sign_result(
        actor=karaganda.head,
        application_id=application.pk,
        cms=sign(karaganda.head, bytes(document.pdf)),
    )
    job_seeker.refresh_from_db()
    assert job_seeker.labour_status == LabourStatus.UNEMPLOYED
    assert PersonalRecordCard.objects.filter(person=job_seeker, closed_at__isnull=True).count() == 1


def _unemployed(centre):
    from labormarket.registry import services as registry

    person = PersonFactory(region=centre.organisation.region)
    registry.person_register_job_seeker(
        actor=centre.specialist, person_id=person.pk, organisation=centre.organisation
    )
    registry.person_register_unemployed(
        actor=centre.specialist, person_id=person.pk, organisation=centre.organisation
    )
    return person


def test_svc_30_svc_31_karaganda_referral_to_social_jobs(karaganda, sign):
    person = _unemployed(karaganda)
    application = register(
        karaganda,
        person,
        service=ServiceCode.ACTIVE_MEASURE_REFERRAL,
        requested_result=ResultKind.REFERRAL_SOCIAL_JOBS,
    )
    assert application.regulation.code == "active-measure-referral-karaganda-2017"
    services.step_assign_executor(
        actor=karaganda.head, application_id=application.pk, executor_id=karaganda.specialist.pk
    )
    document = services.step_draft_result(
        actor=karaganda.specialist,
        application_id=application.pk,
        destination="ТОО «Карагандинский литейный завод»",
    )
    assert document.kind == ResultKind.REFERRAL_SOCIAL_JOBS
    assert document.number.startswith("RS-")
    assert document.data["record_card"] == person.record_cards.get().number
    services.step_sign_result(
        actor=karaganda.head,
        application_id=application.pk,
        cms=sign(karaganda.head, bytes(document.pdf)),
    )
    services.step_issue_result(actor=karaganda.clerk, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETED


def test_svc_30_a_referral_names_one_of_the_four_documents(karaganda):
    person = _unemployed(karaganda)
    with pytest.raises(ValidationFailed) as caught:
        register(
            karaganda,
            person,
            service=ServiceCode.ACTIVE_MEASURE_REFERRAL,
            requested_result=ResultKind.JOB_SEEKER_NOTIFICATION,
        )
    assert caught.value.fields["requested_result"][0].rule == "SVC-30"
    assert Application.objects.count() == 0


def test_svc_32_other_region_referral_specialist_sector_head_head(akmola, sign):
    person = _unemployed(akmola)
    application = register(
        akmola,
        person,
        actor=akmola.specialist,
        service=ServiceCode.ACTIVE_MEASURE_REFERRAL,
        requested_result=ResultKind.REFERRAL_PUBLIC_WORKS,
    )
    assert application.regulation.code == "active-measure-referral-standard-190"
    step = open_step(application)
    assert (step.position, step.regulation_step.action, step.assignee) == (
        1,
        StepAction.DRAFT,
        akmola.specialist,
    )
    document = services.step_draft_result(
        actor=akmola.specialist, application_id=application.pk, destination="Акимат г. Кокшетау"
    )
    services.step_approve(actor=akmola.sector_head, application_id=application.pk)
    services.step_sign_result(
        actor=akmola.head, application_id=application.pk, cms=sign(akmola.head, bytes(document.pdf))
    )
    services.step_issue_result(actor=akmola.specialist, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETED
    assert [
        s.regulation_step.role for s in application.steps.select_related("regulation_step")
    ] == [
        "specialist",
        "sector_head",
        "centre_head",
        "specialist",
    ]


def test_svc_32_clerk_cannot_register_where_the_specialist_receives_documents(akmola):
    person = _unemployed(akmola)
    with pytest.raises(Forbidden) as caught:
        register(
            akmola,
            person,
            actor=akmola.clerk,
            service=ServiceCode.ACTIVE_MEASURE_REFERRAL,
            requested_result=ResultKind.REFERRAL_EMPLOYMENT,
        )
    assert (caught.value.code, caught.value.rule) == ("step_role", "SVC-03")
    assert Application.objects.count() == 0


def test_svc_34_no_referral_without_a_personal_record_card(karaganda, job_seeker):
    application = register(
        karaganda,
        job_seeker,
        service=ServiceCode.ACTIVE_MEASURE_REFERRAL,
        requested_result=ResultKind.REFERRAL_EMPLOYMENT,
    )
    services.step_assign_executor(
        actor=karaganda.head, application_id=application.pk, executor_id=karaganda.specialist.pk
    )
    before = snapshot(application.pk)
    with pytest.raises(Conflict) as caught:
        services.step_draft_result(
            actor=karaganda.specialist, application_id=application.pk, destination="ТОО «Арман»"
        )
    assert (caught.value.code, caught.value.rule) == ("no_record_card", "SVC-34")
    assert snapshot(application.pk) == before

    refused = services.step_refuse(
        actor=karaganda.specialist,
        application_id=application.pk,
        ground_codes=["no-record-card"],
        reasons="Карточка персонального учёта в качестве безработного отсутствует.",
    )
    assert refused.status == ApplicationStatus.REFUSED
    assert list(refused.refusal_grounds.values_list("rule", flat=True)) == ["SVC-34"]
    # No referral, only the motivated refusal (drafted, for the head to sign).
    assert list(
        ResultDocument.objects.filter(application=application).values_list("kind", "status")
    ) == [(ResultKind.REFUSAL, DocumentStatus.DRAFT)]


def test_svc_03_a_step_by_someone_without_its_role_is_forbidden_and_changes_nothing(
    karaganda, person
):
    application = register(karaganda, person)
    before = snapshot(application.pk)
    with pytest.raises(Forbidden) as caught:
        services.step_assign_executor(
            actor=karaganda.clerk,
            application_id=application.pk,
            executor_id=karaganda.specialist.pk,
        )
    assert (caught.value.code, caught.value.rule, caught.value.http_status) == (
        "step_role",
        "SVC-03",
        403,
    )
    assert snapshot(application.pk) == before


def test_svc_03_a_step_assigned_to_another_executor_is_theirs(karaganda, person):
    from labormarket.accounts.choices import Role

    from .conftest import staff

    other = staff(karaganda.organisation, Role.SPECIALIST)
    application = register(karaganda, person)
    services.step_assign_executor(
        actor=karaganda.head, application_id=application.pk, executor_id=karaganda.specialist.pk
    )
    before = snapshot(application.pk)
    with pytest.raises(Forbidden) as caught:
        services.step_draft_result(actor=other, application_id=application.pk)
    assert caught.value.code == "step_assigned_to_other"
    assert snapshot(application.pk) == before


def test_svc_03_a_step_done_twice_is_a_conflict(karaganda, person):
    application = register(karaganda, person)
    services.step_assign_executor(
        actor=karaganda.head, application_id=application.pk, executor_id=karaganda.specialist.pk
    )
    before = snapshot(application.pk)
    with pytest.raises(Conflict) as caught:
        services.step_assign_executor(
            actor=karaganda.head,
            application_id=application.pk,
            executor_id=karaganda.specialist.pk,
        )
    assert (caught.value.code, caught.value.http_status) == ("step_not_open", 409)
    assert snapshot(application.pk) == before


def test_the_executor_must_hold_the_next_steps_role(karaganda, person):
    application = register(karaganda, person)
    before = snapshot(application.pk)
    with pytest.raises(ValidationFailed) as caught:
        services.step_assign_executor(
            actor=karaganda.head, application_id=application.pk, executor_id=karaganda.clerk.pk
        )
    assert caught.value.fields["executor"][0].code == "not_eligible"
    assert snapshot(application.pk) == before


def _drafted(centre, person):
    application = register(centre, person)
    services.step_assign_executor(
        actor=centre.head, application_id=application.pk, executor_id=centre.specialist.pk
    )
    document = services.step_draft_result(actor=centre.specialist, application_id=application.pk)
    return application, document


def test_svc_05_the_result_signed_with_someone_elses_certificate_is_refused(
    karaganda, person, sign
):
    application, document = _drafted(karaganda, person)
    before = snapshot(application.pk)
    with pytest.raises(services.ApplicationError) as caught:
        services.step_sign_result(
            actor=karaganda.head,
            application_id=application.pk,
            cms=sign(karaganda.specialist, bytes(document.pdf)),
        )
    assert caught.value.code == "signature_rejected"
    assert [e.code for e in caught.value.fields["signature"]] == ["signer_iin_mismatch"]
    assert snapshot(application.pk) == before
    person.refresh_from_db()
    assert person.labour_status == LabourStatus.NOT_REGISTERED


def test_a_signature_over_other_bytes_is_refused(karaganda, person, sign):
    application, document = _drafted(karaganda, person)
    before = snapshot(application.pk)
    tampered = bytes(document.pdf).replace(b"%PDF-", b"%PDF-  ", 1)
    with pytest.raises(services.ApplicationError) as caught:
        services.step_sign_result(
            actor=karaganda.head, application_id=application.pk, cms=sign(karaganda.head, tampered)
        )
    assert [e.code for e in caught.value.fields["signature"]] == ["content_mismatch"]
    assert snapshot(application.pk) == before


def test_garbage_instead_of_a_signature_is_refused(karaganda, person, pki):
    application, _document = _drafted(karaganda, person)
    before = snapshot(application.pk)
    with pytest.raises(services.ApplicationError) as caught:
        services.step_sign_result(
            actor=karaganda.head, application_id=application.pk, cms=b"not a signature"
        )
    assert [e.code for e in caught.value.fields["signature"]] == ["signature_malformed"]
    assert snapshot(application.pk) == before


def test_svc_04_a_refusal_needs_grounds_of_the_regulation_and_reasons(karaganda, person):
    application = register(karaganda, person)
    services.step_assign_executor(
        actor=karaganda.head, application_id=application.pk, executor_id=karaganda.specialist.pk
    )
    before = snapshot(application.pk)
    with pytest.raises(ValidationFailed) as caught:
        services.step_refuse(
            actor=karaganda.specialist,
            application_id=application.pk,
            ground_codes=["made-up"],
            reasons="нет",
        )
    assert sorted(caught.value.fields) == ["grounds", "reasons"]
    assert {e.rule for errors in caught.value.fields.values() for e in errors} == {"SVC-04"}
    assert snapshot(application.pk) == before

    refused = services.step_refuse(
        actor=karaganda.specialist,
        application_id=application.pk,
        ground_codes=["unreliable-documents"],
        reasons="Данные удостоверения личности не совпадают с данными ГБД ФЛ.",
    )
    assert refused.status == ApplicationStatus.REFUSED
    assert refused.refusal_reasons == "Данные удостоверения личности не совпадают с данными ГБД ФЛ."


def test_svc_04_a_step_that_cannot_refuse_does_not(karaganda, person):
    application = register(karaganda, person)
    before = snapshot(application.pk)
    with pytest.raises(Conflict) as caught:
        services.step_refuse(
            actor=karaganda.head,
            application_id=application.pk,
            ground_codes=["unreliable-documents"],
            reasons="Данные не подтверждены.",
        )
    assert (caught.value.code, caught.value.rule) == ("step_cannot_refuse", "SVC-04")
    assert snapshot(application.pk) == before


def test_svc_10_an_already_registered_job_seeker_cannot_apply_again(karaganda, job_seeker):
    with pytest.raises(Conflict) as caught:
        register(karaganda, job_seeker)
    assert (caught.value.code, caught.value.rule) == ("already_registered", "SVC-10")


def test_one_application_per_service_in_progress(karaganda, person):
    first = register(karaganda, person)
    with pytest.raises(Conflict) as caught:
        register(karaganda, person)
    assert caught.value.code == "application_in_progress"
    assert Application.objects.filter(person=person).count() == 1
    assert first.number in caught.value.message


def test_svc_01_staff_of_another_region_cannot_register_for_this_centre(karaganda, akmola, person):
    with pytest.raises(services.NotFound):
        register(karaganda, person, actor=akmola.clerk)
    assert Application.objects.count() == 0


def test_svc_05_a_head_without_an_iin_cannot_sign(karaganda, person, sign, akmola):
    application, document = _drafted(karaganda, person)
    karaganda.head.iin = None
    karaganda.head.save(update_fields=["iin"])
    before = snapshot(application.pk)
    with pytest.raises(Forbidden) as caught:
        services.step_sign_result(
            actor=karaganda.head,
            application_id=application.pk,
            cms=sign(akmola.head, bytes(document.pdf)),
        )
    assert (caught.value.code, caught.value.rule) == ("signer_without_iin", "SVC-05")
    assert snapshot(application.pk) == before


def test_taking_a_step_twice_is_a_no_op(karaganda, person):
    application = register(karaganda, person)
    services.step_take(actor=karaganda.head, application_id=application.pk)
    events = application.events.count()
    services.step_take(actor=karaganda.head, application_id=application.pk)
    assert application.events.count() == events
