"""The contract and what follows its signing (OUT-10 (2), OUT-14…OUT-18).

When the agency signs the draft with its EDS the contract is concluded: the other agencies still
in the queue are refused as "not the first" (OUT-10 (2)); the contract information is published
(OUT-15); every person of the lot is told which agency will serve them and how to reach it
(OUT-16); the lot's data pass to the agency — exactly the eleven fields of OUT-17, read through
:func:`lot_people_for_agency`, each read logged; and the 30-working-day employment deadline
(OUT-18) and the advance's due date (OUT-22) are stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from labormarket.accounts.models import User
from labormarket.core.calendar import add_working_days, deadline_at, to_business_date
from labormarket.core.errors import Conflict, NotFound
from labormarket.core.signatures import evidence as signatures
from labormarket.notifications.services import notify_person
from labormarket.registry.choices import AccessChannel, AccessPurpose
from labormarket.registry.models import PersonAccessLog

from . import policies
from .choices import LIVE_CONFIRMATION_STATUSES, ConfirmationStatus, LotStatus, OfferStatus
from .models import AgencyCabinet, ContractOffer, LotMember, OutsourcingContract
from .selection import _event, _notice

#: OUT-15: contract information is published within 10 working days of the conclusion.
PUBLISH_WORKING_DAYS = 10
#: OUT-16, OUT-17: people notified and data handed over within 1 working day.
HANDOVER_WORKING_DAYS = 1
#: OUT-18: the agency employs the people within 30 working days of the contract date.
EMPLOYMENT_WORKING_DAYS = 30
#: OUT-22: the advance is paid within 5 working days after the contract takes effect.
ADVANCE_WORKING_DAYS = 5


def contract_sign(
    *, actor: User, offer_id: int, cms: bytes, now: datetime | None = None
) -> OutsourcingContract:
    """The agency signs the draft contract with its EDS (OUT-12, OUT-14). A second signature of
    the same contract, or a signature after the offer was withdrawn, is refused."""
    offer = (
        ContractOffer.objects.select_related("confirmation__agency", "lot__clm__region")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None or not policies.can_act_for_agency(actor, offer.confirmation.agency_id):
        raise NotFound()
    moment = now or timezone.now()
    _check_open(offer, moment)
    agency = offer.confirmation.agency
    content = bytes(offer.document)
    result = signatures.verify(
        cms=cms,
        content=content,
        expected_iin=actor.iin or None,
        expected_bin=agency.bin,
        rule="OUT-12",
    )
    with transaction.atomic():
        # The conditional update is the guard: of two signatures at once exactly one wins.
        signed = ContractOffer.objects.filter(
            pk=offer.pk, status=OfferStatus.OPEN, sign_due_at__gte=moment
        ).update(status=OfferStatus.SIGNED)
        if not signed:
            offer.refresh_from_db()
            _check_open(offer, moment)
        signature = signatures.store(
            cms=cms, content=content, result=result, purpose="outsourcing.contract", actor=actor
        )
        return _conclude(offer, signature, actor, moment)


def _check_open(offer: ContractOffer, moment: datetime) -> None:
    if offer.status == OfferStatus.SIGNED:
        raise Conflict("already_signed", _("The contract is already signed."), "OUT-14")
    if offer.status == OfferStatus.WITHDRAWN or moment > offer.sign_due_at:
        raise Conflict(
            "offer_withdrawn",
            _("The draft contract was not signed within 2 working days and has been withdrawn."),
            "OUT-12",
        )


def _conclude(
    offer: ContractOffer, signature: Any, actor: User, moment: datetime
) -> OutsourcingContract:
    lot = offer.lot
    members = list(lot.members.filter(is_active=True).select_related("person"))
    total = lot.price_per_person * len(members)
    concluded_on = to_business_date(moment)
    contract = OutsourcingContract.objects.create(
        lot=lot,
        offer=offer,
        clm=lot.clm,
        agency=offer.confirmation.agency,
        number=f"АУ-{lot.number}",
        concluded_at=moment,
        people_count=len(members),
        price_per_person=lot.price_per_person,
        total_sum=total,
        signature=signature,
        publish_due_at=deadline_at(moment, PUBLISH_WORKING_DAYS),
        published_at=moment,
        people_notice_due_at=deadline_at(moment, HANDOVER_WORKING_DAYS),
        handover_due_at=deadline_at(moment, HANDOVER_WORKING_DAYS),
        employment_due_on=add_working_days(concluded_on, EMPLOYMENT_WORKING_DAYS),
        advance_due_on=add_working_days(concluded_on, ADVANCE_WORKING_DAYS),
    )
    confirmation = offer.confirmation
    confirmation.status = ConfirmationStatus.CONTRACTED
    confirmation.save(update_fields=["status"])
    lot.status = LotStatus.CONTRACTED
    lot.save(update_fields=["status", "updated_at"])
    _refuse_the_rest(contract, moment)
    _notify_people(contract, members)
    contract.people_notified_at = moment
    contract.handed_over_at = moment
    contract.save(update_fields=["people_notified_at", "handed_over_at"])
    from .acts import schedule_advance

    schedule_advance(contract, actor=actor)
    _event(lot, "contract_signed", actor, contract=contract.pk, total=str(total))
    return contract


def _refuse_the_rest(contract: OutsourcingContract, moment: datetime) -> None:
    """OUT-10 (2): the agencies still waiting in the queue are refused — not the first."""
    lot = contract.lot
    assert lot.selection_day is not None
    for other in lot.confirmations.filter(
        selection_day=lot.selection_day, status__in=LIVE_CONFIRMATION_STATUSES
    ).select_related("agency"):
        other.status = ConfirmationStatus.NOT_FIRST
        other.refusal_ground = 2
        other.refusal_reasons = _(
            "The contract for the lot was signed by the agency at place %(position)d of the queue."
        ) % {"position": contract.offer.confirmation.position}
        other.notified_at = moment
        if other.reviewed_at is None:
            other.reviewed_at = moment
        other.save()
        _notice(
            other.agency,
            lot,
            "review_result",
            _("Lot %(lot)s: your agency is refused") % {"lot": lot.number},
            _("Ground: %(ground)s.\nReasons: %(reasons)s")
            % {
                "ground": _("The agency did not confirm the lot first within the selection window"),
                "reasons": other.refusal_reasons,
            },
            "OUT-10",
        )


def _notify_people(contract: OutsourcingContract, members: list[LotMember]) -> None:
    """OUT-16: every person of the lot learns which agency will help them, with its contacts."""
    cabinet = AgencyCabinet.objects.filter(agency=contract.agency).first()
    contacts = ", ".join(
        part
        for part in (
            cabinet.contact_phone if cabinet else contract.agency.phone,
            cabinet.contact_email if cabinet else "",
        )
        if part
    )
    for member in members:
        notify_person(
            person=member.person,
            kind="outsourcing.agency_assigned",
            subject=_("A private employment agency will help you find work"),
            body=_(
                "Under outsourcing contract %(number)s the agency %(agency)s will help you find "
                "work. Contacts: %(contacts)s."
            )
            % {"number": contract.number, "agency": contract.agency.name, "contacts": contacts},
        )


# --- the lot's data for the agency (OUT-17) ------------------------------------------------------

#: OUT-17: the eleven items the agency receives per person, and nothing else.
HANDOVER_FIELDS = (
    "full_name",
    "birth_date",
    "address",
    "phone",
    "email",
    "education",
    "work_history",
    "active_measures",
    "vocational_guidance",
    "job_referrals",
    "expectations",
)


def contract_for_agency(actor: User, contract_id: int) -> OutsourcingContract:
    contract = (
        OutsourcingContract.objects.select_related("lot", "agency", "clm")
        .filter(pk=contract_id)
        .first()
    )
    if contract is None or not policies.can_act_for_agency(actor, contract.agency_id):
        raise NotFound()
    return contract


def lot_people_for_agency(
    *, actor: User, contract_id: int, channel: str = AccessChannel.WEB
) -> list[dict[str, Any]]:
    """OUT-17: the lot's people as the agency may see them — the eleven fields only, for the
    agency's own contracted lots only; every person read is written to the access log."""
    return [row for _member_id, row in _lot_people(actor, contract_id, channel)]


