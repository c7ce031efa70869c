"""Monday selection, qualification review and the contract cascade (OUT-03, OUT-07…OUT-13).

Concurrency design of :func:`lot_confirm` (ADR 0011). Correctness comes from three unique
constraints, not from locks: ``(lot, day, position)`` — no two confirmations share a place;
``(agency, day, daily_number)`` with ``1 ≤ daily_number ≤ 3`` — no agency gets a fourth;
``(lot, day, agency)`` — an agency confirms a lot once. Each attempt reads ``max(position)+1``
and ``count+1`` and inserts inside one transaction; if another transaction committed the same
numbers first, the insert fails on a constraint and the attempt is retried with fresh numbers,
so a place is only ever taken by a committed row and the queue is 1…n in commit order. On
PostgreSQL the agency's and the lot's rows are also locked (always in that order) so that
retries are rare; on SQLite, where ``select_for_update`` does nothing, transactions begin
IMMEDIATE and are serialised by the database's write lock. The signature is verified before the
transaction, so no lock is held while it is checked.
"""

from __future__ import annotations

import functools
import hashlib
import random
import time as time_module
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from labormarket.accounts.models import Organisation, User
from labormarket.core.calendar import deadline_at
from labormarket.core.db import write_queue
from labormarket.core.errors import Conflict, FieldErrors, Forbidden, NotFound
from labormarket.core.pdf import render_pdf
from labormarket.core.signatures import evidence as signatures

from . import policies, queue_sql
from .choices import (
    LIVE_CONFIRMATION_STATUSES,
    REVIEW_REFUSAL_GROUNDS,
    AnnouncementStatus,
    ConfirmationStatus,
    LotStatus,
    OfferStatus,
    RefusalGround,
)
from .models import (
    MAX_CONFIRMATIONS_PER_DAY,
    AgencyCabinet,
    AgencyNotice,
    Announcement,
    ContractOffer,
    Lot,
    LotConfirmation,
    LotEvent,
)
from .services import (
    SELECTION_CLOSES,
    SELECTION_OPENS,
    _agency_for,
    local_time,
    next_selection_day,
)

#: OUT-09: the CLM reviews an agency within 2 working days of its application …
REVIEW_WORKING_DAYS = 2
#: … and notifies it within 1 working day after that period.
NOTICE_WORKING_DAYS = 1
#: OUT-11: the draft contract goes out within 1 working day after the review period.
OFFER_WORKING_DAYS = 1
#: OUT-12: the agency signs within 2 working days of receiving the draft.
SIGN_WORKING_DAYS = 2

_MAX_ATTEMPTS = 60


def confirmation_payload(lot: Lot, agency: Organisation, selection_day: Any) -> bytes:
    """The exact bytes an agency signs to confirm a lot (OUT-07). They name the lot, the agency
    and the day, so a signature cannot be replayed for another lot, agency or week."""
    return (
        "Подтверждение выбора лота аутсорсинга услуг в сфере занятости населения\n"
        f"Лот: {lot.number}\nБИН агентства: {agency.bin}\n"
        f"День выбора: {selection_day:%Y-%m-%d}\n"
    ).encode()


def readiness_payload(agency: Organisation, day: Any) -> bytes:
    """The bytes an agency signs to check its EDS before the selection window opens."""
    return (
        "Проверка ЭЦП перед выбором лотов аутсорсинга услуг\n"
        f"БИН агентства: {agency.bin}\nДень выбора: {day:%Y-%m-%d}\n"
    ).encode()


def _readiness_day(agency: Organisation) -> Any:
    """The selection day a readiness check is for: today if it is one, else the next."""
    return next_selection_day(local_time(agency, timezone.now()).date() - timedelta(days=1))


def readiness_payload_for(*, actor: User, agency_id: int | None = None) -> bytes:
    """The bytes the actor's agency signs for :func:`signature_check` (its next selection
    day's readiness statement)."""
    agency = _agency_for(actor, agency_id)
    return readiness_payload(agency, _readiness_day(agency))


def signature_check(*, actor: User, cms: bytes, agency_id: int | None = None) -> Any:
    """Before 09:00 an agency checks that its key will be accepted: the same checks as a
    confirmation (the agency's BIN, the manager's IIN, validity, revocation, trust), nothing
    written. A refusal names the reasons (OUT-04, OUT-07); a success also leaves the
    certificate path validated, so the confirmations at 09:00 are checked faster."""
    agency = _agency_for(actor, agency_id)
    return signatures.verify(
        cms=cms,
        content=readiness_payload(agency, _readiness_day(agency)),
        expected_iin=actor.iin or None,
        expected_bin=agency.bin,
        rule="OUT-07",
    )


