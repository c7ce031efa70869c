"""Public-services demo data: a handful of applications in the demo centres, each at a different
point of its regulation, so that every role's queue, the head's overdue view, a signed result
and a signed motivated refusal are there to look at after ``make run``.

Everything goes through the services (the journal, the steps by role, the drafted PDFs, the EDS
signatures of the test PKI — the demo signers' keys are made as ``pki_init`` makes them), so the
data obeys the rules it shows. Each application is marked with its demo key in ``form_data``;
a second run finds the marks and creates nothing. Persons come from the demo registry in a fixed
order (IIN), so every run on the same data chooses the same ones; a key whose person is missing
(``seed_demo --persons 0``) is skipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from labormarket.accounts.models import Organisation, User
from labormarket.core.calendar import add_working_minutes, business_time_zone, is_working_day
from labormarket.registry.choices import LabourStatus
from labormarket.registry.models import LabourStatusChange, Person, PersonalRecordCard

from . import services
from .choices import ResultKind, ServiceCode
from .models import Application, ApplicationEvent, ApplicationStep, ResultDocument

#: The demo centres (BIN-keyed in accounts.demo) and their staff logins.
KARAGANDA_CENTRE = "kar.ec"
AKMOLA_CENTRE = "akm.ec"
SIGNERS = ("kar.head", "akm.head", "citizen")
DEMO_SCAN = b"%PDF-1.4\n% demo scan of an identity card\n%%EOF\n"


@dataclass
class ServicesDemoReport:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Context:
    centres: dict[str, Organisation]
    users: dict[str, User]


def _ensure_signing_keys(users: dict[str, User]) -> None:
    """Keys of the test PKI for the demo signers, exactly as ``pki_init`` issues them (which
    later keeps them and adds everyone else's)."""
    from labormarket.core.management.commands.pki_init import demo_subjects
    from labormarket.core.signatures.conf import pki_directory
    from labormarket.core.signatures.pki import make_test_pki

    wanted = {user.iin or "" for user in users.values()} | {
        person.iin for user in users.values() if (person := getattr(user, "person", None))
    }
    subjects = [subject for subject in demo_subjects() if subject.iin in wanted]
    make_test_pki(pki_directory(), subjects)


def _sign(user: User, content: bytes) -> bytes:
    from labormarket.core.signatures import demo_sign

    person = getattr(user, "person", None)
    iin: str = user.iin or (person.iin if person is not None else "")
    return demo_sign(content, iin=iin)


def _free_persons(region_id: int, status: str, *, card: bool = False) -> list[Person]:
    """Demo persons of the region in ``status`` with no service application yet, by IIN. A
    person who was never registered has no labour-status history (someone taken off the
    registers keeps theirs as it is)."""
    queryset = (
        Person.objects.filter(region_id=region_id, labour_status=status, user__isnull=True)
        .exclude(Exists(Application.objects.filter(person=OuterRef("pk"))))
        .order_by("iin")
    )
    if status == LabourStatus.NOT_REGISTERED:
        queryset = queryset.exclude(
            Exists(LabourStatusChange.objects.filter(person=OuterRef("pk")))
        )
    if card:
        queryset = queryset.filter(
            Exists(PersonalRecordCard.objects.filter(person=OuterRef("pk"), closed_at__isnull=True))
        )
    return list(queryset[:10])


def _office(
    context: _Context, key: str, centre: str, actor: str, person: Person, service: str, **kw: str
) -> Application:
    return services.application_register_office(
        actor=context.users[actor],
        centre_id=context.centres[centre].pk,
        person_id=person.pk,
        service=service,
        form_data={"demo": key},
        **kw,
    )


def _assign(context: _Context, application: Application, head: str, executor: str) -> None:
    services.step_assign_executor(
        actor=context.users[head],
        application_id=application.pk,
        executor_id=context.users[executor].pk,
    )


def _sign_result(context: _Context, application: Application, head: str) -> None:
    document = ResultDocument.objects.exclude(kind=ResultKind.REFUSAL).get(application=application)
    services.step_sign_result(
        actor=context.users[head],
        application_id=application.pk,
        cms=_sign(context.users[head], bytes(document.pdf)),
    )


def _previous_working_moment(now: datetime) -> datetime:
    """11:00 (Almaty) of the last working day before today."""
    zone = business_time_zone()
    day = now.astimezone(zone).date() - timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return datetime.combine(day, time(11, 0), tzinfo=zone)


def _backdate(application: Application, moment: datetime) -> None:
    """Move a just-registered application to ``moment``: every time shifts by the same amount
    and every deadline is computed again from the shifted start (working minutes), as if it
    had been registered then."""
    shift = application.registered_at - moment
    channel = application.channel
    Application.objects.filter(pk=application.pk).update(
        registered_at=moment, due_at=services._term_due_at(channel, moment)
    )
    for step in ApplicationStep.objects.select_related("regulation_step").filter(
        application=application
    ):
        started = step.started_at - shift
        ApplicationStep.objects.filter(pk=step.pk).update(
            started_at=started,
            ended_at=step.ended_at - shift if step.ended_at else None,
            due_at=add_working_minutes(started, step.regulation_step.duration_minutes),
        )
    for event in ApplicationEvent.objects.filter(application=application):
        ApplicationEvent.objects.filter(pk=event.pk).update(occurred_at=event.occurred_at - shift)


# --- the demo applications, by key ------------------------------------------------------------


def _at_head_assign(context: _Context, person: Person) -> None:
    """Karaganda, job-seeker registration: the clerk registered it; the head appoints."""
    _office(
        context,
        "kar-head-assign",
        KARAGANDA_CENTRE,
        "kar.clerk",
        person,
        ServiceCode.JOB_SEEKER_REGISTRATION,
    )


def _at_specialist_draft(context: _Context, person: Person) -> None:
    """Karaganda, job-seeker registration: assigned to the specialist, who drafts."""
    application = _office(
        context,
        "kar-specialist-draft",
        KARAGANDA_CENTRE,
        "kar.clerk",
        person,
        ServiceCode.JOB_SEEKER_REGISTRATION,
    )
    _assign(context, application, "kar.head", "kar.specialist")


def _at_head_sign(context: _Context, person: Person) -> None:
    """Karaganda, unemployed registration: drafted, waiting for the head's EDS."""
    application = _office(
        context,
        "kar-head-sign",
        KARAGANDA_CENTRE,
        "kar.clerk",
        person,
        ServiceCode.UNEMPLOYED_REGISTRATION,
    )
    _assign(context, application, "kar.head", "kar.specialist")
    services.step_draft_result(actor=context.users["kar.specialist"], application_id=application.pk)


def _at_clerk_issue(context: _Context, person: Person) -> None:
    """Karaganda, referral to public works (SVC-31): signed, the clerk hands it over."""
    application = _office(
        context,
        "kar-clerk-issue",
        KARAGANDA_CENTRE,
        "kar.clerk",
        person,
        ServiceCode.ACTIVE_MEASURE_REFERRAL,
        requested_result=ResultKind.REFERRAL_PUBLIC_WORKS,
    )
    _assign(context, application, "kar.head", "kar.specialist")
    services.step_draft_result(
        actor=context.users["kar.specialist"],
        application_id=application.pk,
        destination="ГУ «Отдел жилищно-коммунального хозяйства города Караганды»",
        details="Благоустройство территорий, 6 месяцев.",
    )
    _sign_result(context, application, "kar.head")


def _completed(context: _Context, person: Person) -> None:
    """Karaganda, job-seeker registration: signed and handed over (SVC-11 end to end)."""
    application = _office(
        context,
        "kar-completed",
        KARAGANDA_CENTRE,
        "kar.clerk",
        person,
        ServiceCode.JOB_SEEKER_REGISTRATION,
    )
    _assign(context, application, "kar.head", "kar.specialist")
    services.step_draft_result(actor=context.users["kar.specialist"], application_id=application.pk)
    _sign_result(context, application, "kar.head")
    services.step_issue_result(actor=context.users["kar.clerk"], application_id=application.pk)


def _overdue(context: _Context, person: Person) -> None:
    """Karaganda, job-seeker registration registered on the last working day and never
    drafted: the specialist's step is overdue (the head's overdue page; the periodic task
    tells the head once)."""
    application = _office(
        context,
        "kar-overdue",
        KARAGANDA_CENTRE,
        "kar.clerk",
        person,
        ServiceCode.JOB_SEEKER_REGISTRATION,
    )
    _assign(context, application, "kar.head", "kar.specialist")
    _backdate(application, _previous_working_moment(timezone.now()))


def _refused_portal(context: _Context, person: Person) -> None:
    """The demo citizen's portal request, refused with a signed motivated refusal (SVC-04,
    SVC-05) that waits in their cabinet."""
    citizen = context.users["citizen"]
    if person.labour_status == LabourStatus.NOT_REGISTERED:
        service, requested = ServiceCode.JOB_SEEKER_REGISTRATION, ""
    else:
        service, requested = ServiceCode.ACTIVE_MEASURE_REFERRAL, ResultKind.REFERRAL_EMPLOYMENT
    centre = context.centres[KARAGANDA_CENTRE]
    form = {"demo": "citizen-refused", "phone": "+77010000000"}
    content = services.request_bytes(
        service=service,
        centre_id=centre.pk,
        iin=person.iin,
        requested_result=requested,
        form_data=form,
        attachment_digests=[hashlib.sha256(DEMO_SCAN).hexdigest()],
    )
    application = services.application_submit_portal(
        actor=citizen,
        centre_id=centre.pk,
        service=service,
        requested_result=requested,
        form_data=form,
        uploads=[services.Upload("identity_document", "udostoverenie.pdf", DEMO_SCAN)],
        cms=_sign(citizen, content),
    )
    _assign(context, application, "kar.head", "kar.specialist")
    services.step_refuse(
        actor=context.users["kar.specialist"],
        application_id=application.pk,
        ground_codes=["documents-incomplete"],
        reasons=(
            "К запросу приложена только лицевая сторона удостоверения личности; "
            "приложите скан обеих сторон и подайте запрос снова."
        ),
    )
    document = ResultDocument.objects.get(application=application, kind=ResultKind.REFUSAL)
    services.refusal_sign(
        actor=context.users["kar.head"],
        application_id=application.pk,
        cms=_sign(context.users["kar.head"], bytes(document.pdf)),
    )


def _at_sector_head_approve(context: _Context, person: Person) -> None:
    """Akmola, referral for employment under standard 190 (SVC-32): the specialist drafted,
    the head of the employment sector approves."""
    application = _office(
        context,
        "akm-sector-head-approve",
        AKMOLA_CENTRE,
        "akm.specialist",
        person,
        ServiceCode.ACTIVE_MEASURE_REFERRAL,
        requested_result=ResultKind.REFERRAL_EMPLOYMENT,
    )
    services.step_draft_result(
        actor=context.users["akm.specialist"],
        application_id=application.pk,
        destination="ТОО «Көкше Агро»",
        details="Вакансия «Оператор линии», полная занятость.",
    )


@dataclass(frozen=True)
class _Plan:
    key: str
    centre: str
    status: str
    make: Callable[[_Context, Person], None]
    card: bool = False


PLANS = (
    _Plan("kar-head-assign", KARAGANDA_CENTRE, LabourStatus.NOT_REGISTERED, _at_head_assign),
    _Plan(
        "kar-specialist-draft", KARAGANDA_CENTRE, LabourStatus.NOT_REGISTERED, _at_specialist_draft
    ),
    _Plan("kar-head-sign", KARAGANDA_CENTRE, LabourStatus.JOB_SEEKER, _at_head_sign),
    _Plan("kar-clerk-issue", KARAGANDA_CENTRE, LabourStatus.UNEMPLOYED, _at_clerk_issue, card=True),
    _Plan("kar-completed", KARAGANDA_CENTRE, LabourStatus.NOT_REGISTERED, _completed),
    _Plan("kar-overdue", KARAGANDA_CENTRE, LabourStatus.NOT_REGISTERED, _overdue),
    _Plan(
        "akm-sector-head-approve",
        AKMOLA_CENTRE,
        LabourStatus.UNEMPLOYED,
        _at_sector_head_approve,
        card=True,
    ),
)


def seed_services_demo() -> ServicesDemoReport:
    """Create the missing demo applications (see the module docstring)."""
    from labormarket.accounts.demo import ORGANISATIONS, organisation_bin

    report = ServicesDemoReport()
    specs = {spec.key: spec for spec in ORGANISATIONS}
    centres = {
        key: Organisation.objects.filter(bin=organisation_bin(specs[key])).first()
        for key in (KARAGANDA_CENTRE, AKMOLA_CENTRE)
    }
    usernames = (
        "kar.clerk",
        "kar.specialist",
        "kar.head",
        "akm.specialist",
        "akm.sector_head",
        "akm.head",
        "citizen",
    )
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    if any(c is None for c in centres.values()) or len(users) != len(usernames):
        report.skipped.append("all: the demo centres and logins are missing")
        return report
    context = _Context(centres={k: v for k, v in centres.items() if v}, users=users)
    done = {
        str(key)
        for key in Application.objects.filter(form_data__has_key="demo").values_list(
            "form_data__demo", flat=True
        )
    }
    todo = [plan for plan in PLANS if plan.key not in done]
    citizen_todo = "citizen-refused" not in done
    report.existing = [plan.key for plan in PLANS if plan.key in done]
    if not citizen_todo:
        report.existing.append("citizen-refused")
    if not todo and not citizen_todo:
        return report
    _ensure_signing_keys({name: users[name] for name in SIGNERS})
    for plan in todo:
        region_id = context.centres[plan.centre].region_id
        assert region_id is not None
        candidates = _free_persons(region_id, plan.status, card=plan.card)
        if not candidates:
            report.skipped.append(f"{plan.key}: no free demo person ({plan.status})")
            continue
        with transaction.atomic():
            plan.make(context, candidates[0])
        report.created.append(plan.key)
    if citizen_todo:
        citizen = Person.objects.filter(user=users["citizen"]).first()
        busy = (
            citizen is not None
            and Application.objects.filter(person=citizen, status="in_progress").exists()
        )
        if citizen is None or busy:
            report.skipped.append("citizen-refused: the citizen has an application in progress")
        else:
            with transaction.atomic():
                _refused_portal(context, citizen)
            report.created.append("citizen-refused")
    return report


__all__ = ["PLANS", "ServicesDemoReport", "seed_services_demo"]
