"""Public services as data: regulations (versioned definitions) and the applications they run.

A regulation (регламент государственной услуги) is loaded from YAML in ``regulations/`` and
never edited through the interface: its steps, performing roles, standard durations, overall
term per channel, result documents and refusal grounds are what the law of its region says.
An application follows the steps of the regulation (and channel) chosen when it was registered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from labormarket.core.models import DomainEvent, TranslatedNameMixin

from .choices import (
    REQUESTABLE_KINDS,
    ApplicationStatus,
    Channel,
    DocumentStatus,
    ResultKind,
    ServiceCode,
    StepAction,
    StepRole,
    StepStatus,
)


class Regulation(models.Model):
    """Регламент государственной услуги — one version of one region's rules for a service.

    ``regions`` empty: the regulation applies wherever no regional version is in force.
    """

    code = models.SlugField(_("code"), max_length=80)
    version = models.PositiveIntegerField(_("version"))
    service = models.CharField(_("service"), max_length=40, choices=ServiceCode.choices)
    title_ru = models.CharField(_("title (Russian)"), max_length=500)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500)
    act = models.TextField(_("legal act"))
    note = models.TextField(_("note"), blank=True)
    regions = models.ManyToManyField(
        "reference.Region", verbose_name=_("regions"), blank=True, related_name="+"
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    results = models.JSONField(_("result documents"), default=list)
    rules = models.JSONField(_("rule IDs"), default=list)
    source_file = models.CharField(_("source file"), max_length=200)
    checksum = models.CharField(_("SHA-256 of the source"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        ordering = ["service", "code", "-version"]
        verbose_name = _("service regulation")
        verbose_name_plural = _("service regulations")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="services_regulation_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def title(self) -> str:
        from django.utils.translation import get_language

        language = (get_language() or "ru")[:2]
        return getattr(self, f"title_{language}", "") or self.title_ru


class RegulationChannel(models.Model):
    """How a regulation runs through one channel: its ordered steps and its overall term —
    in working minutes (office: "30 minutes") or in working days (portal: "1 working day")."""

    regulation = models.ForeignKey(
        Regulation, verbose_name=_("regulation"), on_delete=models.CASCADE, related_name="channels"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    term_minutes = models.PositiveIntegerField(_("term, working minutes"), null=True, blank=True)
    term_working_days = models.PositiveIntegerField(_("term, working days"), null=True, blank=True)

    class Meta:
        ordering = ["regulation", "channel"]
        verbose_name = _("regulation channel")
        verbose_name_plural = _("regulation channels")
        constraints = [
            models.UniqueConstraint(
                fields=["regulation", "channel"], name="services_regulation_channel"
            ),
            models.CheckConstraint(
                condition=Q(term_minutes__isnull=True) ^ Q(term_working_days__isnull=True),
                name="services_channel_one_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.regulation} / {self.channel}"


class RegulationStep(TranslatedNameMixin):
    """One procedure (действие) of a regulation channel: who performs it and its standard
    duration in working minutes."""

    channel = models.ForeignKey(
        RegulationChannel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=40)
    role = models.CharField(_("performed by"), max_length=16, choices=StepRole.choices)
    action = models.CharField(_("action"), max_length=16, choices=StepAction.choices)
    duration_minutes = models.PositiveIntegerField(_("standard duration, working minutes"))
    can_refuse = models.BooleanField(_("may end in a refusal"), default=False)

    class Meta:
        ordering = ["channel", "position"]
        verbose_name = _("regulation step")
        verbose_name_plural = _("regulation steps")
        constraints = [
            models.UniqueConstraint(fields=["channel", "position"], name="services_step_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class RefusalGround(TranslatedNameMixin):
    """A ground for a motivated refusal that the regulation (or the standard it follows) allows."""

    regulation = models.ForeignKey(
        Regulation,
        verbose_name=_("regulation"),
        on_delete=models.CASCADE,
        related_name="refusal_grounds",
    )
    code = models.SlugField(_("code"), max_length=40)
    rule = models.CharField(_("rule ID"), max_length=16, blank=True)

    class Meta:
        ordering = ["regulation", "pk"]
        verbose_name = _("refusal ground")
        verbose_name_plural = _("refusal grounds")
        constraints = [
            models.UniqueConstraint(fields=["regulation", "code"], name="services_ground_code")
        ]


class JournalCounter(models.Model):
    """The last number given in a centre's journal of applications for a year (SVC-03)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="services_journal_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last_number}"


