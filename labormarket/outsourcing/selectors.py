"""Reads of outsourcing for pages, the API and reports.

Each audience gets its own selector and only what it may see: the public sees published
announcements and published contract information; an agency sees the lots open for selection,
its own confirmations, offers, contracts, notices and acts; CLM staff see their own centre's
lots, queues, contracts and acts. ``*_get_for`` answers None alike for "does not exist" and
"not yours".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from labormarket.accounts.models import Organisation

from .choices import AnnouncementStatus, ConfirmationStatus, LotStatus
from .models import (
    AgencyCabinet,
    AgencyNotice,
    Announcement,
    CategoryAssignment,
    ContractOffer,
    Lot,
    LotConfirmation,
    LotMember,
    OutsourcingContract,
    Placement,
    QualificationDocument,
    ServiceAct,
)
from .policies import agency_ids_of, clm_ids_of

# --- public -----------------------------------------------------------------------------------


def announcements_public() -> QuerySet[Announcement]:
    """Published announcements, newest selection day first (OUT-01)."""
    return (
        Announcement.objects.filter(status=AnnouncementStatus.PUBLISHED)
        .select_related("clm__region")
        .order_by("-selection_day", "clm__name")
    )


def announcement_public_get(announcement_id: int) -> Announcement | None:
    return announcements_public().filter(pk=announcement_id).first()


def contracts_public() -> QuerySet[OutsourcingContract]:
    """Published information about concluded contracts (OUT-15): parties, lot, sum, dates."""
    return (
        OutsourcingContract.objects.filter(published_at__isnull=False)
        .select_related("clm__region", "agency", "lot__occupation")
        .order_by("-concluded_at")
    )


# --- agencies ------------------------------------------------------------------------------------


def agencies_of(user: Any) -> QuerySet[Organisation]:
    """The private employment agencies the user manages, by name."""
    return (
        Organisation.objects.filter(pk__in=agency_ids_of(user))
        .select_related("region")
        .order_by("name", "pk")
    )


def qualification_documents_of(user: Any, agency_id: int) -> QuerySet[QualificationDocument]:
    """The OUT-08 documents an agency the user manages has filed, newest first."""
    return QualificationDocument.objects.filter(
        agency_id=agency_id, agency_id__in=agency_ids_of(user)
    ).order_by("-uploaded_at", "-pk")


def cabinet_of(agency_id: int) -> AgencyCabinet | None:
    return AgencyCabinet.objects.filter(agency_id=agency_id).first()


def lots_open_for(user: Any, *, day: date | None = None) -> QuerySet[Lot]:
    """Lots an agency may choose (announced, open or already chosen by others, not contracted),
    with the people's counts by category; ``day`` narrows to one selection day."""
    if not agency_ids_of(user):
        return Lot.objects.none()
    lots = Lot.objects.filter(
        status__in=(LotStatus.OPEN, LotStatus.IN_REVIEW),
        announcements__status=AnnouncementStatus.PUBLISHED,
    ).distinct()
    if day is not None:
        lots = lots.filter(selection_day=day)
    return (
        _with_counts(lots)
        .select_related("clm__region", "occupation")
        .order_by("selection_day", "clm__name", "number")
    )


def _with_counts(lots: QuerySet[Lot]) -> QuerySet[Lot]:
    active = Q(members__is_active=True)
    return lots.annotate(
        people_count=Count("members", filter=active, distinct=True),
        category_1=Count("members", filter=active & Q(members__category=1), distinct=True),
        category_2=Count("members", filter=active & Q(members__category=2), distinct=True),
        category_3=Count("members", filter=active & Q(members__category=3), distinct=True),
    )


def confirmations_of_agency(user: Any) -> QuerySet[LotConfirmation]:
    return (
        LotConfirmation.objects.filter(agency_id__in=agency_ids_of(user))
        .select_related("lot__clm", "lot__occupation", "agency")
        .order_by("-selection_day", "lot__number")
    )


def offers_of_agency(user: Any) -> QuerySet[ContractOffer]:
    return (
        ContractOffer.objects.filter(confirmation__agency_id__in=agency_ids_of(user))
        .select_related("lot__clm", "confirmation")
        .defer("document")
        .order_by("-sent_at")
    )


def offer_get_for_agency(user: Any, offer_id: int) -> ContractOffer | None:
    return offers_of_agency(user).filter(pk=offer_id).first()


def contracts_of_agency(user: Any) -> QuerySet[OutsourcingContract]:
    return (
        OutsourcingContract.objects.filter(agency_id__in=agency_ids_of(user))
        .select_related("lot__occupation", "clm", "agency")
        .order_by("-concluded_at")
    )


def notices_of_agency(user: Any) -> QuerySet[AgencyNotice]:
    return AgencyNotice.objects.filter(agency_id__in=agency_ids_of(user)).select_related("lot")


# --- CLM ---------------------------------------------------------------------------------------------


def lots_of_clm(user: Any, *, status: str | None = None) -> QuerySet[Lot]:
    lots = Lot.objects.filter(clm_id__in=clm_ids_of(user))
    if status:
        lots = lots.filter(status=status)
    return _with_counts(lots).select_related("clm", "occupation").order_by("-created_at", "-pk")


