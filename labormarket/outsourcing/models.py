"""Outsourcing of employment services to private employment agencies (Order No. 217 of 2023).

A centre of labour mobility (CLM) groups consenting registered unemployed people into lots,
announces them every Wednesday, and on Monday agencies (PEAs) confirm lots with their EDS; each
confirmation takes the next place in the lot's queue. The CLM reviews the agencies, offers the
draft contract down the queue, and once an agency signs, the lot's people and data pass to it;
the agency is paid by stages as people are employed and stay employed.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from labormarket.core.models import DomainEvent, TimeStampedModel

from .choices import (
    ActStage,
    ActStatus,
    AnnouncementStatus,
    ConfirmationStatus,
    LotStatus,
    OfferStatus,
    PlacementStatus,
    QualificationDocumentKind,
    RefusalGround,
    UnemploymentCategory,
)

#: OUT-06: the largest lot.
MAX_LOT_SIZE = 30
#: OUT-06: the smallest share of category 2 and 3 people in a lot, in per cent.
MIN_HARD_SHARE_PERCENT = 30
#: OUT-07: the most lots one agency may confirm in a day.
MAX_CONFIRMATIONS_PER_DAY = 3

_USER = settings.AUTH_USER_MODEL


class AgencyCabinet(TimeStampedModel):
    """Личный кабинет ЧАЗ на ЭБТ, удостоверенный ЭЦП — a PEA's cabinet certified with the
    agency's EDS (OUT-04). Only a certified agency may confirm lots. It also holds what acts of
    services and notices to people need: contacts and bank details."""

    agency = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="outsourcing_cabinet",
    )
    contact_person = models.CharField(_("contact person"), max_length=300)
    contact_phone = models.CharField(_("contact phone"), max_length=16)
    contact_email = models.EmailField(_("contact e-mail"))
    legal_address = models.CharField(_("legal address"), max_length=300)
    iik = models.CharField(_("IIK (account)"), max_length=20)
    bik = models.CharField(_("BIK (bank code)"), max_length=11)
    bank_name = models.CharField(_("bank"), max_length=200)
    certified_at = models.DateTimeField(_("certified at"))
    certified_by = models.ForeignKey(
        _USER, verbose_name=_("certified by"), on_delete=models.PROTECT, related_name="+"
    )
    signature = models.ForeignKey(
        "core.StoredSignature",
        verbose_name=_("signature"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("agency cabinet")
        verbose_name_plural = _("agency cabinets")

    def __str__(self) -> str:
        return str(self.agency)


class QualificationDocument(models.Model):
    """A document proving the agency's experience or resources (OUT-08)."""

    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        related_name="qualification_documents",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=QualificationDocumentKind.choices)
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to="outsourcing/qualification/%Y/%m/")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        _USER, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["agency", "kind", "-uploaded_at"]
        verbose_name = _("qualification document")
        verbose_name_plural = _("qualification documents")

    def __str__(self) -> str:
        return self.title