class Application(models.Model):
    """Заявление — one request for a public service, registered in the centre's journal before
    anything else happens to it (SVC-03)."""

    number = models.CharField(_("journal number"), max_length=32, unique=True)
    regulation = models.ForeignKey(
        Regulation, verbose_name=_("regulation"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.ForeignKey(
        RegulationChannel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="+"
    )
    service = models.CharField(_("service"), max_length=40, choices=ServiceCode.choices)
    centre = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="service_applications",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="service_applications",
    )
    requested_result = models.CharField(
        _("requested document"),
        max_length=40,
        choices=[(kind.value, kind.label) for kind in REQUESTABLE_KINDS],
        blank=True,
    )
    form_data = models.JSONField(_("request form"), default=dict, blank=True)
    request_signature = models.ForeignKey(
        "core.StoredSignature",
        verbose_name=_("signature of the request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.IN_PROGRESS,
    )
    registered_at = models.DateTimeField(_("registered at"), db_index=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_at = models.DateTimeField(_("term expires"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    refusal_grounds = models.ManyToManyField(
        RefusalGround, verbose_name=_("refusal grounds"), blank=True, related_name="+"
    )
    refusal_reasons = models.TextField(_("reasons for the refusal"), blank=True)

    class Meta:
        ordering = ["-registered_at", "-pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["centre", "status", "due_at"], name="services_app_queue"),
        ]

    def __str__(self) -> str:
        return self.number

    def is_overdue(self, now: object = None) -> bool:
        moment = now or timezone.now()
        end = self.ended_at or moment
        return end > self.due_at  # type: ignore[operator]


class ApplicationStep(models.Model):
    """One step of an application as it happened: who performed it, when it started and ended,
    and when its standard duration ran out (SVC-03)."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="steps"
    )
    regulation_step = models.ForeignKey(
        RegulationStep, verbose_name=_("step"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    status = models.CharField(
        _("status"), max_length=16, choices=StepStatus.choices, default=StepStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("standard duration runs out"), db_index=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("performed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)
    overdue_notified_at = models.DateTimeField(
        _("head notified of the delay at"), null=True, blank=True
    )

    class Meta:
        ordering = ["application", "position"]
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "position"], name="services_application_step_position"
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status="open"),
                name="services_one_open_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} #{self.position}"

    def is_overdue(self, now: object = None) -> bool:
        moment = now or timezone.now()
        end = self.ended_at or moment
        return end > self.due_at  # type: ignore[operator]


def _attachment_path(instance: Attachment, filename: str) -> str:
    return f"services/attachments/{timezone.now():%Y/%m}/{instance.sha256}"


class Attachment(models.Model):
    """A scanned document attached to an application (the portal form's copies)."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    kind = models.CharField(_("document"), max_length=40)
    file = models.FileField(_("file"), upload_to=_attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size, bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["application", "pk"]
        verbose_name = _("attached document")
        verbose_name_plural = _("attached documents")

    def __str__(self) -> str:
        return self.original_name


class ResultDocument(models.Model):
    """A document the service issues: its result — a notification of registration or one of the
    four referrals (SVC-30) — or the motivated refusal (SVC-04, kind ``refusal``). Rendered to
    PDF with a QR code of its public verification page and signed with EDS by the provider's
    authorised person (SVC-05 (7)).

    An application has at most one result document and at most one refusal: a result drafted
    before the application was refused stays, revoked, next to the refusal."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    kind = models.CharField(_("document"), max_length=40, choices=ResultKind.choices)
    number = models.CharField(_("number"), max_length=40, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    data = models.JSONField(_("contents"), default=dict)
    verification_token = models.CharField(_("verification code"), max_length=43, unique=True)
    drafted_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pdf = models.BinaryField(_("PDF"), blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    signature = models.ForeignKey(
        "core.StoredSignature",
        verbose_name=_("signature"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.TextField(_("reason for revocation"), blank=True)

    class Meta:
        ordering = ["-drafted_at", "-pk"]
        verbose_name = _("result document")
        verbose_name_plural = _("result documents")
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=~Q(kind="refusal"),
                name="services_one_result_document",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(kind="refusal"),
                name="services_one_refusal_document",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_refusal(self) -> bool:
        return self.kind == ResultKind.REFUSAL


class ApplicationEvent(DomainEvent):
    """History of an application: registered, step started / done / refused, signed, issued."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="events"
    )

    class Meta(DomainEvent.Meta):
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
