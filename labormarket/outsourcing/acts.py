"""Placements, acts of services and the staged payments (OUT-18…OUT-24).

- The agency reports whom it placed; a placement counts only once the register of employment
  contracts shows that person starting work at that employer after the contract date.
- Stage 1 is reached when the 30 working days of OUT-18 are over (or everyone is employed);
  stages 2 and 3 when every person employed in stage 1 has had the time to complete 3 / 6
  months. :func:`stage_status` says which stages are reached and what each is worth.
- The agency prepares the act (a PDF with the Appendix 2 contents), signs it with its head's
  EDS and submits it within 3 working days (OUT-20); the CLM head signs it or refuses it with
  reasons within 3 working days, or announces further study within those 3 days and decides
  within 10 (OUT-21).
- Money: the advance is 20 % of the contract sum (OUT-22), due 5 working days after the
  contract; signing the stage-1 act makes the agency owe the part of the advance for the people
  not employed, due within 10 working days; stage 2 pays 50 % and stage 3 30 % of the price per
  person continuously employed 3 / 6 months, due within 10 working days of the act. Every
  payment is a ledger row with an idempotency key, one per stage (:class:`StagePayment`), and
  the account's ceiling is the contract sum (OUT-19).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from labormarket.accounts.models import User
from labormarket.core.bin import InvalidBIN, parse_bin
from labormarket.core.calendar import add_working_days, deadline_at, to_business_date
from labormarket.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from labormarket.core.money import percent_of, prorate
from labormarket.core.pdf import render_pdf
from labormarket.core.signatures import evidence as signatures
from labormarket.payments import services as payments
from labormarket.payments.choices import AccountKind, Direction, EntryKind
from labormarket.payments.models import Account, LedgerEntry
from labormarket.registry import selectors as registry_selectors

from . import policies
from .choices import ActStage, ActStatus, PlacementStatus
from .models import OutsourcingContract, Placement, ServiceAct, StagePayment
from .selection import _event, _notice

ADVANCE_PERCENT = 20
STAGE_PERCENT = {ActStage.THREE_MONTHS: 50, ActStage.SIX_MONTHS: 30}
STAGE_MONTHS = {ActStage.THREE_MONTHS: 3, ActStage.SIX_MONTHS: 6}
STAGE_RULE = {
    ActStage.EMPLOYMENT: "OUT-22",
    ActStage.THREE_MONTHS: "OUT-23",
    ActStage.SIX_MONTHS: "OUT-24",
}
#: OUT-20: the act is sent within 3 working days of the stage's completion.
ACT_SUBMIT_WORKING_DAYS = 3
#: OUT-21: the CLM decides within 3 working days, or 10 with notice within 3.
ACT_DECISION_WORKING_DAYS = 3
ACT_EXTENDED_WORKING_DAYS = 10
#: OUT-22…OUT-24: refunds and stage payments are due within 10 working days of the act.
PAYMENT_WORKING_DAYS = 10


def contract_account(contract: OutsourcingContract) -> Account:
    """The contract's payment account; its ceiling is the contract sum (OUT-19)."""
    return payments.account_open(
        kind=AccountKind.OUTSOURCING_CONTRACT,
        reference=contract.number,
        ceiling=contract.total_sum,
        ceiling_rule="OUT-19",
    )


def schedule_advance(contract: OutsourcingContract, *, actor: User | None) -> None:
    """Open the contract's account when the contract is concluded; the advance itself is
    ordered by the CLM (:func:`payment_order`), due by ``contract.advance_due_on``."""
    contract_account(contract)


# --- placements ----------------------------------------------------------------------------------


def _contract_of_agency(actor: User, contract_id: int) -> OutsourcingContract:
    contract = (
        OutsourcingContract.objects.select_related("lot", "agency", "clm")
        .filter(pk=contract_id)
        .first()
    )
    if contract is None or not policies.can_act_for_agency(actor, contract.agency_id):
        raise NotFound()
    return contract


def _contract_of_clm(actor: User, contract_id: int) -> OutsourcingContract:
    contract = (
        OutsourcingContract.objects.select_related("lot", "agency", "clm")
        .filter(pk=contract_id)
        .first()
    )
    if contract is None or not policies.can_run_clm(actor, contract.clm_id):
        raise NotFound()
    return contract