def lot_members_for_agency(
    *, actor: User, contract_id: int, channel: str = AccessChannel.WEB
) -> list[tuple[int, dict[str, Any]]]:
    """OUT-17 as :func:`lot_people_for_agency`, each row with the id of the person's place in
    the lot (``LotMember``) — the handle the agency reports a placement by; not personal data."""
    return _lot_people(actor, contract_id, channel)


def _lot_people(actor: User, contract_id: int, channel: str) -> list[tuple[int, dict[str, Any]]]:
    from labormarket.exchange.selectors import person_expectations_and_referrals

    contract = contract_for_agency(actor, contract_id)
    members = list(
        contract.lot.members.filter(is_active=True)
        .select_related("person__region", "person__address_kato__parent")
        .prefetch_related(
            "person__phones",
            "person__education__level",
            "person__work_history",
        )
        .order_by("person__last_name", "person__first_name", "pk")
    )
    exchange = person_expectations_and_referrals([m.person_id for m in members])
    rows: list[tuple[int, dict[str, Any]]] = []
    for member in members:
        person = member.person
        locality = person.address_kato
        district = locality.parent if locality is not None else None
        phone = next((p.number for p in person.phones.all() if p.is_primary), "")
        extra = exchange.get(person.pk, {"referrals": [], "expectations": {}})
        rows.append(
            (
                member.pk,
                {
                    "full_name": " ".join(
                        part
                        for part in (person.last_name, person.first_name, person.middle_name)
                        if part
                    ),
                    "birth_date": person.birth_date.isoformat(),
                    "address": {
                        "region": person.region.name if person.region_id else "",
                        "district": district.name if district is not None else "",
                        "locality": locality.name if locality is not None else "",
                        "street": person.street,
                        "house": person.house,
                        "flat": person.flat,
                    },
                    "phone": phone,
                    "email": person.email,
                    "education": [
                        {
                            "level": record.level.name if record.level_id else "",
                            "institution": record.institution,
                            "speciality": record.speciality,
                            "graduation_year": record.graduation_year,
                        }
                        for record in person.education.all()
                    ],
                    "work_history": [
                        {
                            "employer": entry.employer_name,
                            "position": entry.position,
                            "started_on": entry.started_on.isoformat(),
                            "ended_on": entry.ended_on.isoformat() if entry.ended_on else None,
                        }
                        for entry in person.work_history.all()
                    ],
                    # Active measures and vocational guidance are recorded by the measures app;
                    # until it holds records for the person these lists are empty.
                    "active_measures": [],
                    "vocational_guidance": [],
                    "job_referrals": extra["referrals"],
                    "expectations": extra["expectations"],
                },
            )
        )
    PersonAccessLog.objects.bulk_create(
        [
            PersonAccessLog(
                person_id=member.person_id,
                user=actor,
                purpose=AccessPurpose.OUTSOURCING,
                channel=channel,
            )
            for member in members
        ]
    )
    return rows
