from django.db import models
from django.utils.translation import gettext_lazy as _


class VacancyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class VacancyCloseReason(models.TextChoices):
    FILLED = "filled", _("All places filled")
    WITHDRAWN = "withdrawn", _("Withdrawn by the employer")
    EXPIRED = "expired", _("Expired")


class CvSource(models.TextChoices):
    SELF = "self", _("Posted by the person")
    CENTRE = "centre", _("Posted by the employment centre")


class CvStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    EXPIRED = "expired", _("Expired")
    CLOSED = "closed", _("Closed")


class CvVisibility(models.TextChoices):
    PUBLIC = "public", _("Employers, agencies and centres")
    CENTRES = "centres", _("Employment centres only")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent to the employer")
    HIRED = "hired", _("Hired")
    REFUSED = "refused", _("Refused by the employer")
    REFUSED_BY_SILENCE = "refused_by_silence", _("No answer in 3 working days (refusal)")


class RefusalReason(models.TextChoices):
    QUALIFICATION = "qualification", _("Qualification does not fit")
    EXPERIENCE = "experience", _("Not enough experience")
    DID_NOT_COME = "did_not_come", _("The candidate did not come")
    CANDIDATE_DECLINED = "candidate_declined", _("The candidate declined the offer")
    POSITION_FILLED = "position_filled", _("The position has been filled")
    HEALTH = "health", _("Health restrictions")
    OTHER = "other", _("Other")


class LayoffKind(models.TextChoices):
    LIQUIDATION = "liquidation", _("Liquidation of the employer")
    STAFF_REDUCTION = "staff_reduction", _("Reduction of staff")
    DOWNTIME = "downtime", _("Downtime or part-time regime")


class AffectedPersonStatus(models.TextChoices):
    NOTIFIED = "notified", _("Notified")
    CONSENTED = "consented", _("Agreed to be registered")
    REGISTERED = "registered", _("Registered as a job seeker")
    DECLINED = "declined", _("Declined registration")