@transaction.atomic
def placement_report(
    *,
    actor: User,
    contract_id: int,
    member_id: int,
    employer_bin: str,
    employer_name: str,
    position: str,
    started_on: date,
) -> Placement:
    """The agency reports that a person of its lot started work (OUT-18)."""
    contract = _contract_of_agency(actor, contract_id)
    member = (
        contract.lot.members.filter(pk=member_id, is_active=True).select_related("person").first()
    )
    if member is None:
        raise NotFound(_("There is no such person in the lot."))
    errors = FieldErrors()
    try:
        employer_bin = parse_bin(employer_bin).value
    except InvalidBIN as exc:
        errors.add("employer_bin", "invalid_bin", str(exc))
    if not employer_name.strip():
        errors.add("employer_name", "required", _("Name the employer."))
    if not position.strip():
        errors.add("position", "required", _("Name the position."))
    concluded_on = to_business_date(contract.concluded_at)
    if started_on < concluded_on:
        errors.add(
            "started_on",
            "before_contract",
            _("The work must start on or after the contract date (%(date)s).")
            % {"date": f"{concluded_on:%d.%m.%Y}"},
            "OUT-18",
        )
    if started_on > timezone.localdate():
        errors.add("started_on", "in_future", _("The start date cannot be in the future."))
    errors.raise_if_any()
    if Placement.objects.filter(member=member).exists():
        raise Conflict("already_reported", _("This person's placement is already reported."))
    placement = Placement.objects.create(
        contract=contract,
        member=member,
        employer_bin=employer_bin,
        employer_name=employer_name.strip(),
        position=position.strip(),
        started_on=started_on,
        reported_by=actor,
    )
    _check_placement(placement, timezone.localdate())
    return placement


def _check_placement(placement: Placement, today: date) -> None:
    """Confirm a reported placement against the register of employment contracts."""
    contract = placement.contract
    record = registry_selectors.employment_started(
        placement.member.person,
        since=to_business_date(contract.concluded_at),
        until=contract.employment_due_on,
    )
    if record is not None and record.employer_bin == placement.employer_bin:
        placement.status = PlacementStatus.CONFIRMED
    elif today > contract.employment_due_on:
        placement.status = PlacementStatus.NOT_CONFIRMED
    else:
        return
    placement.checked_at = timezone.now()
    placement.save(update_fields=["status", "checked_at"])


def placements_check(today: date | None = None) -> int:
    """The periodic check of reported placements after each register import; how many were
    decided."""
    day = today or timezone.localdate()
    decided = 0
    for placement in Placement.objects.filter(status=PlacementStatus.REPORTED).select_related(
        "contract", "member__person"
    ):
        _check_placement(placement, day)
        decided += placement.status != PlacementStatus.REPORTED
    return decided


# --- stages ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageFigures:
    stage: int
    reached: bool
    completed_on: date | None
    submit_due_on: date | None
    people_count: int
    amount: Decimal
    refund: Decimal
    inputs: dict[str, Any]


