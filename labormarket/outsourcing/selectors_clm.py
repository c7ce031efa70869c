"""Reads of the CLM staff's outsourcing workspace (the pages of :mod:`.views_clm`).

They complement :mod:`.selectors` with what only those pages need: the region's registered
unemployed people with their category and consent (to give categories and record consents),
the lots that wait for an announcement, the open offers, a lot's events and offers, an agency's
qualification documents, a contract's acts, placements, payments and ledger. Like the
selectors, each is scoped to the user's own centres of labour mobility; ``*_for_clm`` lookups
answer None alike for "does not exist" and "not yours".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from labormarket.accounts.models import Organisation
from labormarket.payments import selectors as ledger
from labormarket.payments.choices import AccountKind
from labormarket.payments.models import LedgerEntry
from labormarket.payments.selectors import AccountTotals
from labormarket.registry.choices import ConsentPurpose, LabourStatus
from labormarket.registry.models import Consent, Person
from labormarket.registry.services import search_name_of

from .choices import (
    ActStatus,
    AnnouncementStatus,
    LotStatus,
    OfferStatus,
)
from .models import (
    Announcement,
    CategoryAssignment,
    ContractOffer,
    Lot,
    LotConfirmation,
    LotEvent,
    LotMember,
    OutsourcingContract,
    Placement,
    QualificationDocument,
    ServiceAct,
    StagePayment,
)
from .policies import clm_ids_of


def clm_regions_of(user: Any) -> list[int]:
    """The regions of the user's centres of labour mobility."""
    return list(
        Organisation.objects.filter(pk__in=clm_ids_of(user)).values_list("region_id", flat=True)
    )


def unemployed_of_clm(user: Any, *, query: str = "", only: str = "") -> QuerySet[Person]:
    """Registered unemployed people of the CLM's region, each with their current category
    (``category``, ``occupation_code``, ``occupation_name``), whether they signed the Appendix 1
    consent (``has_consent``, OUT-05) and whether they are in an active lot (``in_lot``).
    ``query`` narrows by name (each word a prefix of a name part, in order); ``only`` is
    ``"no_category"``, ``"no_consent"`` or ``"ready"`` (category, consent, not in a lot)."""
    current = CategoryAssignment.objects.filter(person=OuterRef("pk"), is_current=True)
    people = (
        Person.objects.filter(
            region_id__in=clm_regions_of(user), labour_status=LabourStatus.UNEMPLOYED
        )
        .annotate(
            category=Subquery(current.values("category")[:1]),
            occupation_code=Subquery(current.values("occupation__code")[:1]),
            occupation_name=Subquery(current.values("occupation__name_ru")[:1]),
            has_consent=Exists(
                Consent.objects.filter(
                    person=OuterRef("pk"),
                    purpose=ConsentPurpose.OUTSOURCING,
                    withdrawn_at__isnull=True,
                )
            ),
            in_lot=Exists(LotMember.objects.filter(person=OuterRef("pk"), is_active=True)),
        )
        .only("pk", "last_name", "first_name", "middle_name", "iin", "region_id")
        .order_by("search_name", "pk")
    )
    words = search_name_of(query or "", "", "").split()
    if words:
        people = people.filter(search_name__startswith=words[0])
        for word in words[1:]:
            people = people.filter(search_name__contains=f" {word}")
    if only == "no_category":
        people = people.filter(category__isnull=True)
    elif only == "no_consent":
        people = people.filter(has_consent=False)
    elif only == "ready":
        people = people.filter(category__isnull=False, has_consent=True, in_lot=False)
    return people


def unemployed_get_for_clm(user: Any, person_id: int) -> Person | None:
    return unemployed_of_clm(user).filter(pk=person_id).first()


def lot_candidates(user: Any, *, occupation_code: str = "") -> QuerySet[CategoryAssignment]:
    """People who may be put in a new lot: a current category given by the user's CLM, the
    consent signed, still unemployed, not in an active lot (OUT-05, OUT-06)."""
    candidates = (
        CategoryAssignment.objects.filter(
            is_current=True,
            clm_id__in=clm_ids_of(user),
            person__region_id__in=clm_regions_of(user),
            person__labour_status=LabourStatus.UNEMPLOYED,
        )
        .filter(
            Exists(
                Consent.objects.filter(
                    person=OuterRef("person_id"),
                    purpose=ConsentPurpose.OUTSOURCING,
                    withdrawn_at__isnull=True,
                )
            )
        )
        .exclude(Exists(LotMember.objects.filter(person=OuterRef("person_id"), is_active=True)))
        .select_related("person", "occupation")
        .order_by("occupation__code", "-category", "person__search_name", "pk")
    )
    if occupation_code:
        candidates = candidates.filter(occupation__code=occupation_code)
    return candidates


def lots_to_announce(user: Any) -> QuerySet[Lot]:
    """Lots waiting for an announcement: new ones (draft), and ones put up again for a selection
    day no published announcement offers yet (OUT-13)."""
    announced = Announcement.objects.filter(
        lots=OuterRef("pk"),
        status=AnnouncementStatus.PUBLISHED,
        selection_day=OuterRef("selection_day"),
    )
    return (
        Lot.objects.filter(clm_id__in=clm_ids_of(user))
        .filter(Q(status=LotStatus.DRAFT) | Q(status=LotStatus.OPEN) & ~Exists(announced))
        .select_related("occupation")
        .order_by("selection_day", "number")
    )


