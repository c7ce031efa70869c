"""The vocabulary that service regulations (YAML data) are written in, and workflow states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceCode(models.TextChoices):
    """The employment centres' public services (государственные услуги)."""

    JOB_SEEKER_REGISTRATION = "job_seeker_registration", _("Registration of job seekers")
    UNEMPLOYED_REGISTRATION = (
        "unemployed_registration",
        _("Registration of job seekers as unemployed"),
    )
    ACTIVE_MEASURE_REFERRAL = (
        "active_measure_referral",
        _("Issuing referrals to active employment measures"),
    )


class Channel(models.TextChoices):
    """Where the application is made (SVC-02)."""

    OFFICE = "office", _("Provider's office")
    PORTAL = "portal", _("E-government portal")


class StepRole(models.TextChoices):
    """Who performs a step: a centre role, the recipient, or the system itself."""

    CLERK = "clerk", _("Clerk")
    SPECIALIST = "specialist", _("Specialist")
    SECTOR_HEAD = "sector_head", _("Head of sector")
    CENTRE_HEAD = "centre_head", _("Head of centre")
    RECIPIENT = "recipient", _("Recipient")
    SYSTEM = "system", _("The system")


class StepAction(models.TextChoices):
    """What a step does. The regulation orders the steps; the code knows what each action means."""

    REQUEST = "request", _("Sign and send the request")
    REGISTER = "register", _("Register the documents")
    ASSIGN = "assign", _("Appoint the responsible executor")
    DRAFT = "draft", _("Check the documents and draft the result")
    APPROVE = "approve", _("Check and approve the draft")
    SIGN = "sign", _("Sign the result")
    ISSUE = "issue", _("Hand over the result")
    DELIVER = "deliver", _("Send the result to the personal cabinet")


class ResultKind(models.TextChoices):
    """The documents a service produces (SVC-10, SVC-21, SVC-30), and the motivated refusal
    (SVC-04) that ends an application the provider refuses."""

    JOB_SEEKER_NOTIFICATION = (
        "job_seeker_notification",
        _("Notification of registration as a job seeker"),
    )
    UNEMPLOYED_NOTIFICATION = (
        "unemployed_notification",
        _("Notification of registration as unemployed"),
    )
    REFERRAL_EMPLOYMENT = "referral_employment", _("Referral for employment")
    REFERRAL_YOUTH_PRACTICE = "referral_youth_practice", _("Referral to youth practice")
    REFERRAL_SOCIAL_JOBS = "referral_social_jobs", _("Referral to social jobs")
    REFERRAL_PUBLIC_WORKS = "referral_public_works", _("Referral to public works")
    REFUSAL = "refusal", _("Motivated refusal")


#: The documents an application may ask for: every kind but the refusal (SVC-04), which is
#: never asked for, only given.
REQUESTABLE_KINDS = tuple(kind for kind in ResultKind if kind != ResultKind.REFUSAL)

REFERRAL_KINDS = frozenset(
    {
        ResultKind.REFERRAL_EMPLOYMENT,
        ResultKind.REFERRAL_YOUTH_PRACTICE,
        ResultKind.REFERRAL_SOCIAL_JOBS,
        ResultKind.REFERRAL_PUBLIC_WORKS,
    }
)


class ApplicationStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")


class StepStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Ended in refusal")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    REVOKED = "revoked", _("Revoked")