def confirmation_payload_for(
    *, actor: User, lot_id: int, agency_id: int | None = None
) -> tuple[Lot, bytes]:
    """The lot open for selection and the exact bytes the actor's agency signs to confirm it
    (OUT-07): what the signer is given before :func:`lot_confirm`."""
    agency = _agency_for(actor, agency_id)
    lot = (
        Lot.objects.select_related("clm")
        .filter(
            pk=lot_id,
            status__in=(LotStatus.OPEN, LotStatus.IN_REVIEW),
            selection_day__isnull=False,
            announcements__status=AnnouncementStatus.PUBLISHED,
        )
        .distinct()
        .first()
    )
    if lot is None:
        raise NotFound(_("There is no such lot open for selection."))
    return lot, confirmation_payload(lot, agency, lot.selection_day)


def selection_window_error(
    lot: Lot, moment: datetime, *, zone: ZoneInfo | None = None
) -> str | None:
    """Why a lot cannot be chosen at ``moment`` (OUT-03), or None when it can. ``zone`` is the
    CLM's region's time zone, when the caller has it without ``lot.clm``."""
    local = moment.astimezone(zone) if zone is not None else local_time(lot.clm, moment)
    if lot.selection_day is None or local.date() != lot.selection_day:
        if local.weekday() != 0:
            return _("Lots are chosen on Mondays only, 09:00 to 18:30 local time.")
        return _("This lot is not offered for selection today.")
    if not (SELECTION_OPENS <= local.time() <= SELECTION_CLOSES):
        return _("Lots are chosen from 09:00 to 18:30 local time; it is %(time)s now.") % {
            "time": f"{local:%H:%M}"
        }
    return None


def _notice(
    agency: Organisation, lot: Lot | None, kind: str, subject: str, body: str, rule: str
) -> None:
    AgencyNotice.objects.create(
        agency=agency, lot=lot, kind=kind, subject=subject[:200], body=body, rule=rule
    )
    cabinet = AgencyCabinet.objects.filter(agency=agency).first()
    if cabinet is not None and cabinet.contact_email:
        from django.core.mail import send_mail

        address = cabinet.contact_email
        transaction.on_commit(
            lambda: send_mail(subject[:200], body, None, [address], fail_silently=True)
        )


def _event(lot: Lot, kind: str, actor: User | None, **payload: Any) -> None:
    LotEvent.objects.create(lot=lot, kind=kind, actor=actor, payload=payload)


# --- confirmation (OUT-03, OUT-04, OUT-07) ------------------------------------------------------


