from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    """What an account's payments are for; the reference names the object (contract number)."""

    OUTSOURCING_CONTRACT = "outsourcing_contract", _("Outsourcing contract")


class EntryKind(models.TextChoices):
    ADVANCE = "advance", _("Advance")
    ADVANCE_REFUND = "advance_refund", _("Refund of the advance")
    STAGE_PAYMENT = "stage_payment", _("Stage payment")
    SUBSIDY = "subsidy", _("Subsidy")


class Direction(models.TextChoices):
    OUT = "out", _("Payment to the recipient")
    IN = "in", _("Refund from the recipient")


#: The one direction each kind of entry moves money in.
DIRECTION_OF_KIND: dict[str, str] = {
    EntryKind.ADVANCE: Direction.OUT,
    EntryKind.ADVANCE_REFUND: Direction.IN,
    EntryKind.STAGE_PAYMENT: Direction.OUT,
    EntryKind.SUBSIDY: Direction.OUT,
}


class EntryStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")
