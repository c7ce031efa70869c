"""Reads of the public services: which regulation applies, queues, overdue work, the journal,
the documents. The pages (views.py) and the API (apis.py) both read through these."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from labormarket.accounts.models import User
from labormarket.core.errors import Conflict
from labormarket.reference.models import Region

from . import policies
from .choices import ApplicationStatus, DocumentStatus, ResultKind, StepAction, StepRole, StepStatus
from .models import Application, ApplicationStep, Regulation, RegulationChannel, ResultDocument


def regulations_in_force(on_date: date | None = None) -> QuerySet[Regulation]:
    """Every regulation in force on ``on_date`` (today in Almaty by default), with what its
    public description shows: regions, refusal grounds, channels and their steps."""
    day = on_date or timezone.localdate()
    return (
        Regulation.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .prefetch_related("regions", "refusal_grounds", "channels__steps")
        .order_by("service", "code", "-version")
    )


def overdue_applications_q(now: datetime) -> Q:
    """Applications past their term (SVC-03): still in progress after it, or ended after it."""
    return Q(status=ApplicationStatus.IN_PROGRESS, due_at__lt=now) | Q(
        ended_at__isnull=False, ended_at__gt=F("due_at")
    )


def document_by_verification_token(token: str) -> ResultDocument | None:
    """The document a verification code (the QR code) names, once it has left the centre —
    signed or revoked, never a draft; ``None`` for any other code."""
    return (
        ResultDocument.objects.select_related("application__centre", "signature")
        .defer("pdf")
        .filter(verification_token=token)
        .exclude(status=DocumentStatus.DRAFT)
        .first()
    )


def with_documents(
    queryset: QuerySet[Application], *, defer: tuple[str, ...] = ("pdf",)
) -> QuerySet[Application]:
    """The applications with their result (``result_doc``) and their refusal (``refusal_doc``)
    joined in the same query: each is unique per application (the two constraints of
    ``ResultDocument``), so the joins never repeat a row. ``defer``: the document fields not to
    load."""
    return (
        queryset.annotate(
            result_doc=FilteredRelation(
                "documents", condition=~Q(documents__kind=ResultKind.REFUSAL)
            ),
            refusal_doc=FilteredRelation(
                "documents", condition=Q(documents__kind=ResultKind.REFUSAL)
            ),
        )
        # django-stubs does not know relations annotated with FilteredRelation.
        .select_related("result_doc", "refusal_doc")  # type: ignore[misc]
        .defer(*(f"{name}__{field}" for name in ("result_doc", "refusal_doc") for field in defer))
    )


def reaches_recipient(application: Application, document: ResultDocument) -> bool:
    """Whether the recipient may have the document: signed, and the application finished — the
    result reaches the citizen by the regulation's last step (handed over, or sent to the
    cabinet), not as soon as the head has signed it."""
    return (
        document.status == DocumentStatus.SIGNED
        and application.status != ApplicationStatus.IN_PROGRESS
    )


def result_document_of(application: Application) -> ResultDocument | None:
    """The application's result document (a notification or a referral), if drafted."""
    return (
        ResultDocument.objects.filter(application=application)
        .exclude(kind=ResultKind.REFUSAL)
        .first()
    )


def refusal_document_of(application: Application) -> ResultDocument | None:
    """The application's motivated refusal (SVC-04), if it was refused."""
    return ResultDocument.objects.filter(application=application, kind=ResultKind.REFUSAL).first()


def signing_role(application: Application) -> str:
    """The provider's authorised person who signs the application's documents: the role of the
    regulation's signing step (the head of the centre in every regulation loaded so far)."""
    step = application.channel.steps.filter(action=StepAction.SIGN).order_by("position").first()
    return step.role if step is not None else StepRole.CENTRE_HEAD