def lot_confirm(
    *,
    actor: User,
    lot_id: int,
    cms: bytes,
    agency_id: int | None = None,
    now: datetime | None = None,
) -> LotConfirmation:
    """A certified agency confirms a lot with its EDS on the selection day; the confirmation
    takes the next place in the lot's queue. Refusals name the rule: not certified (OUT-04),
    outside the window (OUT-03), a bad signature or a fourth lot of the day (OUT-07)."""
    agency = _agency_for(actor, agency_id)
    found = _lot_for_confirmation(lot_id, agency.pk)
    lot, facts = found if found is not None else (None, None)
    if facts is not None and not facts.agency_certified:
        raise Forbidden(
            code="cabinet_not_certified",
            message=_("Certify the agency's cabinet with its EDS before choosing lots."),
            rule="OUT-04",
        )
    if lot is None or facts is None or lot.status not in (LotStatus.OPEN, LotStatus.IN_REVIEW):
        raise NotFound(_("There is no such lot open for selection."))
    moment = now or timezone.now()
    problem = selection_window_error(lot, moment, zone=ZoneInfo(facts.clm_timezone))
    if problem:
        raise Conflict("outside_selection_window", problem, "OUT-03")
    day = lot.selection_day
    assert day is not None  # the window check needs it
    if not facts.announced:
        raise Conflict("not_announced", _("The lot has not been announced for today."), "OUT-01")
    if facts.already_confirmed:
        raise _already_confirmed()
    if facts.agency_used >= MAX_CONFIRMATIONS_PER_DAY:
        raise _daily_limit()
    content = confirmation_payload(lot, agency, day)
    result = signatures.verify(
        cms=cms,
        content=content,
        expected_iin=actor.iin or None,
        expected_bin=agency.bin,
        rule="OUT-07",
    )
    # Counted from the moment of the request, here rather than under the locks.
    review_due_at = deadline_at(moment, REVIEW_WORKING_DAYS)
    notice_due_at = deadline_at(moment, REVIEW_WORKING_DAYS + NOTICE_WORKING_DAYS)
    for attempt in range(_MAX_ATTEMPTS):
        signature = signatures.evidence_row(
            cms=cms,
            content=content,
            result=result,
            purpose="outsourcing.lot_confirmation",
            actor=actor,
        )
        confirmation = LotConfirmation(
            lot=lot,
            agency=agency,
            selection_day=day,
            confirmed_by=actor,
            review_due_at=review_due_at,
            notice_due_at=notice_due_at,
        )
        event = LotEvent(lot=lot, kind="confirmed", actor=actor, payload={"agency": agency.pk})
        try:
            if connection.vendor == "postgresql":
                return _take_place_in_one_call(signature, confirmation, event)
            with write_queue(), transaction.atomic():
                return _take_place(signature, confirmation, event)
        except IntegrityError:
            if LotConfirmation.objects.filter(lot=lot, selection_day=day, agency=agency).exists():
                raise _already_confirmed() from None
        except OperationalError as exc:  # SQLite: the write lock was not had within the timeout
            if "locked" not in str(exc):
                raise
        time_module.sleep(random.uniform(0, 0.002 * (attempt + 1)))  # noqa: S311 - jitter only
    raise Conflict(
        "busy", _("Too many confirmations at once: send the confirmation again."), "OUT-07"
    )


@functools.cache
def _lot_for_confirmation_sql() -> str:
    from labormarket.reference.models import Region

    lots = Lot._meta.db_table
    membership = Announcement._meta.get_field("lots")
    through = Announcement.lots.through._meta.db_table
    confirmations = LotConfirmation._meta.db_table
    return (
        f"SELECT l.*, r.timezone AS clm_timezone,"  # noqa: S608 - the models' tables; values are parameters
        f" EXISTS (SELECT 1 FROM {through} m JOIN {Announcement._meta.db_table} a"
        f"  ON a.id = m.{membership.m2m_column_name()}"
        f"  WHERE m.{membership.m2m_reverse_name()} = l.id AND a.status = %s"
        f"  AND a.selection_day = l.selection_day) AS announced,"
        f" EXISTS (SELECT 1 FROM {AgencyCabinet._meta.db_table} WHERE agency_id = %s)"
        f"  AS agency_certified,"
        f" EXISTS (SELECT 1 FROM {confirmations} c WHERE c.lot_id = l.id AND c.agency_id = %s"
        f"  AND c.selection_day = l.selection_day) AS already_confirmed,"
        f" (SELECT COUNT(*) FROM {confirmations} c WHERE c.agency_id = %s"
        f"  AND c.selection_day = l.selection_day) AS agency_used"
        f" FROM {lots} l JOIN {Organisation._meta.db_table} o ON o.id = l.clm_id"
        f" JOIN {Region._meta.db_table} r ON r.id = o.region_id"
        f" WHERE l.id = %s"
    )


@dataclass(frozen=True)
class _Facts:
    """What :func:`_lot_for_confirmation` reads beside the lot."""

    clm_timezone: str
    announced: bool
    agency_certified: bool
    already_confirmed: bool
    agency_used: int


def _lot_for_confirmation(lot_id: int, agency_id: int) -> tuple[Lot, _Facts] | None:
    """The lot with what :func:`lot_confirm` checks before any lock, in one statement: the time
    zone of its CLM's region, whether it is announced for its day, whether the agency's cabinet
    is certified, and — so that most refusals of the burst (a fourth lot, the same lot twice)
    wait for nobody — whether the agency has confirmed it today and how many lots it has
    (both checked again under the locks). Written out because it runs for every request of the
    Monday burst, and the equivalent queryset took 3 ms of CPU to build and compile: as much as
    checking the signature (docs/benchmarks.md)."""
    rows = Lot.objects.raw(
        _lot_for_confirmation_sql(),
        [AnnouncementStatus.PUBLISHED, agency_id, agency_id, agency_id, lot_id],
    )
    lot = next(iter(rows), None)
    if lot is None:
        return None
    extra = lot.__dict__  # the statement's columns that are not the lot's
    return lot, _Facts(
        clm_timezone=str(extra["clm_timezone"]),
        announced=bool(extra["announced"]),
        agency_certified=bool(extra["agency_certified"]),
        already_confirmed=bool(extra["already_confirmed"]),
        agency_used=int(extra["agency_used"] or 0),
    )


