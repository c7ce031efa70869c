"""The person registry: everyone the employment services deal with, keyed by IIN."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from labormarket.core.models import DomainEvent, TimeStampedModel
from labormarket.core.validators import validate_bin, validate_iin, validate_phone

from .choices import (
    AccessChannel,
    AccessPurpose,
    CitizenshipStatus,
    ConsentEvidence,
    ConsentPurpose,
    DeregistrationReason,
    FamilyRelation,
    LabourStatus,
    PhoneKind,
    Sex,
)


class Person(TimeStampedModel):
    """Физическое лицо — a person known to the employment services, identified by IIN.

    ``region`` is the region whose staff keep the person's record (normally the region of the
    registered address). The labour status (job seeker / unemployed) is a state machine whose
    transitions live in ``registry.services`` and leave a :class:`LabourStatusChange` each.
    """

    iin = models.CharField(_("IIN"), max_length=12, unique=True, validators=[validate_iin])
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    middle_name = models.CharField(_("patronymic"), max_length=150, blank=True)
    # Lower-cased "last first middle" with ё→е: case-insensitive Cyrillic search on SQLite too.
    search_name = models.CharField(_("name for search"), max_length=460, editable=False)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    citizenship_status = models.CharField(
        _("status"),
        max_length=16,
        choices=CitizenshipStatus.choices,
        default=CitizenshipStatus.CITIZEN,
    )
    region = models.ForeignKey(
        "reference.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    address_kato = models.ForeignKey(
        "reference.KatoUnit",
        verbose_name=_("locality (KATO)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    street = models.CharField(_("street"), max_length=200, blank=True)
    house = models.CharField(_("house"), max_length=20, blank=True)
    flat = models.CharField(_("flat"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    disability_group = models.ForeignKey(
        "reference.DisabilityGroup",
        verbose_name=_("disability group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    labour_status = FSMField(
        _("labour status"),
        max_length=16,
        choices=LabourStatus.choices,
        default=LabourStatus.NOT_REGISTERED,
        # Not ``protected``: django-fsm's protection also blocks refresh_from_db(). Only
        # registry.services changes the status, through the transitions below.
        protected=False,
    )
    labour_status_since = models.DateTimeField(_("status since"), null=True, blank=True)
    registering_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("registered at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        ordering = ["last_name", "first_name", "middle_name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["region", "search_name"], name="registry_person_name"),
            models.Index(fields=["search_name"], name="registry_person_name_all"),
            models.Index(fields=["region", "labour_status"], name="registry_person_status"),
        ]

    def __str__(self) -> str:
        # Never the IIN: __str__ ends up in audit entries and logs.
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    # The labour-status state machine. Transitions only move the state; registry.services
    # locks the row, checks the rules, records the LabourStatusChange and the record card.

    @transition(
        field=labour_status, source=LabourStatus.NOT_REGISTERED, target=LabourStatus.JOB_SEEKER
    )
    def register_as_job_seeker(self) -> None:
        """Registration as a job seeker (SVC-10)."""

    @transition(field=labour_status, source=LabourStatus.JOB_SEEKER, target=LabourStatus.UNEMPLOYED)
    def register_as_unemployed(self) -> None:
        """Registration as unemployed: only a registered job seeker can be (SVC-22)."""

    @transition(field=labour_status, source=LabourStatus.UNEMPLOYED, target=LabourStatus.JOB_SEEKER)
    def withdraw_unemployed_status(self) -> None:
        """The person stays a job seeker but is no longer registered as unemployed."""

    @transition(
        field=labour_status,
        source=[LabourStatus.JOB_SEEKER, LabourStatus.UNEMPLOYED],
        target=LabourStatus.NOT_REGISTERED,
    )
    def deregister(self) -> None:
        """Removal from the registers (employed, contributions found, request, ...)."""


class PersonPhone(models.Model):
    """A phone number of a person, stored in E.164."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(_("number"), max_length=16, validators=[validate_phone])
    kind = models.CharField(
        _("kind"), max_length=8, choices=PhoneKind.choices, default=PhoneKind.MOBILE
    )
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "pk"]
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="registry_phone_unique"),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(is_primary=True),
                name="registry_phone_one_primary",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class EducationRecord(models.Model):
    """Образование — one completed (or current) course of education."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="education"
    )
    level = models.ForeignKey(
        "reference.EducationLevel",
        verbose_name=_("level"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    institution = models.CharField(_("institution"), max_length=300)
    speciality = models.CharField(_("speciality"), max_length=300, blank=True)
    graduation_year = models.PositiveSmallIntegerField(
        _("year of graduation"), null=True, blank=True
    )

    class Meta:
        ordering = ["-graduation_year", "pk"]
        verbose_name = _("education record")
        verbose_name_plural = _("education records")

    def __str__(self) -> str:
        return f"{self.level}: {self.institution}"


class WorkHistoryEntry(models.Model):
    """Трудовая деятельность — one job the person held."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="work_history"
    )
    employer_name = models.CharField(_("employer"), max_length=300)
    employer_bin = models.CharField(
        _("employer's BIN"), max_length=12, blank=True, validators=[validate_bin]
    )
    position = models.CharField(_("position"), max_length=300)
    occupation = models.ForeignKey(
        "reference.Occupation",
        verbose_name=_("occupation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_on = models.DateField(_("started"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "pk"]
        verbose_name = _("work history entry")
        verbose_name_plural = _("work history")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="registry_work_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.position} — {self.employer_name}"


class FamilyLink(models.Model):
    """Родственная связь — ``relative`` is ``person``'s ``relation`` (e.g. child). Links are
    stored in both directions so each person's family reads from one side."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="family_links"
    )
    relative = models.ForeignKey(
        Person, verbose_name=_("relative"), on_delete=models.CASCADE, related_name="+"
    )
    relation = models.CharField(_("relation"), max_length=16, choices=FamilyRelation.choices)

    class Meta:
        ordering = ["relation", "pk"]
        verbose_name = _("family link")
        verbose_name_plural = _("family links")
        constraints = [
            models.UniqueConstraint(fields=["person", "relative"], name="registry_family_unique"),
            models.CheckConstraint(
                condition=~Q(person=models.F("relative")), name="registry_family_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_relation_display()}: {self.relative}"


class Consent(models.Model):
    """Согласие — the person's consent to a purpose, in a version of its text, with evidence.

    A consent is never edited: withdrawing sets ``withdrawn_at``; giving it again is a new row.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=ConsentPurpose.choices)
    scope = models.CharField(_("scope"), max_length=500)
    version = models.CharField(_("text version"), max_length=32)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    evidence = models.CharField(_("evidence"), max_length=16, choices=ConsentEvidence.choices)
    evidence_reference = models.CharField(_("evidence reference"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-given_at", "pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="registry_consent_one_active_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.version})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class LabourStatusChange(DomainEvent):
    """One transition of a person's labour status, with the reason and the centre."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="labour_status_changes",
    )
    from_status = models.CharField(_("from"), max_length=16, choices=LabourStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=LabourStatus.choices)
    reason = models.CharField(
        _("reason"), max_length=32, choices=DeregistrationReason.choices, blank=True
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(DomainEvent.Meta):
        verbose_name = _("labour status change")
        verbose_name_plural = _("labour status changes")


class PersonalRecordCard(models.Model):
    """Карточка персонального учёта — the centre's file on a person registered as unemployed
    (opened on registration as unemployed, SVC-22; closed on deregistration)."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="record_cards"
    )
    number = models.CharField(_("number"), max_length=32, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(
        _("reason for closing"), max_length=32, choices=DeregistrationReason.choices, blank=True
    )

    class Meta:
        ordering = ["-opened_at", "pk"]
        verbose_name = _("personal record card")
        verbose_name_plural = _("personal record cards")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(closed_at__isnull=True),
                name="registry_one_open_record_card",
            )
        ]

    def __str__(self) -> str:
        return self.number


class PersonAccessLog(models.Model):
    """Журнал доступа — who opened a person's card, when, why and through which channel."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="access_log"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    accessed_at = models.DateTimeField(_("accessed at"), default=timezone.now, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=32, choices=AccessPurpose.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=AccessChannel.choices)

    class Meta:
        ordering = ["-accessed_at", "-pk"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")

    def __str__(self) -> str:
        return f"{self.user} → {self.person} ({self.accessed_at:%Y-%m-%d %H:%M})"


class EmploymentImport(models.Model):
    """Выписка из ЕСУТД — one processed extract of the state register of employment contracts
    (единая система учёта трудовых договоров), kept so that runs are traceable and the same
    file is never applied twice."""

    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("records created"), default=0)
    updated = models.PositiveIntegerField(_("records updated"), default=0)
    unchanged = models.PositiveIntegerField(_("records unchanged"), default=0)
    unknown_persons = models.PositiveIntegerField(_("rows of unknown persons"), default=0)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("employment contracts import")
        verbose_name_plural = _("employment contracts imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d})"


class EmploymentRecord(TimeStampedModel):
    """Трудовой договор — one employment contract of a person as the state register of
    employment contracts reports it: the employer (BIN), the start and, once it has ended, the
    end. ``ended_on`` empty = still employed. Evidence for OUT-18, OUT-23 and OUT-24 (the
    outsourcing stage payments), hence ``PROTECT``: a person with contracts is not deleted."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="employment_records",
    )
    employer_bin = models.CharField(_("employer's BIN"), max_length=12, validators=[validate_bin])
    started_on = models.DateField(_("started"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    source_import = models.ForeignKey(
        EmploymentImport,
        verbose_name=_("last changed by import"),
        on_delete=models.PROTECT,
        related_name="records",
    )

    class Meta:
        ordering = ["person", "started_on", "pk"]
        verbose_name = _("employment contract")
        verbose_name_plural = _("employment contracts")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "employer_bin", "started_on"],
                name="registry_employment_unique",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="registry_employment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        # Never the IIN (see Person.__str__).
        end = f"{self.ended_on:%Y-%m-%d}" if self.ended_on else "…"
        return f"{self.employer_bin}: {self.started_on:%Y-%m-%d} – {end}"