def lot_get_for_clm(user: Any, lot_id: int) -> Lot | None:
    return (
        Lot.objects.filter(pk=lot_id, clm_id__in=clm_ids_of(user))
        .select_related("clm__region", "occupation")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=LotMember.objects.filter(is_active=True).select_related("person"),
            ),
            Prefetch(
                "confirmations",
                queryset=LotConfirmation.objects.select_related("agency").order_by(
                    "-selection_day", "position"
                ),
            ),
        )
        .first()
    )


def review_queue(user: Any) -> QuerySet[LotConfirmation]:
    """Confirmations waiting for the CLM's qualification review, the oldest deadline first."""
    return (
        LotConfirmation.objects.filter(
            lot__clm_id__in=clm_ids_of(user), status=ConfirmationStatus.PENDING_REVIEW
        )
        .select_related("lot__occupation", "agency")
        .order_by("review_due_at", "lot__number", "position")
    )


def announcements_of_clm(user: Any) -> QuerySet[Announcement]:
    return (
        Announcement.objects.filter(clm_id__in=clm_ids_of(user))
        .annotate(lots_count=Count("lots", distinct=True))
        .select_related("clm", "responsible")
        .order_by("-selection_day")
    )


def contracts_of_clm(user: Any) -> QuerySet[OutsourcingContract]:
    return (
        OutsourcingContract.objects.filter(clm_id__in=clm_ids_of(user))
        .select_related("lot__occupation", "agency", "clm")
        .order_by("-concluded_at")
    )


def acts_waiting_for_clm(user: Any) -> QuerySet[ServiceAct]:
    return (
        ServiceAct.objects.filter(
            contract__clm_id__in=clm_ids_of(user), status__in=("submitted", "extended")
        )
        .select_related("contract__agency", "contract__lot")
        .defer("document")
        .order_by("decision_due_at")
    )


def candidates_of_clm(user: Any) -> QuerySet[CategoryAssignment]:
    """Current categories of the CLM region's people (who may be put in lots)."""
    return (
        CategoryAssignment.objects.filter(is_current=True, clm_id__in=clm_ids_of(user))
        .select_related("person", "occupation")
        .order_by("occupation__code", "person__last_name")
    )


# --- lookups of the API (``*_get_for``: None alike for "missing" and "not yours") -------------


def contract_get_for_agency(user: Any, contract_id: int) -> OutsourcingContract | None:
    return contracts_of_agency(user).filter(pk=contract_id).first()


def contract_get_for_clm(user: Any, contract_id: int) -> OutsourcingContract | None:
    return contracts_of_clm(user).filter(pk=contract_id).first()


def offer_document_for_agency(user: Any, offer_id: int) -> ContractOffer | None:
    """The offer with its draft PDF (the exact bytes the agency signs)."""
    return (
        ContractOffer.objects.filter(pk=offer_id, confirmation__agency_id__in=agency_ids_of(user))
        .select_related("lot")
        .first()
    )


def acts_of_agency_contract(user: Any, contract_id: int) -> QuerySet[ServiceAct]:
    return (
        ServiceAct.objects.filter(
            contract_id=contract_id, contract__agency_id__in=agency_ids_of(user)
        )
        .select_related("contract")
        .defer("document")
        .order_by("stage", "prepared_at", "pk")
    )


def act_document_for_agency(user: Any, act_id: int) -> ServiceAct | None:
    return (
        ServiceAct.objects.filter(pk=act_id, contract__agency_id__in=agency_ids_of(user))
        .select_related("contract")
        .first()
    )


def act_document_for_clm(user: Any, act_id: int) -> ServiceAct | None:
    return (
        ServiceAct.objects.filter(pk=act_id, contract__clm_id__in=clm_ids_of(user))
        .select_related("contract")
        .first()
    )


def act_get_for_clm(user: Any, act_id: int) -> ServiceAct | None:
    return (
        ServiceAct.objects.filter(pk=act_id, contract__clm_id__in=clm_ids_of(user))
        .select_related("contract__agency", "contract__lot")
        .defer("document")
        .first()
    )


def act_get_for_agency(user: Any, act_id: int) -> ServiceAct | None:
    return acts_of_agency_contract_any(user).filter(pk=act_id).first()


def acts_of_agency_contract_any(user: Any) -> QuerySet[ServiceAct]:
    return (
        ServiceAct.objects.filter(contract__agency_id__in=agency_ids_of(user))
        .select_related("contract")
        .defer("document")
    )


def placements_of_agency_contract(user: Any, contract_id: int) -> QuerySet[Placement]:
    return Placement.objects.filter(
        contract_id=contract_id, contract__agency_id__in=agency_ids_of(user)
    ).order_by("reported_at", "pk")


def announcement_get_for_clm(user: Any, announcement_id: int) -> Announcement | None:
    return (
        Announcement.objects.filter(pk=announcement_id, clm_id__in=clm_ids_of(user))
        .select_related("clm__region", "responsible")
        .first()
    )


def confirmation_get_for_clm(user: Any, confirmation_id: int) -> LotConfirmation | None:
    return (
        LotConfirmation.objects.filter(pk=confirmation_id, lot__clm_id__in=clm_ids_of(user))
        .select_related("lot__occupation", "agency")
        .first()
    )


def confirmation_get_for_agency(user: Any, confirmation_id: int) -> LotConfirmation | None:
    return confirmations_of_agency(user).filter(pk=confirmation_id).first()
