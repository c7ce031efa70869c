"""Writes of the public services: registering applications and performing their steps.

One function per transition. Each locks the application, checks that the step it performs is
the open one and that the actor holds the step's role in the providing centre, ends the step
with a conditional update (so two concurrent requests cannot both perform it, on SQLite too),
opens the next step with its stored deadline, and writes an event — all in one transaction.
What the law says happens at the end (registration as a job seeker or unemployed, the record
card, the result in the cabinet) happens in the same transaction as the step that causes it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from labormarket.accounts.choices import OrganisationKind
from labormarket.accounts.models import Organisation, User
from labormarket.core.calendar import add_working_minutes, deadline_at, working_minutes_between
from labormarket.core.errors import (
    ApplicationError,
    Conflict,
    FieldError,
    FieldErrors,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from labormarket.core.models import StoredSignature
from labormarket.registry.choices import LabourStatus
from labormarket.registry.models import Person

from . import policies
from .choices import (
    REFERRAL_KINDS,
    ApplicationStatus,
    Channel,
    DocumentStatus,
    ResultKind,
    ServiceCode,
    StepAction,
    StepRole,
    StepStatus,
)
from .models import (
    Application,
    ApplicationEvent,
    ApplicationStep,
    Attachment,
    JournalCounter,
    RefusalGround,
    RegulationChannel,
    RegulationStep,
    ResultDocument,
)
from .selectors import regulation_for, result_document_of, signing_role

#: Organisations that provide the services (SVC-01).
PROVIDER_KINDS = (OrganisationKind.EMPLOYMENT_CENTRE, OrganisationKind.CAREER_CENTRE)

#: Scans accepted with a portal request: PDF, JPEG, PNG, at most this many bytes each.
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
ATTACHMENT_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


# --- helpers ---------------------------------------------------------------------------------


def _event(application: Application, kind: str, actor: User | None, **payload: Any) -> None:
    ApplicationEvent.objects.create(
        application=application, kind=kind, actor=actor, payload=payload
    )


def _next_journal_number(centre: Organisation, moment: datetime) -> str:
    """The next number of the centre's journal for the year, taken in one atomic statement."""
    year = timezone.localtime(moment).year
    counter, _created = JournalCounter.objects.get_or_create(organisation=centre, year=year)
    JournalCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    counter.refresh_from_db(fields=["last_number"])
    region = centre.region.kato_code[:2] if centre.region_id else "00"
    return f"{region}-{centre.pk:04d}-{year}-{counter.last_number:06d}"


def _term_due_at(channel: RegulationChannel, registered_at: datetime) -> datetime:
    if channel.term_minutes is not None:
        return add_working_minutes(registered_at, channel.term_minutes)
    return deadline_at(registered_at, channel.term_working_days or 0)


def _open_step(
    application: Application,
    regulation_step: RegulationStep,
    started_at: datetime,
    assignee: User | None = None,
) -> ApplicationStep:
    return ApplicationStep.objects.create(
        application=application,
        regulation_step=regulation_step,
        position=regulation_step.position,
        assignee=assignee,
        started_at=started_at,
        due_at=add_working_minutes(started_at, regulation_step.duration_minutes),
    )


def _steps_of(application: Application) -> list[RegulationStep]:
    return list(application.channel.steps.order_by("position"))