def stage_status(contract: OutsourcingContract, stage: int, today: date) -> StageFigures:
    """Whether ``stage`` is reached on ``today`` and what it is worth (OUT-22…OUT-24)."""
    placements = list(
        contract.placements.filter(
            status=PlacementStatus.CONFIRMED, started_on__lte=contract.employment_due_on
        ).select_related("member__person")
    )
    total = contract.people_count
    employed = len(placements)
    advance = percent_of(contract.total_sum, ADVANCE_PERCENT)
    if stage == ActStage.EMPLOYMENT:
        everyone = employed == total
        completed = (
            max(p.started_on for p in placements)
            if everyone and placements
            else contract.employment_due_on
        )
        reached = everyone or today > contract.employment_due_on
        refund = prorate(advance, total - employed, total) if total else Decimal("0.00")
        return StageFigures(
            stage=stage,
            reached=reached,
            completed_on=completed if reached else None,
            submit_due_on=add_working_days(completed, ACT_SUBMIT_WORKING_DAYS) if reached else None,
            people_count=employed,
            amount=advance - refund,
            refund=refund,
            inputs={
                "rule": "OUT-22",
                "contract_sum": str(contract.total_sum),
                "advance_percent": ADVANCE_PERCENT,
                "advance": str(advance),
                "people_in_lot": total,
                "employed_within_30_working_days": employed,
                "not_employed": total - employed,
                "refund": str(refund),
            },
        )
    months = STAGE_MONTHS[ActStage(stage)]
    if not placements:
        return StageFigures(stage, False, None, None, 0, Decimal("0.00"), Decimal("0.00"), {})
    completed = max(p.started_on for p in placements) + relativedelta(months=months)
    since = to_business_date(contract.concluded_at)
    kept = [
        p
        for p in placements
        if (
            spell := registry_selectors.continuous_employment(
                p.member.person, since=since, months=months, on=min(today, completed)
            )
        )
        is not None
        and spell.employer_bin == p.employer_bin
    ]
    reached = today >= completed
    percent = STAGE_PERCENT[ActStage(stage)]
    unit = percent_of(contract.price_per_person, percent)
    amount = unit * len(kept)
    return StageFigures(
        stage=stage,
        reached=reached,
        completed_on=completed if reached else None,
        submit_due_on=add_working_days(completed, ACT_SUBMIT_WORKING_DAYS) if reached else None,
        people_count=len(kept),
        amount=amount,
        refund=Decimal("0.00"),
        inputs={
            "rule": STAGE_RULE[ActStage(stage)],
            "price_per_person": str(contract.price_per_person),
            "percent": percent,
            "unit_amount": str(unit),
            "months": months,
            "continuously_employed": len(kept),
        },
    )


# --- acts -------------------------------------------------------------------------------------------


def act_prepare(
    *, actor: User, contract_id: int, stage: int, today: date | None = None
) -> ServiceAct:
    """The agency prepares the act of a reached stage: the PDF it will sign (OUT-20). A stage not
    reached, or one whose act is already submitted or signed, is refused."""
    contract = _contract_of_agency(actor, contract_id)
    if stage not in ActStage.values:
        raise ValidationFailed.single(
            "stage", "invalid_choice", _("The stage is 1, 2 or 3."), "OUT-20"
        )
    day = today or timezone.localdate()
    figures = stage_status(contract, stage, day)
    if not figures.reached:
        raise Conflict(
            "stage_not_reached",
            _("Stage %(stage)d is not completed yet: there is nothing to act on.")
            % {"stage": stage},
            "OUT-20",
        )
    if stage > 1 and not contract.acts.filter(stage=stage - 1, status=ActStatus.SIGNED).exists():
        raise Conflict(
            "previous_stage_open",
            _("The act of the previous stage must be signed first."),
            "OUT-20",
        )
    assert figures.completed_on is not None
    assert figures.submit_due_on is not None
    with transaction.atomic():
        live = (
            contract.acts.select_for_update()
            .exclude(status=ActStatus.REFUSED)
            .filter(stage=stage)
            .first()
        )
        if live is not None and live.status != ActStatus.DRAFT:
            raise Conflict("act_exists", _("The act of this stage is already submitted."), "OUT-20")
        if live is not None:
            live.delete()
        number = f"{contract.number}-{stage}-{timezone.now():%Y%m%d%H%M%S%f}"
        document = render_pdf(
            "outsourcing/pdf/act.html",
            {
                "contract": contract,
                "cabinet": getattr(contract.agency, "outsourcing_cabinet", None),
                "stage": ActStage(stage),
                "figures": figures,
                "number": number,
                "paid_so_far": contract_account(contract).paid_out,
            },
        )
        return ServiceAct.objects.create(
            contract=contract,
            stage=stage,
            number=number,
            status=ActStatus.DRAFT,
            stage_completed_on=figures.completed_on,
            submit_due_on=figures.submit_due_on,
            people_count=figures.people_count,
            amount=figures.amount,
            inputs=figures.inputs,
            document=document,
            document_sha256=hashlib.sha256(document).hexdigest(),
        )


