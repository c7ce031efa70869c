"""Reads of the public services: which regulation applies, queues, overdue work, the journal."""

from __future__ import annotations

from datetime import date

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from labormarket.accounts.models import User
from labormarket.core.errors import Conflict
from labormarket.reference.models import Region

from . import policies
from .choices import ApplicationStatus, StepStatus
from .models import Application, ApplicationStep, Regulation, RegulationChannel


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
        .filter(
            Q(status=ApplicationStatus.IN_PROGRESS, due_at__lt=now)
            | Q(ended_at__isnull=False, ended_at__gt=F("due_at"))
        )
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
