"""The electronic labour exchange: vacancies, CVs and candidate referrals to employers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from labormarket.core.models import DomainEvent, TimeStampedModel

from .choices import (
    AffectedPersonStatus,
    CvSource,
    CvStatus,
    CvVisibility,
    LayoffKind,
    ReferralStatus,
    RefusalReason,
    VacancyCloseReason,
    VacancyStatus,
)


class Vacancy(TimeStampedModel):
    """Вакансия — an employer's offer of one or more places for an occupation in a locality."""

    employer = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        related_name="vacancies",
    )
    occupation = models.ForeignKey(
        "reference.Occupation",
        verbose_name=_("occupation (NKZ)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    region = models.ForeignKey(
        "reference.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    locality = models.ForeignKey(
        "reference.KatoUnit",
        verbose_name=_("locality (KATO)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    salary_min = models.DecimalField(_("salary from, KZT"), max_digits=12, decimal_places=2)
    salary_max = models.DecimalField(
        _("salary to, KZT"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    schedule = models.ForeignKey(
        "reference.WorkSchedule",
        verbose_name=_("working-time regime"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    employment_type = models.ForeignKey(
        "reference.EmploymentType",
        verbose_name=_("employment type"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    places_total = models.PositiveIntegerField(_("places"))
    places_open = models.PositiveIntegerField(_("open places"))
    education_min = models.ForeignKey(
        "reference.EducationLevel",
        verbose_name=_("minimum education"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    experience_years_min = models.PositiveSmallIntegerField(_("years of experience"), default=0)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    health_restrictions = models.CharField(
        _("health restrictions"),
        max_length=300,
        blank=True,
        help_text=_("Conditions that exclude some health limitations, e.g. work at height."),
    )
    suitable_for_disability = models.BooleanField(
        _("suitable for persons with disabilities"), default=False
    )
    transport_accessible = models.BooleanField(_("reachable by public transport"), default=True)
    housing_offered = models.BooleanField(_("housing offered"), default=False)
    is_social_job = models.BooleanField(_("social job"), default=False)
    is_youth_practice = models.BooleanField(_("youth practice"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=VacancyStatus.choices, default=VacancyStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(
        _("reason for closing"), max_length=16, choices=VacancyCloseReason.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        indexes = [
            models.Index(fields=["status", "region", "occupation"], name="exchange_vac_search"),
            models.Index(fields=["employer", "status"], name="exchange_vac_employer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(salary_max__isnull=True) | Q(salary_max__gte=F("salary_min")),
                name="exchange_vacancy_salary_range",
            ),
            models.CheckConstraint(
                condition=Q(places_open__lte=F("places_total")),
                name="exchange_vacancy_open_places_le_total",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Cv(TimeStampedModel):
    """Резюме — what a job seeker offers: desired occupations, conditions, experience, skills.

    A CV the person posts themselves expires on the date they choose, at most one month after
    posting (PRG-68); a CV a centre posts from the registry lives as long as the registration.
    """

    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="cvs"
    )
    source = models.CharField(_("posted by"), max_length=8, choices=CvSource.choices)
    title = models.CharField(_("title"), max_length=200)
    occupations = models.ManyToManyField(
        "reference.Occupation", verbose_name=_("desired occupations"), related_name="+"
    )
    expected_salary = models.DecimalField(
        _("expected salary, KZT"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    regions = models.ManyToManyField(
        "reference.Region", verbose_name=_("regions where the person would work"), related_name="+"
    )
    ready_to_relocate = models.BooleanField(_("ready to relocate"), default=False)
    schedule = models.ForeignKey(
        "reference.WorkSchedule",
        verbose_name=_("working-time regime"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    experience_years = models.PositiveSmallIntegerField(_("years of experience"), default=0)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    health_limits = models.CharField(_("health limitations"), max_length=300, blank=True)
    about = models.TextField(_("about"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CvStatus.choices, default=CvStatus.DRAFT
    )
    visibility = models.CharField(
        _("visible to"), max_length=8, choices=CvVisibility.choices, default=CvVisibility.CENTRES
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("CV")
        verbose_name_plural = _("CVs")
        indexes = [models.Index(fields=["status", "expires_on"], name="exchange_cv_expiry")]

    def __str__(self) -> str:
        return self.title


class CandidateReferral(TimeStampedModel):
    """Направление кандидата работодателю — a centre sends a person's CV, with the person's
    consent (PRG-71), to an employer's vacancy; the employer answers hire or refuse within
    3 working days, silence being a refusal (PRG-66)."""

    vacancy = models.ForeignKey(
        Vacancy, verbose_name=_("vacancy"), on_delete=models.PROTECT, related_name="referrals"
    )
    cv = models.ForeignKey(
        Cv, verbose_name=_("CV"), on_delete=models.PROTECT, related_name="referrals"
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("candidate"),
        on_delete=models.PROTECT,
        related_name="candidate_referrals",
    )
    consent = models.ForeignKey(
        "registry.Consent",
        verbose_name=_("candidate's consent"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("referring centre"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer_due_at = models.DateTimeField(_("answer due"), db_index=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refusal_reason = models.CharField(
        _("reason for refusal"), max_length=24, choices=RefusalReason.choices, blank=True
    )
    refusal_comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("candidate referral")
        verbose_name_plural = _("candidate referrals")
        constraints = [
            models.UniqueConstraint(
                fields=["vacancy", "person"],
                condition=Q(status=ReferralStatus.SENT),
                name="exchange_one_open_referral_per_vacancy_person",
            )
        ]
        indexes = [models.Index(fields=["status", "answer_due_at"], name="exchange_ref_due")]

    def __str__(self) -> str:
        return f"{self.person} → {self.vacancy}"


class ReferralEvent(DomainEvent):
    """History of a candidate referral: sent, hired, refused, refused by silence."""

    referral = models.ForeignKey(
        CandidateReferral,
        verbose_name=_("referral"),
        on_delete=models.CASCADE,
        related_name="events",
    )

    class Meta(DomainEvent.Meta):
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")


class ContributionImport(models.Model):
    """One processed pension-contributions extract (PRG-69), kept so that runs are traceable
    and the same file is never applied twice."""

    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("rows"))
    persons_found = models.PositiveIntegerField(_("persons found"))
    deregistered = models.PositiveIntegerField(_("deregistered"))
    not_registered = models.PositiveIntegerField(_("not registered"))
    unknown_persons = models.PositiveIntegerField(_("unknown persons"))

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("pension contributions import")
        verbose_name_plural = _("pension contributions imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d})"


class LayoffNotice(TimeStampedModel):
    """Уведомление о предстоящем высвобождении — an employer tells the centre in advance that
    people will lose their jobs (liquidation, staff reduction, downtime)."""

    employer = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        related_name="layoff_notices",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=LayoffKind.choices)
    planned_on = models.DateField(_("planned date"))
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-planned_on", "-pk"]
        verbose_name = _("lay-off notice")
        verbose_name_plural = _("lay-off notices")

    def __str__(self) -> str:
        return f"{self.employer} — {self.planned_on}"


class LayoffAffectedPerson(models.Model):
    """A person named in a lay-off notice; with their consent the centre registers them as a
    job seeker before they lose the job."""

    notice = models.ForeignKey(
        LayoffNotice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="affected"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.CharField(_("position"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AffectedPersonStatus.choices,
        default=AffectedPersonStatus.NOTIFIED,
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)

    class Meta:
        ordering = ["notice", "pk"]
        verbose_name = _("person affected by a lay-off")
        verbose_name_plural = _("persons affected by lay-offs")
        constraints = [
            models.UniqueConstraint(fields=["notice", "person"], name="exchange_layoff_person_once")
        ]

    def __str__(self) -> str:
        return str(self.person)


class ForecastJob(TimeStampedModel):
    """Прогнозируемое рабочее место — jobs an employer plans to open (new plant, project)."""

    employer = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        related_name="forecast_jobs",
    )
    occupation = models.ForeignKey(
        "reference.Occupation",
        verbose_name=_("occupation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "reference.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    locality = models.ForeignKey(
        "reference.KatoUnit", verbose_name=_("locality"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("number of jobs"))
    expected_from = models.DateField(_("expected from"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["expected_from", "pk"]
        verbose_name = _("forecast job")
        verbose_name_plural = _("forecast jobs")

    def __str__(self) -> str:
        return f"{self.occupation} × {self.quantity}"


class AgencyMonthlyReport(models.Model):
    """A private employment agency's monthly figures: how many people asked it for
    intermediation and how many it placed, by occupation. Never public (PRG-70)."""

    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="monthly_reports",
    )
    period = models.DateField(_("month"), help_text=_("The first day of the month reported."))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-period", "agency"]
        verbose_name = _("agency monthly report")
        verbose_name_plural = _("agency monthly reports")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "period"], name="exchange_agency_report_once"
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="exchange_agency_report_month"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.period:%Y-%m}"


class AgencyReportLine(models.Model):
    report = models.ForeignKey(
        AgencyMonthlyReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="lines",
    )
    occupation = models.ForeignKey(
        "reference.Occupation",
        verbose_name=_("occupation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicants = models.PositiveIntegerField(_("people who asked for intermediation"))
    placed = models.PositiveIntegerField(_("people placed"))

    class Meta:
        ordering = ["report", "occupation__code"]
        verbose_name = _("report line")
        verbose_name_plural = _("report lines")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "occupation"], name="exchange_report_line_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occupation}: {self.applicants}/{self.placed}"