def _daily_limit() -> Conflict:
    return Conflict(
        "daily_limit",
        _("An agency may confirm at most %(n)d lots in one day.")
        % {"n": MAX_CONFIRMATIONS_PER_DAY},
        "OUT-07",
    )


def _already_confirmed() -> Conflict:
    return Conflict(
        "already_confirmed", _("The agency has already confirmed this lot today."), "OUT-07"
    )


def _take_place(signature: Any, confirmation: LotConfirmation, event: LotEvent) -> LotConfirmation:
    """The locked part of :func:`lot_confirm`, statement by statement (SQLite; on PostgreSQL
    ``queue_sql`` runs the same in one call)."""
    lot, agency, day = confirmation.lot, confirmation.agency, confirmation.selection_day
    # The evidence row first: it needs no lock, and the locks below are then held for less.
    signature.save(force_insert=True)
    confirmations = LotConfirmation._meta.db_table
    with connection.cursor() as cursor:
        # How many lots the agency has confirmed today, and the lot's last place today: one
        # statement. A second confirmation of the same lot fails on its unique constraint (see
        # lot_confirm).
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {confirmations} WHERE agency_id = %s AND selection_day = %s),"  # noqa: S608 - the model's table
            f" (SELECT MAX(position) FROM {confirmations} WHERE lot_id = %s AND selection_day = %s)",
            [agency.pk, day, lot.pk, day],
        )
        used, last = cursor.fetchone()
    if used >= MAX_CONFIRMATIONS_PER_DAY:
        raise _daily_limit()
    confirmation.position = (last or 0) + 1
    confirmation.daily_number = used + 1
    confirmation.confirmed_at = timezone.now()
    confirmation.signature = signature
    confirmation.save(force_insert=True)
    if confirmation.position == 1:
        Lot.objects.filter(pk=lot.pk, status=LotStatus.OPEN).update(
            status=LotStatus.IN_REVIEW, updated_at=confirmation.confirmed_at
        )
    event.occurred_at = confirmation.confirmed_at
    event.payload["position"] = confirmation.position
    event.save(force_insert=True)
    return confirmation


def _take_place_in_one_call(
    signature: Any, confirmation: LotConfirmation, event: LotEvent
) -> LotConfirmation:
    """PostgreSQL: the locked part of :func:`lot_confirm` as one autocommitted call, so that the
    locks are released when the server has run it (``queue_sql``, ADR 0011)."""
    confirmation.confirmed_at = timezone.now()  # the function adds its wait for the locks
    with connection.cursor() as cursor:
        place = queue_sql.take_place(
            cursor,
            signature=signature,
            confirmation=confirmation,
            event=event,
            max_per_day=MAX_CONFIRMATIONS_PER_DAY,
        )
    if place.refusal == "already_confirmed":
        raise _already_confirmed()
    if place.refusal == "daily_limit":
        raise _daily_limit()
    assert place.refusal is None, place.refusal
    signature.pk = place.signature_id
    signature._state.adding = False
    signature._state.db = connection.alias
    assert place.position is not None
    assert place.daily_number is not None
    assert place.confirmed_at is not None
    confirmation.pk = place.confirmation_id
    confirmation.position = place.position
    confirmation.daily_number = place.daily_number
    confirmation.confirmed_at = place.confirmed_at
    confirmation.signature = signature
    confirmation._state.adding = False
    confirmation._state.db = connection.alias
    return confirmation


# --- qualification review (OUT-08, OUT-09, OUT-10) ---------------------------------------------


