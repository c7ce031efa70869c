"""Statuses and classifiers of the outsourcing of employment services (Order No. 217)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnemploymentCategory(models.IntegerChoices):
    """OUT-02: the category by the expected duration of unemployment; 2 and 3 are harder."""

    SHORT = 1, _("Category 1: short expected unemployment")
    MEDIUM = 2, _("Category 2: medium expected unemployment")
    LONG = 3, _("Category 3: long expected unemployment")


#: Categories that count toward the lot's required share of harder cases (OUT-06).
HARD_CATEGORIES = frozenset({UnemploymentCategory.MEDIUM, UnemploymentCategory.LONG})


class LotStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for selection")
    IN_REVIEW = "in_review", _("Chosen: agencies under review")
    CONTRACTED = "contracted", _("Contract signed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AnnouncementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ConfirmationStatus(models.TextChoices):
    PENDING_REVIEW = "pending_review", _("Under qualification review")
    ADMITTED = "admitted", _("Meets the qualification requirements")
    REFUSED = "refused", _("Refused")
    OFFERED = "offered", _("Draft contract sent")
    LAPSED = "lapsed", _("Offer withdrawn: not signed in time")
    CONTRACTED = "contracted", _("Contract signed")
    NOT_FIRST = "not_first", _("Refused: another agency came first")


#: Confirmations still in the running for the lot's contract.
LIVE_CONFIRMATION_STATUSES = frozenset(
    {ConfirmationStatus.PENDING_REVIEW, ConfirmationStatus.ADMITTED, ConfirmationStatus.OFFERED}
)


class RefusalGround(models.IntegerChoices):
    """OUT-10: the only grounds on which a CLM may refuse an agency (p. 11 of the Rules)."""

    QUALIFICATION = 1, _("The agency does not meet the qualification requirements")
    NOT_FIRST = 2, _("The agency did not confirm the lot first within the selection window")
    UNRELIABLE = 3, _("The documents or data the agency submitted are unreliable")
    PAST_OBLIGATIONS = 4, _("Obligations under earlier outsourcing contracts were not fulfilled")


#: Grounds the CLM chooses at review; "not first" is applied by the system when the lot's
#: contract is signed by an agency ahead in the queue (ADR 0011).
REVIEW_REFUSAL_GROUNDS = frozenset(
    {RefusalGround.QUALIFICATION, RefusalGround.UNRELIABLE, RefusalGround.PAST_OBLIGATIONS}
)


class QualificationDocumentKind(models.TextChoices):
    """OUT-08: what the agency proves with documents."""

    EXPERIENCE = "experience", _("Experience in labour intermediation")
    MATERIAL_RESOURCES = "material_resources", _("Material resources")
    LABOUR_RESOURCES = "labour_resources", _("Labour resources (staff)")


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the agency's signature")
    SIGNED = "signed", _("Signed")
    WITHDRAWN = "withdrawn", _("Withdrawn: not signed in time")


class PlacementStatus(models.TextChoices):
    REPORTED = "reported", _("Reported by the agency")
    CONFIRMED = "confirmed", _("Confirmed by the employment-contract register")
    NOT_CONFIRMED = "not_confirmed", _("Not found in the employment-contract register")


class ActStage(models.IntegerChoices):
    """The three stages of the service and what each pays (OUT-22…OUT-24)."""

    EMPLOYMENT = 1, _("Stage 1: employment within 30 working days")
    THREE_MONTHS = 2, _("Stage 2: continuous employment for 3 months")
    SIX_MONTHS = 3, _("Stage 3: continuous employment for 6 months")


class ActStatus(models.TextChoices):
    DRAFT = "draft", _("Prepared, not signed by the agency yet")
    SUBMITTED = "submitted", _("Submitted to the CLM")
    EXTENDED = "extended", _("Under further study (up to 10 working days)")
    SIGNED = "signed", _("Signed by the CLM")
    REFUSED = "refused", _("Refused by the CLM")