class CategoryAssignment(models.Model):
    """Категория безработного — the category a CLM specialist gave a registered unemployed
    person by the expected duration of their unemployment (OUT-02). The history is kept; one
    assignment per person is current."""

    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="outsourcing_categories",
    )
    clm = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("centre of labour mobility"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.PositiveSmallIntegerField(_("category"), choices=UnemploymentCategory.choices)
    occupation = models.ForeignKey(
        "reference.Occupation",
        verbose_name=_("profession sought"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Lots are grouped by profession (OUT-01, OUT-06)."),
    )
    note = models.CharField(_("grounds"), max_length=500, blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    assigned_by = models.ForeignKey(
        _USER, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["person", "-assigned_at", "-pk"]
        verbose_name = _("unemployment category")
        verbose_name_plural = _("unemployment categories")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(is_current=True),
                name="outsourcing_one_current_category",
            ),
            models.CheckConstraint(
                condition=Q(category__in=[1, 2, 3]), name="outsourcing_category_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.category}"


class Lot(TimeStampedModel):
    """Лот — up to 30 consenting registered unemployed people of one profession that a CLM
    hands to one agency under one outsourcing contract (OUT-05, OUT-06)."""

    clm = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("centre of labour mobility"),
        on_delete=models.PROTECT,
        related_name="outsourcing_lots",
    )
    number = models.CharField(_("number"), max_length=32, unique=True)
    occupation = models.ForeignKey(
        "reference.Occupation",
        verbose_name=_("profession"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    price_per_person = models.DecimalField(
        _("service price per person, KZT"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=LotStatus.choices, default=LotStatus.DRAFT
    )
    selection_day = models.DateField(_("selection day"), null=True, blank=True)
    times_offered = models.PositiveSmallIntegerField(_("times offered"), default=0)
    created_by = models.ForeignKey(
        _USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        indexes = [models.Index(fields=["clm", "status", "selection_day"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_per_person__gt=0), name="outsourcing_lot_price_positive"
            )
        ]

    def __str__(self) -> str:
        return self.number


class LotMember(models.Model):
    """A person of a lot, with the category they had when the lot was formed. A person is in at
    most one active lot (OUT-06); leaving a withdrawn lot frees them."""

    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="lot_memberships",
    )
    category = models.PositiveSmallIntegerField(_("category"), choices=UnemploymentCategory.choices)
    consent = models.ForeignKey(
        "registry.Consent",
        verbose_name=_("consent to outsourcing"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["lot", "pk"]
        verbose_name = _("person of a lot")
        verbose_name_plural = _("people of lots")
        constraints = [
            models.UniqueConstraint(fields=["lot", "person"], name="outsourcing_member_once"),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(is_active=True),
                name="outsourcing_one_active_lot_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id}: {self.person_id}"


class Announcement(TimeStampedModel):
    """Объявление о проведении аутсорсинга услуг — the CLM's weekly announcement on the exchange
    (OUT-01). Drafted on Wednesday by a task, published by the CLM; what was published is kept
    as it was (``contents``) even if lots change later."""

    clm = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("centre of labour mobility"),
        on_delete=models.PROTECT,
        related_name="outsourcing_announcements",
    )
    selection_day = models.DateField(_("selection day"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AnnouncementStatus.choices,
        default=AnnouncementStatus.DRAFT,
    )
    responsible = models.ForeignKey(
        _USER,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    services = models.TextField(_("services offered"))
    lots = models.ManyToManyField(Lot, verbose_name=_("lots"), related_name="announcements")
    contents = models.JSONField(_("published contents"), default=dict, blank=True)
    publish_due_at = models.DateTimeField(_("to be published by"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        _USER,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-selection_day", "clm"]
        verbose_name = _("outsourcing announcement")
        verbose_name_plural = _("outsourcing announcements")
        constraints = [
            models.UniqueConstraint(
                fields=["clm", "selection_day"], name="outsourcing_one_announcement_a_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.clm_id} {self.selection_day:%Y-%m-%d}"


class LotConfirmation(models.Model):
    """Подтверждение выбора лота — an agency's EDS-signed choice of a lot on a selection day
    (OUT-07). Its ``position`` is its place in the lot's queue, given in commit order; its
    ``daily_number`` is which of the agency's (at most three) confirmations of the day it is.
    Both are guarded by unique constraints, so no burst of requests can share or skip a place
    or give an agency a fourth, on any database. Then the CLM's qualification review
    (OUT-09/OUT-10) and the contract cascade (OUT-11/OUT-12) move it along."""

    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="confirmations"
    )
    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="lot_confirmations",
    )
    selection_day = models.DateField(_("selection day"))
    position = models.PositiveIntegerField(_("place in the queue"))
    daily_number = models.PositiveSmallIntegerField(
        _("confirmation of the day"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CONFIRMATIONS_PER_DAY)],
    )
    confirmed_at = models.DateTimeField(_("confirmed at"))
    confirmed_by = models.ForeignKey(
        _USER, verbose_name=_("confirmed by"), on_delete=models.PROTECT, related_name="+"
    )
    signature = models.ForeignKey(
        "core.StoredSignature",
        verbose_name=_("signature"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ConfirmationStatus.choices,
        default=ConfirmationStatus.PENDING_REVIEW,
    )
    review_due_at = models.DateTimeField(_("review due by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        _USER,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refusal_ground = models.PositiveSmallIntegerField(
        _("refusal ground"), choices=RefusalGround.choices, null=True, blank=True
    )
    refusal_reasons = models.TextField(_("reasons for the refusal"), blank=True)
    notice_due_at = models.DateTimeField(_("agency to be notified by"))
    notified_at = models.DateTimeField(_("agency notified at"), null=True, blank=True)

    class Meta:
        ordering = ["lot", "selection_day", "position"]
        verbose_name = _("lot confirmation")
        verbose_name_plural = _("lot confirmations")
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "selection_day", "position"], name="outsourcing_queue_place_once"
            ),
            models.UniqueConstraint(
                fields=["agency", "selection_day", "daily_number"],
                name="outsourcing_agency_daily_slot_once",
            ),
            models.UniqueConstraint(
                fields=["lot", "selection_day", "agency"],
                name="outsourcing_agency_confirms_lot_once",
            ),
            models.CheckConstraint(
                condition=Q(daily_number__gte=1) & Q(daily_number__lte=MAX_CONFIRMATIONS_PER_DAY),
                name="outsourcing_at_most_3_a_day",
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="outsourcing_place_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} #{self.position}"


class ContractOffer(models.Model):
    """The draft contract sent to the first qualifying agency in the queue (OUT-11); withdrawn
    and passed on when not signed within 2 working days (OUT-12). ``document`` is the exact PDF
    the agency signs."""

    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="offers"
    )
    confirmation = models.OneToOneField(
        LotConfirmation,
        verbose_name=_("confirmation"),
        on_delete=models.PROTECT,
        related_name="offer",
    )
    document = models.BinaryField(_("draft contract (PDF)"))
    document_sha256 = models.CharField(_("SHA-256 of the draft"), max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=OfferStatus.choices, default=OfferStatus.OPEN
    )
    sent_at = models.DateTimeField(_("sent at"))
    sign_due_at = models.DateTimeField(_("to be signed by"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["lot", "sent_at"]
        verbose_name = _("contract offer")
        verbose_name_plural = _("contract offers")
        constraints = [
            models.UniqueConstraint(
                fields=["lot"],
                condition=Q(status="open"),
                name="outsourcing_one_open_offer_per_lot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} → {self.confirmation_id}"


class OutsourcingContract(TimeStampedModel):
    """Договор об аутсорсинге услуг — between the CLM and the agency (OUT-14), concluded when
    the agency signs the draft with its EDS. It carries every deadline that follows."""

    lot = models.OneToOneField(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="contract"
    )
    offer = models.OneToOneField(
        ContractOffer, verbose_name=_("offer"), on_delete=models.PROTECT, related_name="contract"
    )
    clm = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("centre of labour mobility"),
        on_delete=models.PROTECT,
        related_name="outsourcing_contracts_as_customer",
    )
    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="outsourcing_contracts",
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    concluded_at = models.DateTimeField(_("concluded at"))
    people_count = models.PositiveSmallIntegerField(_("people in the lot"))
    price_per_person = models.DecimalField(
        _("price per person, KZT"), max_digits=12, decimal_places=2
    )
    total_sum = models.DecimalField(_("contract sum, KZT"), max_digits=14, decimal_places=2)
    signature = models.ForeignKey(
        "core.StoredSignature",
        verbose_name=_("agency's signature"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    publish_due_at = models.DateTimeField(_("information to be published by"))
    published_at = models.DateTimeField(_("information published at"), null=True, blank=True)
    people_notice_due_at = models.DateTimeField(_("people to be notified by"))
    people_notified_at = models.DateTimeField(_("people notified at"), null=True, blank=True)
    handover_due_at = models.DateTimeField(_("lot data to be handed over by"))
    handed_over_at = models.DateTimeField(_("lot data handed over at"), null=True, blank=True)
    employment_due_on = models.DateField(_("people to be employed by"))
    advance_due_on = models.DateField(_("advance to be paid by"))

    class Meta:
        ordering = ["-concluded_at"]
        verbose_name = _("outsourcing contract")
        verbose_name_plural = _("outsourcing contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(total_sum__gt=0), name="outsourcing_contract_sum_positive"
            )
        ]

    def __str__(self) -> str:
        return self.number


class Placement(models.Model):
    """A person of the lot the agency reports as employed, confirmed against the register of
    employment contracts before it counts for any stage."""

    contract = models.ForeignKey(
        OutsourcingContract,
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="placements",
    )
    member = models.OneToOneField(
        LotMember,
        verbose_name=_("person of the lot"),
        on_delete=models.PROTECT,
        related_name="placement",
    )
    employer_bin = models.CharField(_("employer's BIN"), max_length=12)
    employer_name = models.CharField(_("employer"), max_length=300)
    position = models.CharField(_("position"), max_length=300)
    started_on = models.DateField(_("started work on"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PlacementStatus.choices,
        default=PlacementStatus.REPORTED,
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reported_by = models.ForeignKey(
        _USER, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        ordering = ["contract", "member"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.member_id}"


class ServiceAct(models.Model):
    """Акт оказанных услуг (Appendix 2) — the agency's act for one stage (OUT-20), signed or
    refused by the CLM (OUT-21). Its lines and amounts are computed from confirmed placements
    and kept with their inputs."""

    contract = models.ForeignKey(
        OutsourcingContract,
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="acts",
    )
    stage = models.PositiveSmallIntegerField(_("stage"), choices=ActStage.choices)
    number = models.CharField(_("number"), max_length=48, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ActStatus.choices, default=ActStatus.SUBMITTED
    )
    stage_completed_on = models.DateField(_("stage completed on"))
    submit_due_on = models.DateField(_("to be submitted by"))
    people_count = models.PositiveSmallIntegerField(_("people counted"))
    amount = models.DecimalField(_("amount, KZT"), max_digits=14, decimal_places=2)
    inputs = models.JSONField(_("how the amount was computed"), default=dict)
    document = models.BinaryField(_("act (PDF)"))
    document_sha256 = models.CharField(_("SHA-256 of the act"), max_length=64)
    prepared_at = models.DateTimeField(_("prepared at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        _USER,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency_signature = models.ForeignKey(
        "core.StoredSignature",
        verbose_name=_("agency head's signature"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_due_at = models.DateTimeField(_("CLM to decide by"), null=True, blank=True)
    extension_notice_due_at = models.DateTimeField(
        _("further study to be announced by"), null=True, blank=True
    )
    extended_at = models.DateTimeField(_("further study announced at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        _USER,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    clm_signature = models.ForeignKey(
        "core.StoredSignature",
        verbose_name=_("CLM's signature"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refusal_reasons = models.TextField(_("reasons for the refusal"), blank=True)

    class Meta:
        ordering = ["contract", "stage", "submitted_at"]
        verbose_name = _("act of services")
        verbose_name_plural = _("acts of services")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "stage"],
                condition=~Q(status="refused"),
                name="outsourcing_one_live_act_per_stage",
            )
        ]

    def __str__(self) -> str:
        return self.number


class StagePayment(models.Model):
    """The payment (or, for stage 1, the advance) of one stage of a contract: one per stage
    whatever the idempotency key, so two different requests cannot pay a stage twice
    (OUT-22…OUT-24). The money itself is the ledger entry in ``payments``."""

    contract = models.ForeignKey(
        OutsourcingContract,
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="stage_payments",
    )
    stage = models.PositiveSmallIntegerField(_("stage"), choices=ActStage.choices)
    is_refund = models.BooleanField(_("refund of the advance"), default=False)
    act = models.ForeignKey(
        ServiceAct,
        verbose_name=_("act"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    entry = models.OneToOneField(
        "payments.LedgerEntry",
        verbose_name=_("ledger entry"),
        on_delete=models.PROTECT,
        related_name="stage_payment",
    )

    class Meta:
        ordering = ["contract", "stage", "is_refund"]
        verbose_name = _("stage payment")
        verbose_name_plural = _("stage payments")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "stage", "is_refund"], name="outsourcing_one_payment_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}/{self.stage}"


class LotEvent(DomainEvent):
    """What happened to a lot, its confirmations, offers, contract and acts, in order."""

    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.CASCADE, related_name="events"
    )

    class Meta(DomainEvent.Meta):
        verbose_name = _("lot event")
        verbose_name_plural = _("lot events")


class AgencyNotice(models.Model):
    """Уведомление в личный кабинет ЧАЗ — a notice the CLM sends to an agency's cabinet: the
    result of its review (OUT-09), a draft contract or its withdrawal (OUT-11, OUT-12), a
    decision on an act (OUT-21). It is a record the law counts deadlines by, so it lives here
    rather than in the personal notifications outbox; a copy goes to the cabinet's e-mail."""

    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        related_name="outsourcing_notices",
    )
    lot = models.ForeignKey(
        Lot,
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=48)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    rule = models.CharField(_("rule"), max_length=16, blank=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("notice to an agency")
        verbose_name_plural = _("notices to agencies")

    def __str__(self) -> str:
        return self.subject