def act_submit(*, actor: User, act_id: int, cms: bytes, now: datetime | None = None) -> ServiceAct:
    """The agency's head signs the prepared act with EDS and sends it to the CLM (OUT-20)."""
    act = (
        ServiceAct.objects.select_related("contract__agency", "contract__lot")
        .filter(pk=act_id)
        .first()
    )
    if act is None or not policies.can_act_for_agency(actor, act.contract.agency_id):
        raise NotFound()
    if act.status != ActStatus.DRAFT:
        raise Conflict("act_submitted", _("The act is already submitted."), "OUT-20")
    content = bytes(act.document)
    result = signatures.verify(
        cms=cms,
        content=content,
        expected_iin=actor.iin or None,
        expected_bin=act.contract.agency.bin,
        rule="OUT-20",
    )
    moment = now or timezone.now()
    with transaction.atomic():
        if not ServiceAct.objects.filter(pk=act.pk, status=ActStatus.DRAFT).update(
            status=ActStatus.SUBMITTED,
            submitted_at=moment,
            submitted_by=actor,
            decision_due_at=deadline_at(moment, ACT_DECISION_WORKING_DAYS),
            extension_notice_due_at=deadline_at(moment, ACT_DECISION_WORKING_DAYS),
        ):
            raise Conflict("act_submitted", _("The act is already submitted."), "OUT-20")
        signature = signatures.store(
            cms=cms, content=content, result=result, purpose="outsourcing.act", actor=actor
        )
        ServiceAct.objects.filter(pk=act.pk).update(agency_signature=signature)
        _event(act.contract.lot, "act_submitted", actor, act=act.pk, stage=act.stage)
    act.refresh_from_db()
    return act


def act_extend(*, actor: User, act_id: int, now: datetime | None = None) -> ServiceAct:
    """OUT-21: the CLM needs further study — allowed within 3 working days of receipt, and the
    decision is then due within 10 working days of receipt; the agency is told at once."""
    moment = now or timezone.now()
    with transaction.atomic():
        act = _act_for_clm(actor, act_id)
        if act.status != ActStatus.SUBMITTED:
            raise Conflict("act_not_waiting", _("The act is not waiting for a decision."), "OUT-21")
        assert act.submitted_at is not None
        assert act.extension_notice_due_at is not None
        if moment > act.extension_notice_due_at:
            raise Conflict(
                "extension_too_late",
                _("Further study must be announced within 3 working days of receiving the act."),
                "OUT-21",
            )
        act.status = ActStatus.EXTENDED
        act.extended_at = moment
        act.decision_due_at = deadline_at(act.submitted_at, ACT_EXTENDED_WORKING_DAYS)
        act.save(update_fields=["status", "extended_at", "decision_due_at"])
        _notice(
            act.contract.agency,
            act.contract.lot,
            "act_extended",
            _("Act %(number)s: further study") % {"number": act.number},
            _("The CLM studies the services further and decides by %(date)s.")
            % {"date": f"{timezone.localtime(act.decision_due_at):%d.%m.%Y}"},
            "OUT-21",
        )
    return act


def _act_for_clm(actor: User, act_id: int) -> ServiceAct:
    act = (
        ServiceAct.objects.select_for_update()
        .select_related("contract__agency", "contract__lot", "contract__clm")
        .filter(pk=act_id)
        .first()
    )
    if act is None or not policies.can_run_clm(actor, act.contract.clm_id):
        raise NotFound()
    return act


def act_refuse(*, actor: User, act_id: int, reasons: str) -> ServiceAct:
    """OUT-21: the CLM refuses the act with motivated reasons; the agency may prepare it again."""
    if not reasons.strip():
        raise ValidationFailed.single(
            "reasons", "required", _("Give the reasons for the refusal."), "OUT-21"
        )
    with transaction.atomic():
        act = _act_for_clm(actor, act_id)
        if act.status not in (ActStatus.SUBMITTED, ActStatus.EXTENDED):
            raise Conflict("act_not_waiting", _("The act is not waiting for a decision."), "OUT-21")
        act.status = ActStatus.REFUSED
        act.decided_at = timezone.now()
        act.decided_by = actor
        act.refusal_reasons = reasons.strip()
        act.save(update_fields=["status", "decided_at", "decided_by", "refusal_reasons"])
        _notice(
            act.contract.agency,
            act.contract.lot,
            "act_refused",
            _("Act %(number)s is refused") % {"number": act.number},
            act.refusal_reasons,
            "OUT-21",
        )
    return act


