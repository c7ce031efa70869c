"""One ledger of payments, advances and refunds (ADR 0010).

An ``Account`` is what payments are made under (an outsourcing contract) with an optional
ceiling (OUT-19: payments never exceed the contract sum). A ``LedgerEntry`` is one payment to
or refund from the recipient; its amount keeps the rule and the inputs it was computed from.
The account's counters ``paid_out`` and ``refunded`` are kept by ``services`` with conditional
UPDATEs in the transaction that writes the entry, and the database refuses any state that
breaks the invariants below — whatever code writes to these tables.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import DIRECTION_OF_KIND, AccountKind, Direction, EntryKind, EntryStatus

#: Money columns: up to 999 999 999 999.99 KZT.
MONEY_DIGITS, MONEY_PLACES = 14, 2


class Account(models.Model):
    """Лицевой счёт выплат — everything paid under one contract (or other basis), with its ceiling.

    ``paid_out`` is the sum of the outgoing entries that are not cancelled (scheduled or paid),
    ``refunded`` the sum of the incoming refund entries that are not cancelled. The ceiling
    bounds the gross ``paid_out``: a refund does not make room for further payments.
    """

    kind = models.CharField(_("kind"), max_length=40, choices=AccountKind.choices)
    reference = models.CharField(
        _("reference"), max_length=100, help_text=_("The contract number or other basis.")
    )
    ceiling = models.DecimalField(
        _("ceiling, KZT"),
        null=True,
        blank=True,
        help_text=_("Payments never exceed this sum; empty means no ceiling."),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
    )
    ceiling_rule = models.CharField(
        _("rule of the ceiling"), max_length=20, blank=True, help_text=_("For example OUT-19.")
    )
    paid_out = models.DecimalField(
        _("paid out, KZT"),
        default=Decimal("0.00"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
    )
    refunded = models.DecimalField(
        _("refunded, KZT"),
        default=Decimal("0.00"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("payment account")
        verbose_name_plural = _("payment accounts")
        constraints = [
            models.UniqueConstraint(fields=["kind", "reference"], name="payments_account_unique"),
            models.CheckConstraint(
                condition=Q(paid_out__gte=0), name="payments_account_paid_out_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(refunded__gte=0), name="payments_account_refunded_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(ceiling__isnull=True) | Q(paid_out__lte=F("ceiling")),
                name="payments_account_paid_out_within_ceiling",
            ),
            models.CheckConstraint(
                condition=Q(refunded__lte=F("paid_out")),
                name="payments_account_refunded_within_paid_out",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"


def _kind_moves_in_its_direction() -> Q:
    condition = Q()
    for kind, direction in DIRECTION_OF_KIND.items():
        condition |= Q(kind=kind, direction=direction)
    return condition


class LedgerEntry(models.Model):
    """Запись реестра выплат — one payment to (``out``) or refund from (``in``) the recipient.

    Written once by ``services.record_entry`` under a unique idempotency key; afterwards only
    its status moves (scheduled → paid, or scheduled → cancelled). Never deleted.
    """

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EntryKind.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    amount = models.DecimalField(
        _("amount, KZT"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES
    )
    due_on = models.DateField(_("due on"))
    rule = models.CharField(_("rule"), max_length=20, help_text=_("For example OUT-22."))
    inputs = models.JSONField(
        _("computed from"),
        default=dict,
        blank=True,
        help_text=_("The figures the amount was computed from (price, counts, percent)."),
    )
    description = models.TextField(_("description"), blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    request_fingerprint = models.CharField(
        _("request fingerprint"), max_length=64, help_text=_("SHA-256 of the canonical request.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EntryStatus.choices, default=EntryStatus.SCHEDULED
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.TextField(_("reason of cancellation"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when a scheduled task recorded the entry."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="payments_entry_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_entry_amount_positive"
            ),
            models.CheckConstraint(
                condition=_kind_moves_in_its_direction(),
                name="payments_entry_kind_direction",
            ),
            models.CheckConstraint(
                condition=Q(status__in=EntryStatus.values), name="payments_entry_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(status=EntryStatus.PAID) & Q(paid_at__isnull=False))
                | (~Q(status=EntryStatus.PAID) & Q(paid_at__isnull=True)),
                name="payments_entry_paid_at_iff_paid",
            ),
            models.CheckConstraint(
                condition=(Q(status=EntryStatus.CANCELLED) & Q(cancelled_at__isnull=False))
                | (~Q(status=EntryStatus.CANCELLED) & Q(cancelled_at__isnull=True)),
                name="payments_entry_cancelled_at_iff_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} KZT ({self.rule}, {self.idempotency_key})"