@transaction.atomic
def confirmation_review(
    *,
    actor: User,
    confirmation_id: int,
    admit: bool,
    ground: int | None = None,
    reasons: str = "",
) -> LotConfirmation:
    """The CLM admits the agency or refuses it, a refusal citing one of the grounds of OUT-10
    with motivated reasons; the agency is notified at once (OUT-09)."""
    confirmation = (
        LotConfirmation.objects.select_for_update()
        .select_related("lot__clm", "agency")
        .filter(pk=confirmation_id)
        .first()
    )
    if confirmation is None or not policies.can_run_clm(actor, confirmation.lot.clm_id):
        raise NotFound()
    if confirmation.status != ConfirmationStatus.PENDING_REVIEW:
        raise Conflict("already_reviewed", _("This agency has already been reviewed."), "OUT-09")
    errors = FieldErrors()
    if not admit:
        if ground not in RefusalGround.values:
            errors.add(
                "ground",
                "invalid_choice",
                _("A refusal cites one of the four grounds of the Rules."),
                "OUT-10",
            )
        elif ground not in REVIEW_REFUSAL_GROUNDS:
            errors.add(
                "ground",
                "not_a_review_ground",
                _(
                    "“Not the first to confirm” is applied when an agency ahead in the queue "
                    "signs the contract, not at review."
                ),
                "OUT-10",
            )
        if not reasons.strip():
            errors.add("reasons", "required", _("Give the reasons for the refusal."), "OUT-09")
    errors.raise_if_any()
    now = timezone.now()
    lot, agency = confirmation.lot, confirmation.agency
    confirmation.reviewed_at = now
    confirmation.reviewed_by = actor
    confirmation.notified_at = now
    if admit:
        confirmation.status = ConfirmationStatus.ADMITTED
        subject = _("Lot %(lot)s: your agency meets the qualification requirements") % {
            "lot": lot.number
        }
        body = _(
            "Your agency meets the qualification requirements for lot %(lot)s and holds place "
            "%(position)d in its queue. The draft contract is sent in queue order."
        ) % {"lot": lot.number, "position": confirmation.position}
    else:
        assert ground is not None
        confirmation.status = ConfirmationStatus.REFUSED
        confirmation.refusal_ground = ground
        confirmation.refusal_reasons = reasons.strip()
        subject = _("Lot %(lot)s: your agency is refused") % {"lot": lot.number}
        body = _("Ground: %(ground)s.\nReasons: %(reasons)s") % {
            "ground": RefusalGround(ground).label,
            "reasons": confirmation.refusal_reasons,
        }
    confirmation.save()
    _notice(agency, lot, "review_result", subject, body, "OUT-09")
    _event(lot, "reviewed", actor, confirmation=confirmation.pk, admitted=admit, ground=ground)
    return confirmation


# --- the cascade (OUT-11, OUT-12, OUT-13) --------------------------------------------------------


def draft_contract_pdf(lot: Lot, confirmation: LotConfirmation) -> bytes:
    members = list(lot.members.filter(is_active=True))
    total = lot.price_per_person * len(members)
    return render_pdf(
        "outsourcing/pdf/contract.html",
        {
            "lot": lot,
            "clm": lot.clm,
            "agency": confirmation.agency,
            "cabinet": AgencyCabinet.objects.filter(agency=confirmation.agency).first(),
            "people_count": len(members),
            "total": total,
            "advance": (total * 20 / 100).quantize(Decimal("0.01")),
            "confirmation": confirmation,
        },
    )


def _send_offer(lot: Lot, confirmation: LotConfirmation, now: datetime) -> ContractOffer:
    document = draft_contract_pdf(lot, confirmation)
    offer = ContractOffer.objects.create(
        lot=lot,
        confirmation=confirmation,
        document=document,
        document_sha256=hashlib.sha256(document).hexdigest(),
        sent_at=now,
        sign_due_at=deadline_at(now, SIGN_WORKING_DAYS),
    )
    confirmation.status = ConfirmationStatus.OFFERED
    confirmation.save(update_fields=["status"])
    _notice(
        confirmation.agency,
        lot,
        "contract_offer",
        _("Lot %(lot)s: the draft outsourcing contract") % {"lot": lot.number},
        _(
            "The draft contract for lot %(lot)s is in your cabinet. Sign it with the agency's "
            "EDS by %(due)s; after that it passes to the next agency in the queue."
        )
        % {"lot": lot.number, "due": f"{timezone.localtime(offer.sign_due_at):%d.%m.%Y}"},
        "OUT-11",
    )
    _event(
        lot, "offered", None, confirmation=confirmation.pk, sign_due=offer.sign_due_at.isoformat()
    )
    return offer