def _locked_application(application_id: int) -> Application:
    application = (
        Application.objects.select_for_update()
        .select_related("centre", "centre__region", "person", "channel", "regulation")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise NotFound()
    return application


def application_get_for(user: User, application_id: int) -> Application:
    """The application if the user may see it: centre staff of its region, the administrator,
    or the recipient; otherwise "not found" alike for missing and not theirs."""
    application = (
        Application.objects.select_related(
            "centre", "centre__region", "person", "regulation", "channel"
        )
        .filter(pk=application_id)
        .first()
    )
    if application is None or not can_view_application(user, application):
        raise NotFound()
    return application


def can_view_application(user: User, application: Application) -> bool:
    if policies.application_view_scope(user).allows(application.centre.region_id):
        return True
    person = getattr(user, "person", None) if user.is_authenticated else None
    return person is not None and person.pk == application.person_id


@dataclass
class _Performing:
    application: Application
    step: ApplicationStep
    regulation_step: RegulationStep


def _begin(actor: User, application_id: int, action: str) -> _Performing:
    """Lock the application and check that the actor may perform its open ``action`` step."""
    application = _locked_application(application_id)
    if not can_view_application(actor, application):
        raise NotFound()
    step = (
        application.steps.select_related("regulation_step").filter(status=StepStatus.OPEN).first()
    )
    if application.status != ApplicationStatus.IN_PROGRESS or step is None:
        raise Conflict(
            code="application_closed",
            message=_("The application is already completed or refused."),
            rule="SVC-03",
        )
    if step.regulation_step.action != action:
        raise Conflict(
            code="step_not_open",
            message=_("This is not the application's current step; the current step is “%(step)s”.")
            % {"step": step.regulation_step.name},
            rule="SVC-03",
        )
    if not policies.can_perform(actor, step.regulation_step.role, application.centre_id):
        raise Forbidden(
            code="step_role",
            message=_("This step is performed by staff of %(centre)s with the role “%(role)s”.")
            % {
                "role": StepRole(step.regulation_step.role).label,
                "centre": application.centre.name,
            },
            rule="SVC-03",
        )
    if step.assignee_id is not None and step.assignee_id != actor.pk:
        raise Forbidden(
            code="step_assigned_to_other",
            message=_("This step is assigned to %(name)s.")
            % {"name": step.assignee.get_full_name() if step.assignee else ""},
            rule="SVC-03",
        )
    return _Performing(application, step, step.regulation_step)


def _end_step(
    performing: _Performing,
    actor: User | None,
    *,
    status: str = StepStatus.DONE,
    comment: str = "",
    now: datetime | None = None,
) -> datetime:
    """End the open step exactly once (conditional update) and record it."""
    moment = now or timezone.now()
    ended = ApplicationStep.objects.filter(pk=performing.step.pk, status=StepStatus.OPEN).update(
        status=status, ended_at=moment, ended_by=actor, comment=comment
    )
    if ended != 1:
        raise Conflict(
            code="step_already_done",
            message=_("Someone else has just performed this step."),
            rule="SVC-03",
        )
    _event(
        performing.application,
        "step_refused" if status == StepStatus.REFUSED else "step_done",
        actor,
        step=performing.regulation_step.code,
        position=performing.regulation_step.position,
        overdue=moment > performing.step.due_at,
    )
    return moment


def _advance(
    performing: _Performing, actor: User | None, moment: datetime, assignee: User | None = None
) -> ApplicationStep | None:
    """Open the step after the one just ended; the last step completes the application.
    Steps the system performs (delivery to the cabinet) are performed at once."""
    application = performing.application
    later = [s for s in _steps_of(application) if s.position > performing.regulation_step.position]
    if not later:
        Application.objects.filter(pk=application.pk).update(
            status=ApplicationStatus.COMPLETED, ended_at=moment
        )
        application.status = ApplicationStatus.COMPLETED
        application.ended_at = moment
        _event(application, "completed", actor, overdue=moment > application.due_at)
        return None
    following = later[0]
    if assignee is None and following.role == performing.regulation_step.role and actor:
        # The same role goes on (the specialist who drafted also hands over).
        assignee = actor if following.role != StepRole.CENTRE_HEAD else None
    step = _open_step(application, following, moment, assignee=assignee)
    if following.role == StepRole.SYSTEM:
        nested = _Performing(application, step, following)
        if following.action == StepAction.DELIVER:
            _deliver_to_cabinet(application)
        end = _end_step(nested, None, now=moment)
        return _advance(nested, None, end)
    return step


# --- registration of applications (SVC-03) ------------------------------------------------------


def _check_person_for_service(person: Person, service: str, channel: str) -> None:
    if service == ServiceCode.UNEMPLOYED_REGISTRATION and channel != Channel.OFFICE:
        raise ValidationFailed.single(
            "channel",
            "channel_not_available",
            _("Registration as unemployed is only available in the centre's office."),
            rule="SVC-20",
        )
    if service == ServiceCode.JOB_SEEKER_REGISTRATION and person.labour_status in (
        LabourStatus.JOB_SEEKER,
        LabourStatus.UNEMPLOYED,
    ):
        raise Conflict(
            code="already_registered",
            message=_("The person is already registered as a job seeker."),
            rule="SVC-10",
        )
    if service == ServiceCode.UNEMPLOYED_REGISTRATION:
        if person.labour_status == LabourStatus.UNEMPLOYED:
            raise Conflict(
                code="already_unemployed",
                message=_("The person is already registered as unemployed."),
                rule="SVC-22",
            )
        if person.labour_status != LabourStatus.JOB_SEEKER:
            raise Conflict(
                code="not_job_seeker",
                message=_(
                    "Only a person registered as a job seeker can be registered as unemployed: "
                    "register them as a job seeker first."
                ),
                rule="SVC-22",
            )
    open_application = Application.objects.filter(
        person=person, service=service, status=ApplicationStatus.IN_PROGRESS
    ).first()
    if open_application is not None:
        raise Conflict(
            code="application_in_progress",
            message=_("The person already has application %(number)s for this service in progress.")
            % {"number": open_application.number},
            rule="SVC-03",
        )


def _check_requested_result(regulation_results: Sequence[str], service: str, kind: str) -> str:
    if service != ServiceCode.ACTIVE_MEASURE_REFERRAL:
        return ""
    if kind not in REFERRAL_KINDS or kind not in regulation_results:
        raise ValidationFailed.single(
            "requested_result",
            "invalid_choice",
            _(
                "Choose the referral: for employment, to youth practice, to social jobs or to public works."
            ),
            rule="SVC-30",
        )
    return kind


@transaction.atomic
def application_register_office(
    *,
    actor: User,
    centre_id: int,
    person_id: int,
    service: str,
    requested_result: str = "",
    form_data: dict[str, Any] | None = None,
) -> Application:
    """Register a paper application brought to the office (SVC-02, SVC-03): the journal entry
    first, then the regulation's first step — performed at once when it is the clerk's
    registration, opened for the registering specialist when registration is part of it."""
    if service not in ServiceCode.values:
        raise ValidationFailed.single("service", "invalid_choice", _("Choose a service."))
    centre = Organisation.objects.select_related("region").filter(pk=centre_id).first()
    if centre is None or not policies.application_view_scope(actor).allows(centre.region_id):
        raise NotFound()
    person = Person.objects.select_for_update().filter(pk=person_id).first()
    if person is None or not policies.application_view_scope(actor).allows(person.region_id):
        raise ValidationFailed.single(
            "person", "not_found", _("No person with this IIN in your region's registry.")
        )
    regulation, channel = regulation_for(
        service=service, region=centre.region, on_date=timezone.localdate(), channel=Channel.OFFICE
    )
    first = channel.steps.order_by("position").first()
    assert first is not None  # the loader refuses a channel without steps
    if not policies.can_perform(actor, first.role, centre.pk):
        raise Forbidden(
            code="step_role",
            message=_(
                "Applications to %(centre)s are registered by staff with the role “%(role)s”."
            )
            % {"role": StepRole(first.role).label, "centre": centre.name},
            rule="SVC-03",
        )
    _check_person_for_service(person, service, Channel.OFFICE)
    kind = _check_requested_result(regulation.results, service, requested_result)
    now = timezone.now()
    application = Application.objects.create(
        number=_next_journal_number(centre, now),
        regulation=regulation,
        channel=channel,
        service=service,
        centre=centre,
        person=person,
        requested_result=kind,
        form_data=form_data or {},
        registered_at=now,
        registered_by=actor,
        due_at=_term_due_at(channel, now),
    )
    _event(application, "registered", actor, channel=Channel.OFFICE, number=application.number)
    step = _open_step(application, first, now, assignee=actor)
    if first.action == StepAction.REGISTER:
        performing = _Performing(application, step, first)
        moment = _end_step(performing, actor, now=now)
        _advance(performing, actor, moment)
    return application


def request_bytes(
    *,
    service: str,
    centre_id: int,
    iin: str,
    requested_result: str,
    form_data: dict[str, Any],
    attachment_digests: Sequence[str],
) -> bytes:
    """The exact bytes a portal request is signed over: a canonical JSON of what was asked,
    of whom, and the SHA-256 of every attached scan (SVC-05 (3))."""
    if service != ServiceCode.ACTIVE_MEASURE_REFERRAL:
        requested_result = ""  # as application_submit_portal records it
    document = {
        "attachments": sorted(attachment_digests),
        "centre": centre_id,
        "form": form_data,
        "iin": iin,
        "requested_result": requested_result,
        "service": service,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Upload:
    """A scanned document of a portal request."""

    kind: str
    name: str
    content: bytes


def _check_uploads(uploads: Sequence[Upload]) -> list[tuple[Upload, str, str]]:
    errors = FieldErrors()
    if not uploads:
        errors.add(
            "attachments",
            "required",
            _("Attach a scan of your identity document."),
            rule="SVC-05",
        )
    if len(uploads) > MAX_ATTACHMENTS:
        errors.add(
            "attachments",
            "too_many",
            ngettext("Attach at most %(n)d file.", "Attach at most %(n)d files.", MAX_ATTACHMENTS)
            % {"n": MAX_ATTACHMENTS},
        )
    checked = []
    for upload in uploads:
        content_type = next(
            (
                kind
                for magic, kind in ATTACHMENT_SIGNATURES.items()
                if upload.content.startswith(magic)
            ),
            None,
        )
        if not upload.content:
            errors.add("attachments", "empty", _("%(name)s is empty.") % {"name": upload.name})
        elif len(upload.content) > MAX_ATTACHMENT_BYTES:
            errors.add(
                "attachments",
                "too_large",
                _("%(name)s is larger than 10 MB.") % {"name": upload.name},
            )
        elif content_type is None:
            errors.add(
                "attachments",
                "file_type",
                _("%(name)s is not a PDF, JPEG or PNG file.") % {"name": upload.name},
            )
        else:
            checked.append((upload, content_type, hashlib.sha256(upload.content).hexdigest()))
    errors.raise_if_any()
    return checked


def signature_rejected(reasons: Sequence[str], messages: Sequence[str]) -> ApplicationError:
    """The motivated refusal of a portal request whose signature failed a check (SVC-05 (4))."""
    return ApplicationError(
        code="signature_rejected",
        message=_("The request is refused: the electronic signature did not pass the checks."),
        rule="SVC-05",
        fields={
            "signature": [
                FieldError(code=str(reason), message=str(message), rule="SVC-05")
                for reason, message in zip(reasons, messages, strict=True)
            ]
        },
        http_status=400,
    )


def store_signature(
    *, purpose: str, cms: bytes, content: bytes, result: Any, signed_by: User | None
) -> StoredSignature:
    return StoredSignature.objects.create(
        purpose=purpose,
        content_sha256=hashlib.sha256(content).hexdigest(),
        cms=cms,
        certificate=result.certificate_der,
        certificate_serial=result.certificate_serial,
        signer_iin=result.signer_iin or "",
        signer_bin=result.signer_bin or "",
        signer_name=result.signer_name,
        certificate_valid_from=result.valid_from,
        certificate_valid_to=result.valid_to,
        verifier=result.verifier,
        valid=result.valid,
        verification=result.as_dict(),
        verified_at=result.checked_at,
        signed_by=signed_by,
    )


def verify_or_refuse(*, cms: bytes, content: bytes, expected_iin: str | None) -> Any:
    """Verify an EDS signature over ``content``; a failed check raises the motivated refusal
    naming every failed check (certificate period, revocation, chain, key usage, IIN)."""
    from labormarket.core.signatures import get_verifier, reason_message

    result = get_verifier().verify(cms=cms, content=content, expected_iin=expected_iin)
    if not result.valid:
        raise signature_rejected(
            [str(reason) for reason in result.reasons],
            [str(reason_message(reason)) for reason in result.reasons],
        )
    return result


@transaction.atomic
def application_submit_portal(
    *,
    actor: User,
    centre_id: int,
    service: str,
    requested_result: str = "",
    form_data: dict[str, Any] | None = None,
    uploads: Sequence[Upload] = (),
    cms: bytes,
) -> Application:
    """A citizen's request through the portal (SVC-05): the signature is checked first (period,
    revocation, chain, key usage, IIN of the request = IIN of the certificate) and any failure
    is a motivated refusal with nothing registered; a good request is registered in the
    provider's journal and goes to the regulation's portal steps."""
    person = getattr(actor, "person", None)
    if person is None:
        raise Forbidden(
            code="no_person",
            message=_("Your account is not linked to a person: sign in with your IIN."),
        )
    if service not in ServiceCode.values:
        raise ValidationFailed.single("service", "invalid_choice", _("Choose a service."))
    centre = (
        Organisation.objects.select_related("region")
        .filter(pk=centre_id, kind__in=PROVIDER_KINDS, is_active=True)
        .first()
    )
    if centre is None:
        raise ValidationFailed.single("centre", "invalid_choice", _("Choose an employment centre."))
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_person_for_service(person, service, Channel.PORTAL)
    regulation, channel = regulation_for(
        service=service, region=centre.region, on_date=timezone.localdate(), channel=Channel.PORTAL
    )
    kind = _check_requested_result(regulation.results, service, requested_result)
    checked = _check_uploads(uploads)
    data = form_data or {}
    content = request_bytes(
        service=service,
        centre_id=centre.pk,
        iin=person.iin,
        requested_result=kind,
        form_data=data,
        attachment_digests=[digest for _u, _t, digest in checked],
    )
    result = verify_or_refuse(cms=cms, content=content, expected_iin=person.iin)
    now = timezone.now()
    signature = store_signature(
        purpose="service_request", cms=cms, content=content, result=result, signed_by=actor
    )
    application = Application.objects.create(
        number=_next_journal_number(centre, now),
        regulation=regulation,
        channel=channel,
        service=service,
        centre=centre,
        person=person,
        requested_result=kind,
        form_data=data,
        request_signature=signature,
        registered_at=now,
        registered_by=None,
        due_at=_term_due_at(channel, now),
    )
    for upload, content_type, digest in checked:
        attachment = Attachment(
            application=application,
            kind=upload.kind,
            original_name=upload.name[:255],
            content_type=content_type,
            size=len(upload.content),
            sha256=digest,
        )
        from django.core.files.base import ContentFile

        attachment.file.save(digest, ContentFile(upload.content), save=False)
        attachment.save()
    _event(application, "registered", actor, channel=Channel.PORTAL, number=application.number)
    first = channel.steps.order_by("position").first()
    assert first is not None
    step = _open_step(application, first, now)
    performing = _Performing(application, step, first)
    moment = _end_step(performing, actor, now=now)
    _advance(performing, actor, moment)
    return application


# --- the steps --------------------------------------------------------------------------------------


@transaction.atomic
def step_take(*, actor: User, application_id: int) -> ApplicationStep:
    """Take the application's open, unassigned step from the role's queue."""
    application = _locked_application(application_id)
    if not can_view_application(actor, application):
        raise NotFound()
    step = (
        application.steps.select_related("regulation_step").filter(status=StepStatus.OPEN).first()
    )
    if step is None:
        raise Conflict(code="application_closed", message=_("The application has no open step."))
    if not policies.can_perform(actor, step.regulation_step.role, application.centre_id):
        raise Forbidden(
            code="step_role",
            message=_("This step is performed by staff with the role “%(role)s”.")
            % {"role": StepRole(step.regulation_step.role).label},
            rule="SVC-03",
        )
    if step.assignee_id == actor.pk:
        return step  # already theirs: nothing to do
    taken = ApplicationStep.objects.filter(
        pk=step.pk, status=StepStatus.OPEN, assignee__isnull=True
    ).update(assignee=actor)
    if taken != 1 and step.assignee_id != actor.pk:
        raise Conflict(code="step_taken", message=_("Someone else has taken this step."))
    step.assignee = actor
    _event(application, "step_taken", actor, step=step.regulation_step.code)
    return step


@transaction.atomic
def step_assign_executor(*, actor: User, application_id: int, executor_id: int) -> ApplicationStep:
    """The head reviews the documents and appoints the responsible executor (SVC-11 (2))."""
    performing = _begin(actor, application_id, StepAction.ASSIGN)
    following = next(
        s
        for s in _steps_of(performing.application)
        if s.position > performing.regulation_step.position
    )
    executor = User.objects.filter(pk=executor_id, is_active=True).first()
    if executor is None or not policies.can_perform(
        executor, following.role, performing.application.centre_id
    ):
        raise ValidationFailed.single(
            "executor",
            "not_eligible",
            _("Choose an executor of this centre with the role “%(role)s”.")
            % {"role": StepRole(following.role).label},
            rule="SVC-03",
        )
    moment = _end_step(performing, actor)
    step = _advance(performing, actor, moment, assignee=executor)
    assert step is not None
    return step


def _result_kind(application: Application) -> str:
    if application.service == ServiceCode.JOB_SEEKER_REGISTRATION:
        return ResultKind.JOB_SEEKER_NOTIFICATION
    if application.service == ServiceCode.UNEMPLOYED_REGISTRATION:
        return ResultKind.UNEMPLOYED_NOTIFICATION
    return application.requested_result


def _check_before_result(application: Application) -> None:
    """What the executor checks before a result may be drafted (SVC-22, SVC-34)."""
    person = Person.objects.get(pk=application.person_id)
    if application.service == ServiceCode.UNEMPLOYED_REGISTRATION and (
        person.labour_status != LabourStatus.JOB_SEEKER
    ):
        raise Conflict(
            code="not_job_seeker",
            message=_(
                "The person is no longer registered as a job seeker: the application can only "
                "be refused."
            ),
            rule="SVC-22",
        )
    if application.service == ServiceCode.ACTIVE_MEASURE_REFERRAL and not has_open_record_card(
        person
    ):
        raise Conflict(
            code="no_record_card",
            message=_(
                "The person has no personal record card as unemployed: no referral can be "
                "issued, the application must be refused."
            ),
            rule="SVC-34",
        )


def has_open_record_card(person: Person) -> bool:
    return (
        person.labour_status == LabourStatus.UNEMPLOYED
        and person.record_cards.filter(closed_at__isnull=True).exists()
    )


@transaction.atomic
def step_draft_result(
    *,
    actor: User,
    application_id: int,
    requested_result: str = "",
    destination: str = "",
    details: str = "",
) -> ResultDocument:
    """The executor checks the documents (and the record card, SVC-32/33) and drafts the
    result: the document is rendered now, and these exact bytes are what the head signs."""
    performing = _begin(actor, application_id, StepAction.DRAFT)
    application = performing.application
    if application.service == ServiceCode.ACTIVE_MEASURE_REFERRAL and requested_result:
        kind = _check_requested_result(
            application.regulation.results, application.service, requested_result
        )
        if kind != application.requested_result:
            Application.objects.filter(pk=application.pk).update(requested_result=kind)
            application.requested_result = kind
    _check_before_result(application)
    from .documents import document_number, render_result_pdf, result_data

    now = timezone.now()
    document = ResultDocument(
        application=application,
        kind=_result_kind(application),
        number=document_number(application),
        verification_token=secrets.token_urlsafe(32),
        drafted_at=now,
        drafted_by=actor,
    )
    if application.service == ServiceCode.ACTIVE_MEASURE_REFERRAL and not destination.strip():
        raise ValidationFailed.single(
            "destination",
            "required",
            _("Name the employer or organisation the person is referred to."),
            rule="SVC-30",
        )
    document.data = result_data(
        application, document, destination=destination.strip()[:300], details=details.strip()[:2000]
    )
    document.pdf = render_result_pdf(document)
    document.pdf_sha256 = hashlib.sha256(document.pdf).hexdigest()
    document.save()
    moment = _end_step(performing, actor, now=now)
    _advance(performing, actor, moment)
    return document


@transaction.atomic
def step_approve(*, actor: User, application_id: int) -> ApplicationStep | None:
    """The head of the employment sector checks and approves the draft (SVC-32 (2))."""
    performing = _begin(actor, application_id, StepAction.APPROVE)
    moment = _end_step(performing, actor)
    return _advance(performing, actor, moment)


def _apply_result(application: Application, actor: User) -> None:
    """What the signed result means in the registry (SVC-10, SVC-22)."""
    from labormarket.registry import services as registry

    if application.service == ServiceCode.JOB_SEEKER_REGISTRATION:
        registry.person_register_job_seeker(
            actor=actor, person_id=application.person_id, organisation=application.centre
        )
    elif application.service == ServiceCode.UNEMPLOYED_REGISTRATION:
        registry.person_register_unemployed(
            actor=actor, person_id=application.person_id, organisation=application.centre
        )


@transaction.atomic
def step_sign_result(*, actor: User, application_id: int, cms: bytes) -> ResultDocument:
    """The head signs the drafted document with EDS: the signature must be over the document's
    exact bytes and made with the head's own certificate. The result takes effect."""
    performing = _begin(actor, application_id, StepAction.SIGN)
    application = performing.application
    document = (
        ResultDocument.objects.select_for_update()
        .filter(application=application)
        .exclude(kind=ResultKind.REFUSAL)
        .first()
    )
    if document is None or document.status != DocumentStatus.DRAFT:
        raise Conflict(code="no_draft", message=_("There is no drafted document to sign."))
    if application.service == ServiceCode.UNEMPLOYED_REGISTRATION or (
        application.service == ServiceCode.ACTIVE_MEASURE_REFERRAL
    ):
        _check_before_result(application)
    content = bytes(document.pdf)
    if not actor.iin:
        # Without the signer's own IIN the certificate could be anyone's.
        raise Forbidden(
            code="signer_without_iin",
            message=_("Your account has no IIN: the signature cannot be checked against you."),
            rule="SVC-05",
        )
    result = verify_or_refuse(cms=cms, content=content, expected_iin=actor.iin)
    signature = store_signature(
        purpose="service_result", cms=cms, content=content, result=result, signed_by=actor
    )
    now = timezone.now()
    document.status = DocumentStatus.SIGNED
    document.signature = signature
    document.signed_at = now
    document.signed_by = actor
    document.save(update_fields=["status", "signature", "signed_at", "signed_by"])
    _apply_result(application, actor)
    _event(application, "result_signed", actor, document=document.number)
    moment = _end_step(performing, actor, now=now)
    _advance(performing, actor, moment)
    return document


@transaction.atomic
def step_issue_result(*, actor: User, application_id: int) -> Application:
    """The clerk (or specialist) registers the signed result and hands it over (SVC-11 (5))."""
    performing = _begin(actor, application_id, StepAction.ISSUE)
    moment = _end_step(performing, actor)
    _event(performing.application, "result_issued", actor)
    _advance(performing, actor, moment)
    return performing.application


def _deliver_to_cabinet(application: Application) -> None:
    from labormarket.notifications.services import notify_person

    document = result_document_of(application)
    notify_person(
        person=application.person,
        kind="service_result",
        subject=_("Your application %(number)s: the result is ready")
        % {"number": application.number},
        body=_("%(document)s No. %(doc_number)s is in your personal cabinet.")
        % {
            "document": ResultKind(document.kind).label if document else "",
            "doc_number": document.number if document else "",
        },
    )
    _event(application, "result_delivered", None)


@transaction.atomic
def step_deliver_result(*, actor: User, application_id: int) -> Application:
    """The specialist sends the signed result to the recipient's personal cabinet (SVC-33 (5))."""
    performing = _begin(actor, application_id, StepAction.DELIVER)
    _deliver_to_cabinet(performing.application)
    moment = _end_step(performing, actor)
    _advance(performing, actor, moment)
    return performing.application


@transaction.atomic
def step_refuse(
    *, actor: User, application_id: int, ground_codes: Sequence[str], reasons: str
) -> Application:
    """End the application with a motivated refusal (SVC-04): grounds from the regulation and
    the reasons in words. Only steps the regulation lets end in a refusal can. The refusal is
    drafted as a document at once, for the authorised person to sign (``refusal_sign``)."""
    application = _locked_application(application_id)
    step = (
        application.steps.select_related("regulation_step").filter(status=StepStatus.OPEN).first()
    )
    action = step.regulation_step.action if step else ""
    performing = _begin(actor, application_id, action)
    if not performing.regulation_step.can_refuse:
        raise Conflict(
            code="step_cannot_refuse",
            message=_("This step cannot end in a refusal."),
            rule="SVC-04",
        )
    errors = FieldErrors()
    grounds = list(
        RefusalGround.objects.filter(regulation=application.regulation, code__in=set(ground_codes))
    )
    if not ground_codes or len(grounds) != len(set(ground_codes)):
        errors.add(
            "grounds",
            "invalid_choice",
            _("Choose the grounds of the refusal from the regulation."),
            rule="SVC-04",
        )
    if len(" ".join((reasons or "").split())) < 10:
        errors.add(
            "reasons",
            "required",
            _("Explain why the application is refused (at least 10 characters)."),
            rule="SVC-04",
        )
    errors.raise_if_any()
    now = timezone.now()
    _end_step(performing, actor, status=StepStatus.REFUSED, comment=reasons.strip(), now=now)
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.REFUSED, ended_at=now, refusal_reasons=reasons.strip()
    )
    application.refusal_grounds.set(grounds)
    # A result drafted before the refusal never takes effect: it stays, revoked, for the record.
    ResultDocument.objects.filter(application=application, status=DocumentStatus.DRAFT).exclude(
        kind=ResultKind.REFUSAL
    ).update(
        status=DocumentStatus.REVOKED,
        revoked_at=now,
        revoked_by=actor,
        revoke_reason=reasons.strip(),
    )
    application.status = ApplicationStatus.REFUSED
    application.ended_at = now
    application.refusal_reasons = reasons.strip()
    document = _draft_refusal(application, grounds, reasons.strip(), actor, now)
    _event(
        application,
        "refused",
        actor,
        grounds=[g.code for g in grounds],
        document=document.number,
    )
    return application


def _draft_refusal(
    application: Application,
    grounds: Sequence[RefusalGround],
    reasons: str,
    actor: User,
    now: datetime,
) -> ResultDocument:
    """The motivated refusal as a document (SVC-04): rendered now, in Kazakh and Russian, with
    the grounds in the regulation's words; the authorised person signs these exact bytes."""
    from .documents import document_number, refusal_data, render_result_pdf

    document = ResultDocument(
        application=application,
        kind=ResultKind.REFUSAL,
        number=document_number(application, refusal=True),
        verification_token=secrets.token_urlsafe(32),
        drafted_at=now,
        drafted_by=actor,
    )
    document.data = refusal_data(
        application,
        document,
        grounds=grounds,
        reasons=reasons,
        refused_by=actor,
        refused_at=now,
    )
    document.pdf = render_result_pdf(document)
    document.pdf_sha256 = hashlib.sha256(document.pdf).hexdigest()
    document.save()
    return document


@transaction.atomic
def refusal_sign(*, actor: User, application_id: int, cms: bytes) -> ResultDocument:
    """The provider's authorised person (the role of the regulation's signing step: the head)
    signs the motivated refusal with EDS, over its exact bytes and with their own certificate,
    as results are signed (SVC-04, SVC-05 (7)). A portal recipient then finds it in the
    personal cabinet."""
    application = _locked_application(application_id)
    if not can_view_application(actor, application):
        raise NotFound()
    role = signing_role(application)
    if not policies.can_perform(actor, role, application.centre_id):
        raise Forbidden(
            code="step_role",
            message=_("The refusal is signed by staff of %(centre)s with the role “%(role)s”.")
            % {"role": StepRole(role).label, "centre": application.centre.name},
            rule="SVC-05",
        )
    document = (
        ResultDocument.objects.select_for_update()
        .filter(application=application, kind=ResultKind.REFUSAL)
        .first()
    )
    if document is None or application.status != ApplicationStatus.REFUSED:
        raise Conflict(
            code="no_refusal",
            message=_("The application is not refused: there is no refusal to sign."),
            rule="SVC-04",
        )
    if document.status == DocumentStatus.SIGNED and document.signed_by_id == actor.pk:
        return document  # signed already: nothing to do
    if document.status != DocumentStatus.DRAFT:
        raise Conflict(code="no_draft", message=_("There is no drafted document to sign."))
    if not actor.iin:
        raise Forbidden(
            code="signer_without_iin",
            message=_("Your account has no IIN: the signature cannot be checked against you."),
            rule="SVC-05",
        )
    content = bytes(document.pdf)
    result = verify_or_refuse(cms=cms, content=content, expected_iin=actor.iin)
    signature = store_signature(
        purpose="service_refusal", cms=cms, content=content, result=result, signed_by=actor
    )
    now = timezone.now()
    signed = ResultDocument.objects.filter(pk=document.pk, status=DocumentStatus.DRAFT).update(
        status=DocumentStatus.SIGNED, signature=signature, signed_at=now, signed_by=actor
    )
    if signed != 1:
        raise Conflict(code="no_draft", message=_("There is no drafted document to sign."))
    document.refresh_from_db(fields=["status", "signature", "signed_at", "signed_by"])
    _event(application, "refusal_signed", actor, document=document.number)
    if application.channel.channel == Channel.PORTAL:
        from labormarket.notifications.services import notify_person

        notify_person(
            person=application.person,
            kind="service_refusal",
            subject=_("Your application %(number)s is refused") % {"number": application.number},
            body=_(
                "The motivated refusal No. %(doc_number)s is in your personal cabinet. "
                "Reasons: %(reasons)s"
            )
            % {"doc_number": document.number, "reasons": application.refusal_reasons},
        )
        _event(application, "refusal_delivered", None, document=document.number)
    return document


# --- overdue steps (SVC-03) ----------------------------------------------------------------------


def _centre_heads(centre_id: int) -> list[User]:
    """The users who head the centre (active members with the head's role)."""
    from labormarket.accounts.choices import Role

    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=centre_id,
            memberships__role=Role.CENTRE_HEAD,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def _notify_overdue(step: ApplicationStep, moment: datetime) -> int:
    """Claim the step's overdue notice with a conditional update and, if this run won it, tell
    the heads of the centre; one transaction, so a failed notice is retried by the next run."""
    from labormarket.notifications.services import notify_user

    with transaction.atomic():
        claimed = ApplicationStep.objects.filter(
            pk=step.pk,
            status=StepStatus.OPEN,
            due_at__lt=moment,
            overdue_notified_at__isnull=True,
        ).update(overdue_notified_at=moment)
        if claimed != 1:
            return 0  # done, or told of, meanwhile (another run)
        application = step.application
        performer = step.assignee.get_full_name() if step.assignee else ""
        late_by = working_minutes_between(step.due_at, moment)
        heads = _centre_heads(application.centre_id)
        for head in heads:
            notify_user(
                user=head,
                kind="service_step_overdue",
                subject=_("Application %(number)s: a step is overdue")
                % {"number": application.number},
                body=_(
                    "The step “%(step)s” of application %(number)s (%(service)s) was due at "
                    "%(due)s and is not done (SVC-03). Performer: %(performer)s."
                )
                % {
                    "step": step.regulation_step.name,
                    "number": application.number,
                    "service": ServiceCode(application.service).label,
                    "due": timezone.localtime(step.due_at).strftime("%d.%m.%Y %H:%M"),
                    "performer": performer or StepRole(step.regulation_step.role).label,
                },
            )
        _event(
            application,
            "overdue_notified",
            None,
            step=step.regulation_step.code,
            position=step.position,
            heads=[head.pk for head in heads],
            late_working_minutes=late_by,
        )
    return 1


def steps_notify_overdue(*, now: datetime | None = None, limit: int = 500) -> int:
    """Tell the head of the providing centre of every open step past its standard duration,
    exactly once per step (SVC-03): the step's ``overdue_notified_at`` is the stored marker, set
    by a conditional update, so concurrent or repeated runs never tell twice. Returns how many
    steps were reported. The periodic task runs this every minute."""
    moment = now or timezone.now()
    candidates = (
        ApplicationStep.objects.filter(
            status=StepStatus.OPEN, due_at__lt=moment, overdue_notified_at__isnull=True
        )
        .select_related("application", "regulation_step", "assignee")
        .order_by("due_at", "pk")[:limit]
    )
    reported = 0
    for step in candidates:
        with override(settings.LANGUAGE_CODE):
            reported += _notify_overdue(step, moment)
    return reported


@transaction.atomic
def document_revoke(*, actor: User, document_id: int, reason: str) -> ResultDocument:
    """The head revokes an issued document (it then shows as revoked on the verification page)."""
    document = (
        ResultDocument.objects.select_for_update()
        .select_related("application", "application__centre")
        .filter(pk=document_id)
        .first()
    )
    if document is None or not can_view_application(actor, document.application):
        raise NotFound()
    if not policies.can_perform(actor, StepRole.CENTRE_HEAD, document.application.centre_id):
        raise Forbidden(
            code="step_role", message=_("Documents are revoked by the head of the centre only.")
        )
    if document.status == DocumentStatus.REVOKED:
        return document
    if len(" ".join((reason or "").split())) < 10:
        raise ValidationFailed.single(
            "reason", "required", _("Say why the document is revoked (at least 10 characters).")
        )
    now = timezone.now()
    document.status = DocumentStatus.REVOKED
    document.revoked_at = now
    document.revoked_by = actor
    document.revoke_reason = reason.strip()
    document.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
    _event(document.application, "document_revoked", actor, document=document.number)
    return document