def act_sign(*, actor: User, act_id: int, cms: bytes, now: datetime | None = None) -> ServiceAct:
    """OUT-21: the head of the CLM signs the act with EDS. Signing the stage-1 act records the
    refund the agency owes for the people not employed (OUT-22)."""
    act = (
        ServiceAct.objects.select_related("contract__clm", "contract__agency", "contract__lot")
        .filter(pk=act_id)
        .first()
    )
    if act is None or not policies.can_run_clm(actor, act.contract.clm_id):
        raise NotFound()
    if act.contract.clm_id not in policies.clm_head_ids_of(actor):
        # The CLM's specialist sees the act (and may refuse it or announce further study) but
        # the act is signed by the head of the CLM (Appendix 2: the customer's head).
        raise Forbidden(
            code="head_only",
            message=_("The act is signed by the head of the centre of labour mobility."),
            rule="OUT-21",
        )
    content = bytes(act.document)
    result = signatures.verify(
        cms=cms,
        content=content,
        expected_iin=actor.iin or None,
        expected_bin=act.contract.clm.bin,
        rule="OUT-21",
    )
    moment = now or timezone.now()
    with transaction.atomic():
        act = _act_for_clm(actor, act_id)
        if act.status not in (ActStatus.SUBMITTED, ActStatus.EXTENDED):
            raise Conflict("act_not_waiting", _("The act is not waiting for a decision."), "OUT-21")
        act.clm_signature = signatures.store(
            cms=cms, content=content, result=result, purpose="outsourcing.act_clm", actor=actor
        )
        act.status = ActStatus.SIGNED
        act.decided_at = moment
        act.decided_by = actor
        act.save(update_fields=["status", "decided_at", "decided_by", "clm_signature"])
        refund = Decimal(act.inputs.get("refund", "0"))
        if act.stage == ActStage.EMPLOYMENT and refund > 0 and _advance_ordered(act.contract):
            # The agency owes back part of the advance it got. When the advance has not been
            # ordered yet there is nothing to refund: the advance, once ordered, is paid less
            # this part (payment_order_record) — the same money, and never a refund above what
            # was paid out.
            _record_stage_entry(
                act.contract,
                stage=ActStage.EMPLOYMENT,
                is_refund=True,
                act=act,
                amount=refund,
                due_on=add_working_days(to_business_date(moment), PAYMENT_WORKING_DAYS),
                inputs=act.inputs,
                idempotency_key=f"outsourcing-act-{act.pk}-refund",
                actor=actor,
            )
        _notice(
            act.contract.agency,
            act.contract.lot,
            "act_signed",
            _("Act %(number)s is signed") % {"number": act.number},
            _("The CLM signed the act of stage %(stage)d.") % {"stage": act.stage},
            "OUT-21",
        )
    return act


# --- payments ----------------------------------------------------------------------------------------


def _record_stage_entry(
    contract: OutsourcingContract,
    *,
    stage: int,
    is_refund: bool,
    act: ServiceAct | None,
    amount: Decimal,
    due_on: date,
    inputs: dict[str, Any],
    idempotency_key: str,
    actor: User | None,
) -> tuple[LedgerEntry, bool]:
    if is_refund:
        kind, direction = EntryKind.ADVANCE_REFUND, Direction.IN
    elif stage == ActStage.EMPLOYMENT:
        kind, direction = EntryKind.ADVANCE, Direction.OUT
    else:
        kind, direction = EntryKind.STAGE_PAYMENT, Direction.OUT
    entry, created = payments.record_entry(
        account=contract_account(contract),
        kind=kind,
        direction=direction,
        amount=amount,
        due_on=due_on,
        rule=STAGE_RULE[ActStage(stage)],
        inputs=inputs,
        idempotency_key=idempotency_key,
        actor=actor,
        description=f"{contract.number}: {ActStage(stage).label}",
    )
    if created:
        try:
            with transaction.atomic():
                StagePayment.objects.create(
                    contract=contract, stage=stage, is_refund=is_refund, act=act, entry=entry
                )
        except IntegrityError:
            raise Conflict(
                "stage_already_paid",
                _("The payment of this stage is already recorded."),
                STAGE_RULE[ActStage(stage)],
            ) from None
    elif not StagePayment.objects.filter(entry=entry, contract=contract, stage=stage).exists():
        raise Conflict(
            "idempotency_key_reused",
            _("This Idempotency-Key was used for another payment."),
        )
    return entry, created