def lots_republished(user: Any) -> QuerySet[Lot]:
    """Lots that no agency took and that are offered again (OUT-13)."""
    return lots_to_announce(user).filter(status=LotStatus.OPEN, times_offered__gte=1)


def offers_open_of_clm(user: Any) -> QuerySet[ContractOffer]:
    """Draft contracts waiting for the agency's signature, the soonest deadline first (OUT-12)."""
    return (
        ContractOffer.objects.filter(lot__clm_id__in=clm_ids_of(user), status=OfferStatus.OPEN)
        .select_related("lot", "confirmation__agency")
        .defer("document")
        .order_by("sign_due_at")
    )


def announcement_of_week(user: Any, selection_day: date) -> Announcement | None:
    return (
        Announcement.objects.filter(clm_id__in=clm_ids_of(user), selection_day=selection_day)
        .select_related("clm__region", "responsible")
        .first()
    )


def lot_events(lot: Lot) -> QuerySet[LotEvent]:
    return lot.events.select_related("actor").order_by("occurred_at", "pk")


def lot_offers(lot: Lot) -> QuerySet[ContractOffer]:
    return lot.offers.select_related("confirmation__agency").defer("document").order_by("sent_at")


def lot_contract(lot: Lot) -> OutsourcingContract | None:
    return OutsourcingContract.objects.filter(lot=lot).select_related("agency").first()


def lot_members_with_people(lot: Lot) -> QuerySet[LotMember]:
    return (
        lot.members.filter(is_active=True)
        .select_related("person")
        .order_by("person__search_name", "pk")
    )


def confirmation_queue(confirmation: LotConfirmation) -> QuerySet[LotConfirmation]:
    """The whole queue of the confirmation's lot on its selection day (OUT-07)."""
    return (
        LotConfirmation.objects.filter(
            lot_id=confirmation.lot_id, selection_day=confirmation.selection_day
        )
        .select_related("agency")
        .order_by("position")
    )


def qualification_documents_of(agency_id: int) -> QuerySet[QualificationDocument]:
    return QualificationDocument.objects.filter(agency_id=agency_id).order_by(
        "kind", "-uploaded_at", "pk"
    )


def qualification_document_for_clm(user: Any, document_id: int) -> QualificationDocument | None:
    """A qualification document of an agency that confirmed one of the CLM's lots (OUT-08)."""
    return (
        QualificationDocument.objects.filter(pk=document_id)
        .filter(
            Exists(
                LotConfirmation.objects.filter(
                    agency_id=OuterRef("agency_id"), lot__clm_id__in=clm_ids_of(user)
                )
            )
        )
        .first()
    )


def agency_past_contracts(agency_id: int) -> QuerySet[OutsourcingContract]:
    """The agency's earlier outsourcing contracts (for ground 4 of OUT-10)."""
    return (
        OutsourcingContract.objects.filter(agency_id=agency_id)
        .select_related("clm")
        .order_by("-concluded_at")
    )


def contract_placements(contract: OutsourcingContract) -> QuerySet[Placement]:
    return contract.placements.select_related("member__person").order_by("reported_at", "pk")


def contract_acts(contract: OutsourcingContract) -> QuerySet[ServiceAct]:
    return contract.acts.defer("document").order_by("stage", "prepared_at", "pk")


def contract_stage_payments(contract: OutsourcingContract) -> QuerySet[StagePayment]:
    return contract.stage_payments.select_related("entry").order_by("stage", "is_refund")


@dataclass(frozen=True)
class ContractLedger:
    totals: AccountTotals | None
    entries: list[LedgerEntry]


def contract_ledger(contract: OutsourcingContract) -> ContractLedger:
    """The contract's ledger as the API's ``LedgerApi`` reads it: totals and entries."""
    account = ledger.account_find(kind=AccountKind.OUTSOURCING_CONTRACT, reference=contract.number)
    if account is None:
        return ContractLedger(None, [])
    return ContractLedger(
        ledger.account_totals(account_id=account.pk),
        list(ledger.account_entries(account_id=account.pk)),
    )


def acts_of_clm(user: Any, *, waiting: bool = True) -> QuerySet[ServiceAct]:
    """The CLM's acts of services: those waiting for a decision (OUT-21), or all of them."""
    acts = ServiceAct.objects.filter(contract__clm_id__in=clm_ids_of(user))
    if waiting:
        acts = acts.filter(status__in=(ActStatus.SUBMITTED, ActStatus.EXTENDED))
    else:
        acts = acts.exclude(status=ActStatus.DRAFT)
    return (
        acts.select_related("contract__agency", "contract__lot")
        .defer("document")
        .order_by("decision_due_at", "pk")
    )


def contracts_due(user: Any) -> QuerySet[OutsourcingContract]:
    """The CLM's contracts whose advance is not ordered yet (OUT-22)."""
    return (
        OutsourcingContract.objects.filter(clm_id__in=clm_ids_of(user))
        .exclude(
            Exists(StagePayment.objects.filter(contract=OuterRef("pk"), stage=1, is_refund=False))
        )
        .select_related("agency", "lot")
        .order_by("advance_due_on")
    )


def lots_with_members(lots: QuerySet[Lot]) -> QuerySet[Lot]:
    return lots.prefetch_related(
        Prefetch("members", queryset=LotMember.objects.filter(is_active=True))
    )