def _advance_lot(lot: Lot, now: datetime) -> str | None:
    """One step of a lot's cascade; what was done, or None when it must wait."""
    open_offer = lot.offers.filter(status=OfferStatus.OPEN).select_related("confirmation").first()
    if open_offer is not None:
        if now <= open_offer.sign_due_at:
            return None
        # OUT-12: not signed within 2 working days — withdraw and pass on.
        withdrawn = ContractOffer.objects.filter(pk=open_offer.pk, status=OfferStatus.OPEN).update(
            status=OfferStatus.WITHDRAWN, withdrawn_at=now
        )
        if not withdrawn:
            return None
        confirmation = open_offer.confirmation
        confirmation.status = ConfirmationStatus.LAPSED
        confirmation.save(update_fields=["status"])
        _notice(
            confirmation.agency,
            lot,
            "contract_offer_withdrawn",
            _("Lot %(lot)s: the draft contract is withdrawn") % {"lot": lot.number},
            _("The draft contract was not signed within 2 working days and is withdrawn."),
            "OUT-12",
        )
        _event(lot, "offer_withdrawn", None, confirmation=confirmation.pk)
        return "withdrawn"
    assert lot.selection_day is not None
    live = list(
        lot.confirmations.filter(
            selection_day=lot.selection_day, status__in=LIVE_CONFIRMATION_STATUSES
        )
        .select_related("agency")
        .order_by("position")
    )
    if not live:
        # Everyone refused or let the offer lapse: offered again on the next selection day.
        _republish(lot, now, reason="no_qualifying_agency")
        return "republished"
    first = live[0]
    if first.status == ConfirmationStatus.ADMITTED:
        _send_offer(lot, first, now)
        return "offered"
    return None  # the first in the queue is still under review


def _republish(lot: Lot, now: datetime, *, reason: str) -> None:
    """OUT-13: the lot is offered again on the next selection day (the next announcement)."""
    day = next_selection_day(local_time(lot.clm, now).date())
    Lot.objects.filter(pk=lot.pk).update(
        status=LotStatus.OPEN,
        selection_day=day,
        times_offered=F("times_offered") + 1,
        updated_at=now,
    )
    _event(lot, "republished", None, selection_day=str(day), reason=reason)


def lots_advance(now: datetime | None = None) -> dict[str, int]:
    """The periodic cascade: offer the draft contract to the first qualifying agency (OUT-11),
    withdraw offers not signed in time and pass them on (OUT-12), and put up again the lots
    nobody chose once the selection window has closed (OUT-13). Idempotent: each step is a
    conditional update, so a second run (or two at once) does nothing more."""
    moment = now or timezone.now()
    counts = {"offered": 0, "withdrawn": 0, "republished": 0}
    for lot_id in Lot.objects.filter(status=LotStatus.IN_REVIEW).values_list("pk", flat=True):
        while True:
            with transaction.atomic():
                lot = Lot.objects.select_for_update().select_related("clm__region").get(pk=lot_id)
                if lot.status != LotStatus.IN_REVIEW:
                    break
                if selection_window_error(lot, moment) is None:
                    break  # still Monday: more agencies may confirm
                done = _advance_lot(lot, moment)
            if done is None:
                break
            counts[done] += 1
            if done != "withdrawn":
                break
    for lot in Lot.objects.filter(
        status=LotStatus.OPEN, selection_day__isnull=False
    ).select_related("clm__region"):
        assert lot.selection_day is not None
        closes = datetime.combine(
            lot.selection_day, SELECTION_CLOSES, tzinfo=local_time(lot.clm, moment).tzinfo
        )
        if (
            moment > closes
            and not lot.confirmations.filter(selection_day=lot.selection_day).exists()
        ):
            with transaction.atomic():
                if Lot.objects.filter(
                    pk=lot.pk, status=LotStatus.OPEN, selection_day=lot.selection_day
                ).exists():
                    _republish(lot, moment, reason="not_chosen")
                    counts["republished"] += 1
    return counts


def review_overdue(now: datetime | None = None) -> Any:
    """Confirmations whose review is past its deadline (shown to the CLM head)."""
    moment = now or timezone.now()
    return LotConfirmation.objects.filter(
        status=ConfirmationStatus.PENDING_REVIEW, review_due_at__lt=moment
    )


def offer_for_agency(actor: User, offer_id: int) -> ContractOffer:
    offer = (
        ContractOffer.objects.select_related("confirmation__agency", "lot")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None or not policies.can_act_for_agency(actor, offer.confirmation.agency_id):
        raise NotFound()
    return offer