def _lock_contract(contract: OutsourcingContract) -> None:
    """Serialise the advance order and the stage-1 act signature of one contract (PostgreSQL;
    SQLite's IMMEDIATE transactions are serial anyway): each must see whether the other ran."""
    OutsourcingContract.objects.select_for_update().filter(pk=contract.pk).values_list("pk").get()


def _advance_ordered(contract: OutsourcingContract) -> bool:
    _lock_contract(contract)
    return StagePayment.objects.filter(
        contract=contract, stage=ActStage.EMPLOYMENT, is_refund=False
    ).exists()


def payment_order(
    *, actor: User, contract_id: int, stage: int, idempotency_key: str
) -> LedgerEntry:
    """The CLM orders the payment of a stage; see :func:`payment_order_record`."""
    entry, _created = payment_order_record(
        actor=actor, contract_id=contract_id, stage=stage, idempotency_key=idempotency_key
    )
    return entry


def payment_order_record(
    *, actor: User, contract_id: int, stage: int, idempotency_key: str
) -> tuple[LedgerEntry, bool]:
    """The CLM orders the payment of a stage: the advance (stage 1, OUT-22) once the contract is
    in force, or the stage-2/3 payment once that stage's act is signed (OUT-23, OUT-24). The
    amount is computed, never typed; replays of the same ``idempotency_key`` return the same
    entry; a second order of a stage is refused; the total never passes the contract sum.
    ``(entry, created)``: ``created`` is False for a replay (HTTP 200 rather than 201)."""
    contract = _contract_of_clm(actor, contract_id)
    if stage not in ActStage.values:
        raise ValidationFailed.single("stage", "invalid_choice", _("The stage is 1, 2 or 3."))
    existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        link = StagePayment.objects.filter(entry=existing).first()
        if link is None or link.contract_id != contract.pk or link.stage != stage or link.is_refund:
            raise Conflict(
                "idempotency_key_reused", _("This Idempotency-Key was used for another payment.")
            )
        return existing, False
    with transaction.atomic():
        _lock_contract(contract)
        if stage == ActStage.EMPLOYMENT:
            amount = percent_of(contract.total_sum, ADVANCE_PERCENT)
            due_on = contract.advance_due_on
            inputs = {
                "rule": "OUT-22",
                "contract_sum": str(contract.total_sum),
                "percent": ADVANCE_PERCENT,
            }
            act = contract.acts.filter(stage=ActStage.EMPLOYMENT, status=ActStatus.SIGNED).first()
            refund = Decimal(act.inputs.get("refund", "0")) if act is not None else Decimal(0)
            if act is not None and refund > 0:
                # OUT-22: stage 1 was signed before the advance was ordered; the part for the
                # people not employed is not paid rather than paid and refunded.
                amount -= refund
                inputs = {**inputs, "advance": str(amount + refund), "refund_deducted": str(refund)}
        else:
            act = contract.acts.filter(stage=stage, status=ActStatus.SIGNED).first()
            if act is None:
                raise Conflict(
                    "act_not_signed",
                    _("Stage %(stage)d is paid on its signed act of services.") % {"stage": stage},
                    STAGE_RULE[ActStage(stage)],
                )
            assert act.decided_at is not None
            amount = act.amount
            due_on = add_working_days(to_business_date(act.decided_at), PAYMENT_WORKING_DAYS)
            inputs = act.inputs
        if amount <= 0:
            raise Conflict(
                "nothing_to_pay",
                _("Nobody qualifies for this stage: there is nothing to pay."),
                STAGE_RULE[ActStage(stage)],
            )
        return _record_stage_entry(
            contract,
            stage=stage,
            is_refund=False,
            act=act,
            amount=amount,
            due_on=due_on,
            inputs=inputs,
            idempotency_key=idempotency_key,
            actor=actor,
        )