def refusals_to_sign_for(user: User) -> QuerySet[ResultDocument]:
    """Motivated refusals drafted in the centres where the user holds the signing role, waiting
    for their EDS signature (SVC-04, SVC-05 (7)), oldest first."""
    from labormarket.accounts.policies import grants_of

    pairs = Q(pk__in=[])
    for grant in grants_of(user):
        pairs |= Q(
            application__centre_id=grant.organisation_id,
            application__channel__steps__action=StepAction.SIGN,
            application__channel__steps__role=grant.role,
        )
    ids = ResultDocument.objects.filter(
        pairs, kind=ResultKind.REFUSAL, status=DocumentStatus.DRAFT
    ).values("pk")
    return (
        ResultDocument.objects.filter(pk__in=ids)
        .select_related("application", "application__person", "application__centre")
        .defer("pdf", "data")
        .order_by("drafted_at", "pk")
    )


def regulation_for(
    *, service: str, region: Region, on_date: date, channel: str
) -> tuple[Regulation, RegulationChannel]:
    """The regulation of ``service`` in force in ``region`` on ``on_date`` with ``channel``:
    the region's own version first, else one for every region (empty ``regions``); the latest
    ``valid_from``, then the highest version, wins."""
    in_force = Regulation.objects.filter(service=service, valid_from__lte=on_date).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on_date)
    )
    for candidates in (
        in_force.filter(regions=region),
        in_force.filter(regions__isnull=True),
    ):
        regulation = candidates.order_by("-valid_from", "-version").first()
        if regulation is not None:
            found = regulation.channels.filter(channel=channel).first()
            if found is None:
                raise Conflict(
                    code="channel_not_available",
                    message=_("This service is not provided through this channel."),
                    rule="SVC-02",
                )
            return regulation, found
    raise Conflict(
        code="no_regulation",
        message=_("No regulation of this service is in force in the region."),
        rule="SVC-02",
    )


def applications_for(user: User) -> QuerySet[Application]:
    """Applications the user sees as staff (their regions'), newest first."""
    scope = policies.application_view_scope(user)
    queryset = Application.objects.select_related("centre", "person", "regulation", "channel")
    if scope.all_regions:
        return queryset
    return queryset.filter(centre__region_id__in=scope.region_ids)


def open_steps_for(user: User) -> QuerySet[ApplicationStep]:
    """The user's queue: open steps of their centres whose role they hold — assigned to them or
    to nobody — soonest deadline first."""
    from labormarket.accounts.policies import grants_of

    pairs = Q(pk__in=[])
    for grant in grants_of(user):
        pairs |= Q(application__centre_id=grant.organisation_id, regulation_step__role=grant.role)
    return (
        ApplicationStep.objects.filter(status=StepStatus.OPEN)
        .filter(pairs)
        .filter(Q(assignee__isnull=True) | Q(assignee=user))
        .select_related(
            "application",
            "application__person",
            "application__centre",
            "regulation_step",
            "assignee",
        )
        .order_by("due_at", "pk")
    )


def overdue_for_head(user: User) -> tuple[QuerySet[ApplicationStep], QuerySet[Application]]:
    """What the head of a centre is shown as late (SVC-03): open steps past their standard
    duration and applications past their term, in the centres they head."""
    from labormarket.accounts.choices import Role

    centres = policies.centres_where(user, Role.CENTRE_HEAD) + policies.centres_where(
        user, Role.SECTOR_HEAD
    )
    now = timezone.now()
    steps = (
        ApplicationStep.objects.filter(
            status=StepStatus.OPEN, due_at__lt=now, application__centre_id__in=centres
        )
        .select_related("application", "application__person", "regulation_step", "assignee")
        .order_by("due_at", "pk")
    )
    applications = (
        Application.objects.filter(centre_id__in=centres)
        .filter(overdue_applications_q(now))
        .select_related("person", "regulation", "channel")
        .order_by("due_at", "pk")
    )
    return steps, applications


def citizen_applications(person_id: int) -> QuerySet[Application]:
    return (
        Application.objects.filter(person_id=person_id)
        .select_related("centre", "regulation", "channel")
        .order_by("-registered_at", "-pk")
    )
