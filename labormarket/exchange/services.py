"""Writes on the exchange: vacancies, CVs and candidate referrals.

Every function is atomic, takes the acting user, names each bad field with its rule and writes
nothing when it refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from labormarket.accounts.choices import OrganisationKind, Role
from labormarket.accounts.models import Organisation, User
from labormarket.accounts.policies import organisation_ids_with
from labormarket.core.calendar import deadline_at
from labormarket.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed
from labormarket.core.iin import InvalidIIN, parse_iin
from labormarket.notifications.services import notify_person
from labormarket.reference.models import (
    EducationLevel,
    EmploymentType,
    KatoUnit,
    Occupation,
    Region,
    WorkSchedule,
)
from labormarket.registry import services as registry_services
from labormarket.registry.choices import ConsentPurpose, DeregistrationReason, LabourStatus
from labormarket.registry.models import Consent, Person
from labormarket.registry.policies import person_read_scope

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
from .models import (
    AgencyMonthlyReport,
    AgencyReportLine,
    CandidateReferral,
    Cv,
    ForecastJob,
    LayoffAffectedPerson,
    LayoffNotice,
    ReferralEvent,
    Vacancy,
)
from .policies import can_manage_employer, employer_ids_of, staff_scope

#: PRG-66: the employer answers a referral within this many working days; silence is refusal.
EMPLOYER_ANSWER_WORKING_DAYS = 3
#: PRG-68: a self-posted CV expires at most this long after posting.
SELF_POSTED_CV_MAX_DAYS = 31


def _clean_list(values: list[str] | None, limit: int = 50) -> list[str]:
    seen: list[str] = []
    for value in values or []:
        text = " ".join(str(value).split())[:100]
        if text and text.lower() not in {s.lower() for s in seen}:
            seen.append(text)
    return seen[:limit]


def one_month_after(day: date) -> date:
    """The same day of the next month (or its last day): PRG-68's "one month after posting"."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


# --- Vacancies -------------------------------------------------------------------------------


@dataclass
class VacancyData:
    """A vacancy as the employer describes it (codes as in the classifiers)."""

    occupation_code: str
    title: str
    locality_code: str
    salary_min: Decimal
    schedule_code: str
    employment_type_code: str
    places_total: int = 1
    salary_max: Decimal | None = None
    description: str = ""
    education_min_code: str = ""
    experience_years_min: int = 0
    skills: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    health_restrictions: str = ""
    suitable_for_disability: bool = False
    transport_accessible: bool = True
    housing_offered: bool = False
    is_social_job: bool = False
    is_youth_practice: bool = False


def _clean_vacancy(data: VacancyData, errors: FieldErrors) -> dict[str, Any]:
    values: dict[str, Any] = {}
    occupation = Occupation.objects.filter(
        code=data.occupation_code.strip(), level__gte=Occupation.Level.UNIT, is_active=True
    ).first()
    if occupation is None:
        errors.add(
            "occupation",
            "occupation_unknown",
            _("Choose an occupation (a 4-digit unit group or an NKZ occupation)."),
        )
    values["occupation"] = occupation
    title = " ".join(data.title.split())
    if not title:
        errors.add("title", "required", _("Give the vacancy a title."))
    values["title"] = title
    locality = KatoUnit.objects.filter(code=data.locality_code.strip(), is_active=True).first()
    if locality is None:
        errors.add(
            "locality",
            "kato_unknown",
            _("There is no locality with KATO code %(code)s.") % {"code": data.locality_code},
        )
    values["locality"] = locality
    values["region_id"] = locality.region_id if locality else None
    for name, model, code in (
        ("schedule", WorkSchedule, data.schedule_code),
        ("employment_type", EmploymentType, data.employment_type_code),
    ):
        obj = model.objects.filter(code=code, is_active=True).first()
        if obj is None:
            errors.add(name, "invalid_choice", _("Choose a value from the list."))
        values[name] = obj
    education = None
    if data.education_min_code:
        education = EducationLevel.objects.filter(code=data.education_min_code).first()
        if education is None:
            errors.add("education_min", "invalid_choice", _("Choose an education level."))
    values["education_min"] = education
    if data.salary_min is None or data.salary_min <= 0:
        errors.add("salary_min", "salary_not_positive", _("The salary must be above zero."))
    elif data.salary_max is not None and data.salary_max < data.salary_min:
        errors.add(
            "salary_max",
            "salary_range_reversed",
            _("The upper salary must not be below the lower one."),
        )
    values["salary_min"] = data.salary_min
    values["salary_max"] = data.salary_max
    if data.places_total < 1 or data.places_total > 10000:
        errors.add("places_total", "places_out_of_range", _("Give 1 to 10 000 places."))
    if data.experience_years_min < 0 or data.experience_years_min > 50:
        errors.add("experience_years_min", "out_of_range", _("Give 0 to 50 years."))
    for name in (
        "description",
        "experience_years_min",
        "health_restrictions",
        "suitable_for_disability",
        "transport_accessible",
        "housing_offered",
        "is_social_job",
        "is_youth_practice",
    ):
        values[name] = getattr(data, name)
    values["skills"] = _clean_list(data.skills)
    values["languages"] = _clean_list(data.languages, limit=10)
    return values


def _employer_for(actor: User, employer_id: int) -> Organisation:
    employer = Organisation.objects.filter(
        pk=employer_id, kind=OrganisationKind.EMPLOYER, is_active=True
    ).first()
    if employer is None or not can_manage_employer(actor, employer):
        raise NotFound(_("There is no such employer among those you act for."))
    return employer


@transaction.atomic
def vacancy_create(*, actor: User, employer_id: int, data: VacancyData) -> Vacancy:
    """Register a vacancy (as a draft) for an employer the actor acts for."""
    employer = _employer_for(actor, employer_id)
    errors = FieldErrors()
    values = _clean_vacancy(data, errors)
    errors.raise_if_any()
    return Vacancy.objects.create(
        employer=employer,
        places_total=data.places_total,
        places_open=data.places_total,
        created_by=actor,
        **values,
    )


def _vacancy_for_change(actor: User, vacancy_id: int) -> Vacancy:
    vacancy = (
        Vacancy.objects.select_for_update().select_related("employer").filter(pk=vacancy_id).first()
    )
    if vacancy is None or not can_manage_employer(actor, vacancy.employer):
        raise NotFound(_("There is no such vacancy among those you manage."))
    return vacancy


@transaction.atomic
def vacancy_update(*, actor: User, vacancy_id: int, data: VacancyData) -> Vacancy:
    """Edit a vacancy that is not closed. Places already filled stay filled."""
    vacancy = _vacancy_for_change(actor, vacancy_id)
    if vacancy.status == VacancyStatus.CLOSED:
        raise Conflict("vacancy_closed", _("A closed vacancy cannot be edited."))
    errors = FieldErrors()
    values = _clean_vacancy(data, errors)
    filled = vacancy.places_total - vacancy.places_open
    if data.places_total < filled:
        errors.add(
            "places_total",
            "places_below_filled",
            _("%(filled)s places are already filled.") % {"filled": filled},
        )
    errors.raise_if_any()
    for name, value in values.items():
        setattr(vacancy, name, value)
    vacancy.places_total = data.places_total
    vacancy.places_open = data.places_total - filled
    vacancy.save()
    return vacancy


@transaction.atomic
def vacancy_publish(*, actor: User, vacancy_id: int) -> Vacancy:
    """Put a draft on the exchange. Publishing again is a no-op."""
    vacancy = _vacancy_for_change(actor, vacancy_id)
    if vacancy.status == VacancyStatus.PUBLISHED:
        return vacancy
    if vacancy.status == VacancyStatus.CLOSED:
        raise Conflict("vacancy_closed", _("A closed vacancy cannot be published again."))
    vacancy.status = VacancyStatus.PUBLISHED
    vacancy.published_at = timezone.now()
    vacancy.save(update_fields=["status", "published_at", "updated_at"])
    return vacancy


def _close_vacancy(vacancy: Vacancy, reason: str) -> None:
    vacancy.status = VacancyStatus.CLOSED
    vacancy.closed_at = timezone.now()
    vacancy.close_reason = reason
    vacancy.save(update_fields=["status", "closed_at", "close_reason", "updated_at"])


@transaction.atomic
def vacancy_close(*, actor: User, vacancy_id: int) -> Vacancy:
    """Withdraw a vacancy from the exchange. Closing again is a no-op."""
    vacancy = _vacancy_for_change(actor, vacancy_id)
    if vacancy.status != VacancyStatus.CLOSED:
        _close_vacancy(vacancy, VacancyCloseReason.WITHDRAWN)
    return vacancy


# --- CVs -------------------------------------------------------------------------------------


@dataclass
class CvData:
    title: str
    occupation_codes: list[str]
    region_codes: list[str]
    expected_salary: Decimal | None = None
    ready_to_relocate: bool = False
    schedule_code: str = ""
    experience_years: int = 0
    skills: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    health_limits: str = ""
    about: str = ""


def _clean_cv(
    data: CvData, errors: FieldErrors
) -> tuple[dict[str, Any], list[Occupation], list[Region]]:
    values: dict[str, Any] = {}
    title = " ".join(data.title.split())
    if not title:
        errors.add("title", "required", _("Give the CV a title."))
    values["title"] = title
    codes = [c.strip() for c in data.occupation_codes if c.strip()]
    occupations = list(Occupation.objects.filter(code__in=codes, level__gte=Occupation.Level.UNIT))
    unknown = sorted(set(codes) - {o.code for o in occupations})
    if not codes:
        errors.add("occupations", "required", _("Name at least one desired occupation."))
    elif unknown:
        errors.add(
            "occupations",
            "occupation_unknown",
            _("Unknown occupation codes: %(codes)s.") % {"codes": ", ".join(unknown)},
        )
    elif len(codes) > 5:
        errors.add("occupations", "too_many", _("Name at most five occupations."))
    region_codes = [c.strip() for c in data.region_codes if c.strip()]
    regions = list(Region.objects.filter(kato_code__in=region_codes))
    unknown_regions = sorted(set(region_codes) - {r.kato_code for r in regions})
    if not region_codes:
        errors.add("regions", "required", _("Name at least one region."))
    elif unknown_regions:
        errors.add(
            "regions",
            "region_unknown",
            _("Unknown region codes: %(codes)s.") % {"codes": ", ".join(unknown_regions)},
        )
    if data.expected_salary is not None and data.expected_salary <= 0:
        errors.add("expected_salary", "salary_not_positive", _("The salary must be above zero."))
    values["expected_salary"] = data.expected_salary
    schedule = None
    if data.schedule_code:
        schedule = WorkSchedule.objects.filter(code=data.schedule_code).first()
        if schedule is None:
            errors.add("schedule", "invalid_choice", _("Choose a value from the list."))
    values["schedule"] = schedule
    if not 0 <= data.experience_years <= 70:
        errors.add("experience_years", "out_of_range", _("Give 0 to 70 years."))
    values["experience_years"] = data.experience_years
    values["ready_to_relocate"] = data.ready_to_relocate
    values["skills"] = _clean_list(data.skills)
    values["languages"] = _clean_list(data.languages, limit=10)
    values["health_limits"] = data.health_limits.strip()
    values["about"] = data.about.strip()
    return values, occupations, regions


def _person_for_cv(actor: User, person_id: int) -> tuple[Person, str]:
    """The person and the CV source the actor acts as: themselves or a centre."""
    person = Person.objects.filter(pk=person_id).first()
    if person is not None and person.user_id == actor.pk:
        return person, CvSource.SELF
    if person is not None and staff_scope(actor).allows(person.region_id):
        return person, CvSource.CENTRE
    raise NotFound(_("There is no such person among those you act for."))


@transaction.atomic
def cv_create(*, actor: User, person_id: int, data: CvData) -> Cv:
    """Write a CV (a draft) for oneself or, as centre staff, for a person of one's region."""
    person, source = _person_for_cv(actor, person_id)
    errors = FieldErrors()
    values, occupations, regions = _clean_cv(data, errors)
    errors.raise_if_any()
    cv = Cv.objects.create(person=person, source=source, created_by=actor, **values)
    cv.occupations.set(occupations)
    cv.regions.set(regions)
    return cv


def _cv_for_change(actor: User, cv_id: int) -> Cv:
    cv = Cv.objects.select_for_update().select_related("person").filter(pk=cv_id).first()
    if cv is None:
        raise NotFound()
    _person_for_cv(actor, cv.person_id)
    return cv


@transaction.atomic
def cv_update(*, actor: User, cv_id: int, data: CvData) -> Cv:
    cv = _cv_for_change(actor, cv_id)
    if cv.status == CvStatus.CLOSED:
        raise Conflict("cv_closed", _("A closed CV cannot be edited."))
    errors = FieldErrors()
    values, occupations, regions = _clean_cv(data, errors)
    errors.raise_if_any()
    for name, value in values.items():
        setattr(cv, name, value)
    cv.save()
    cv.occupations.set(occupations)
    cv.regions.set(regions)
    return cv


@transaction.atomic
def cv_publish(*, actor: User, cv_id: int, expires_on: date | None = None) -> Cv:
    """Put a CV on the exchange.

    A self-posted CV needs an expiry date at most one month after today (PRG-68) and can be
    posted again after it expires. A centre-posted CV needs the person to be a registered job
    seeker and lives as long as the registration. Without the person's consent to publication
    the CV is visible to employment centres only.
    """
    cv = _cv_for_change(actor, cv_id)
    if cv.status == CvStatus.CLOSED:
        raise Conflict("cv_closed", _("A closed CV cannot be published."))
    today = timezone.localdate()
    if cv.source == CvSource.SELF:
        latest = one_month_after(today)
        if expires_on is None:
            raise ValidationFailed.single(
                "expires_on", "required", _("Choose until when the CV is shown."), rule="PRG-68"
            )
        if expires_on <= today or expires_on > latest:
            raise ValidationFailed.single(
                "expires_on",
                "cv_expiry_out_of_range",
                _("A CV can be shown from tomorrow to %(latest)s at most (one month).")
                % {"latest": latest.strftime("%d.%m.%Y")},
                rule="PRG-68",
            )
        cv.expires_on = expires_on
    else:
        if cv.person.labour_status == LabourStatus.NOT_REGISTERED:
            raise Conflict(
                "person_not_registered",
                _("The centre posts CVs of registered job seekers only."),
            )
        cv.expires_on = None
    consent = registry_services.has_active_consent(cv.person, ConsentPurpose.CV_PUBLICATION)
    cv.visibility = CvVisibility.PUBLIC if consent else CvVisibility.CENTRES
    cv.status = CvStatus.PUBLISHED
    cv.published_at = timezone.now()
    cv.save(update_fields=["expires_on", "visibility", "status", "published_at", "updated_at"])
    return cv


def cvs_expire(*, on_date: date | None = None) -> int:
    """Take self-posted CVs whose expiry date has passed off the exchange (PRG-68)."""
    today = on_date or timezone.localdate()
    return Cv.objects.filter(
        status=CvStatus.PUBLISHED, source=CvSource.SELF, expires_on__lt=today
    ).update(status=CvStatus.EXPIRED, updated_at=timezone.now())


# --- Candidate referrals -------------------------------------------------------------------


def _event(referral: CandidateReferral, kind: str, actor: User | None, **payload: Any) -> None:
    ReferralEvent.objects.create(referral=referral, kind=kind, actor=actor, payload=payload)


@transaction.atomic
def referral_create(
    *, actor: User, vacancy_id: int, cv_id: int, organisation_id: int
) -> CandidateReferral:
    """Send a candidate's CV to the employer of a published vacancy.

    The candidate's consent to sending the CV to an employer must be on record (PRG-71). The
    employer's answer is due within 3 working days (PRG-66): the deadline is stored now.
    """
    scope = staff_scope(actor)
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not scope.allows(organisation.region_id):
        raise NotFound(_("Refer candidates on behalf of your own centre."))
    vacancy = Vacancy.objects.select_for_update().filter(pk=vacancy_id).first()
    if vacancy is None or vacancy.status != VacancyStatus.PUBLISHED:
        raise NotFound(_("There is no such published vacancy."))
    cv = Cv.objects.select_related("person").filter(pk=cv_id).first()
    if cv is None or not person_read_scope(actor).allows(cv.person.region_id):
        raise NotFound(_("There is no such CV in your region."))
    if cv.status != CvStatus.PUBLISHED:
        raise Conflict("cv_not_published", _("Only a published CV can be sent to an employer."))
    consent = Consent.objects.filter(
        person=cv.person,
        purpose=ConsentPurpose.REFERRAL_TO_EMPLOYER,
        withdrawn_at__isnull=True,
    ).first()
    if consent is None:
        raise Conflict(
            "consent_missing",
            _("Record the candidate's consent to sending the CV to an employer first."),
            rule="PRG-71",
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            referral = CandidateReferral.objects.create(
                vacancy=vacancy,
                cv=cv,
                person=cv.person,
                consent=consent,
                organisation=organisation,
                sent_at=now,
                sent_by=actor,
                answer_due_at=deadline_at(now, EMPLOYER_ANSWER_WORKING_DAYS),
            )
    except IntegrityError as error:
        raise Conflict(
            "already_referred", _("This candidate is already waiting for this employer's answer.")
        ) from error
    _event(referral, "sent", actor, answer_due_at=referral.answer_due_at.isoformat())
    notify_person(
        person=cv.person,
        kind="referral_sent",
        subject=_("Your CV has been sent to an employer"),
        body=_(
            "The employment centre has sent your CV to %(employer)s for the vacancy "
            "«%(title)s». The employer will answer by %(due)s."
        )
        % {
            "employer": vacancy.employer.name,
            "title": vacancy.title,
            "due": timezone.localtime(referral.answer_due_at).strftime("%d.%m.%Y"),
        },
    )
    return referral


def _notify_answer(referral: CandidateReferral) -> None:
    """Tell the candidate how the employer answered (or that the employer did not answer)."""
    texts = {
        ReferralStatus.HIRED: _("%(employer)s has decided to hire you for «%(title)s»."),
        ReferralStatus.REFUSED: _("%(employer)s has declined your candidacy for «%(title)s»."),
        ReferralStatus.REFUSED_BY_SILENCE: _(
            "%(employer)s did not answer within 3 working days about «%(title)s»; "
            "this counts as a refusal. The centre will offer you other vacancies."
        ),
    }
    notify_person(
        person=referral.person,
        kind=f"referral_{referral.status}",
        subject=_("The employer's answer"),
        body=texts[ReferralStatus(referral.status)]
        % {"employer": referral.vacancy.employer.name, "title": referral.vacancy.title},
    )


def _referral_for_employer(actor: User, referral_id: int) -> CandidateReferral:
    referral = (
        CandidateReferral.objects.select_for_update()
        .select_related("vacancy__employer", "person")
        .filter(pk=referral_id)
        .first()
    )
    # Only the employer answers (PRG-66/67): centre staff see the referral but cannot answer.
    if referral is None or referral.vacancy.employer_id not in employer_ids_of(actor):
        raise NotFound(_("There is no such referral to your organisation."))
    return referral


@transaction.atomic
def referral_refuse(
    *, actor: User, referral_id: int, reason: str, comment: str = ""
) -> CandidateReferral:
    """The employer refuses the candidate, with a reason."""
    referral = _referral_for_employer(actor, referral_id)
    if reason not in RefusalReason.values:
        raise ValidationFailed.single("reason", "invalid_choice", _("Choose a reason."))
    if reason == RefusalReason.OTHER and not comment.strip():
        raise ValidationFailed.single("comment", "required", _("Explain the reason."))
    if referral.status != ReferralStatus.SENT:
        raise Conflict("already_answered", _("This referral has already been answered."))
    referral.status = ReferralStatus.REFUSED
    referral.answered_at = timezone.now()
    referral.answered_by = actor
    referral.refusal_reason = reason
    referral.refusal_comment = comment.strip()
    referral.save()
    _event(referral, "refused", actor, reason=reason)
    _notify_answer(referral)
    return referral


@transaction.atomic
def referral_hire(*, actor: User, referral_id: int) -> CandidateReferral:
    """The employer hires the candidate (PRG-67): one open place fewer, the vacancy closes at
    zero, and the person leaves the exchange and the registers with reason "employed"."""
    referral = _referral_for_employer(actor, referral_id)
    if referral.status != ReferralStatus.SENT:
        raise Conflict("already_answered", _("This referral has already been answered."))
    taken = Vacancy.objects.filter(pk=referral.vacancy_id, places_open__gt=0).update(
        places_open=F("places_open") - 1, updated_at=timezone.now()
    )
    if not taken:
        raise Conflict("no_open_places", _("The vacancy has no open places left."), rule="PRG-67")
    now = timezone.now()
    referral.status = ReferralStatus.HIRED
    referral.answered_at = now
    referral.answered_by = actor
    referral.save()
    _event(referral, "hired", actor)
    _notify_answer(referral)
    vacancy = Vacancy.objects.select_for_update().get(pk=referral.vacancy_id)
    if vacancy.places_open == 0 and vacancy.status != VacancyStatus.CLOSED:
        _close_vacancy(vacancy, VacancyCloseReason.FILLED)
    Cv.objects.filter(person=referral.person, status=CvStatus.PUBLISHED).update(
        status=CvStatus.CLOSED, closed_at=now, updated_at=now
    )
    registry_services.person_deregister(
        actor=actor,
        person_id=referral.person_id,
        reason=DeregistrationReason.EMPLOYED,
        payload={"rule": "PRG-67", "referral": referral.pk, "vacancy": vacancy.pk},
    )
    return referral


def referrals_refuse_silent(*, now: Any = None) -> int:
    """PRG-66: every referral whose answer was due and never came becomes a refusal — once.

    Idempotent: a referral already answered (or already refused by silence) is not touched.
    """
    moment = now or timezone.now()
    count = 0
    due = CandidateReferral.objects.filter(
        status=ReferralStatus.SENT, answer_due_at__lt=moment
    ).values_list("pk", flat=True)
    for referral_id in list(due):
        with transaction.atomic():
            changed = CandidateReferral.objects.filter(
                pk=referral_id, status=ReferralStatus.SENT, answer_due_at__lt=moment
            ).update(status=ReferralStatus.REFUSED_BY_SILENCE, answered_at=moment)
            if changed:
                referral = CandidateReferral.objects.select_related(
                    "vacancy__employer", "person"
                ).get(pk=referral_id)
                _event(referral, "refused_by_silence", None, rule="PRG-66")
                _notify_answer(referral)
                count += 1
    return count


# --- Lay-off notices and forecast jobs ----------------------------------------------------------


@dataclass
class AffectedPersonData:
    iin: str
    last_name: str
    first_name: str
    middle_name: str = ""
    position: str = ""


@transaction.atomic
def layoff_notice_create(
    *,
    actor: User,
    employer_id: int,
    kind: str,
    planned_on: date,
    reason: str,
    affected: list[AffectedPersonData],
) -> LayoffNotice:
    """An employer announces a lay-off with the people affected. Persons not yet in the
    registry are added to it in the employer's region (identity by IIN)."""
    employer = _employer_for(actor, employer_id)
    errors = FieldErrors()
    if kind not in LayoffKind.values:
        errors.add("kind", "invalid_choice", _("Choose the kind of lay-off."))
    if planned_on < timezone.localdate():
        errors.add("planned_on", "date_in_past", _("The planned date cannot be in the past."))
    if not affected:
        errors.add("affected", "required", _("List the people affected."))
    parsed: list[tuple[AffectedPersonData, str]] = []
    seen: set[str] = set()
    for index, item in enumerate(affected):
        try:
            iin = parse_iin(item.iin).value
        except InvalidIIN as error:
            errors.add(f"affected.{index}.iin", error.code, str(error))
            continue
        if iin in seen:
            errors.add(f"affected.{index}.iin", "duplicate", _("This person is listed twice."))
        if not item.last_name.strip() or not item.first_name.strip():
            errors.add(f"affected.{index}.last_name", "required", _("Give the person's name."))
        seen.add(iin)
        parsed.append((item, iin))
    errors.raise_if_any()
    notice = LayoffNotice.objects.create(
        employer=employer, kind=kind, planned_on=planned_on, reason=reason.strip(), created_by=actor
    )
    existing = {p.iin: p for p in Person.objects.filter(iin__in=[iin for _item, iin in parsed])}
    for item, iin in parsed:
        person = existing.get(iin)
        if person is None:
            facts = parse_iin(iin)
            person = Person.objects.create(
                iin=iin,
                last_name=item.last_name.strip(),
                first_name=item.first_name.strip(),
                middle_name=item.middle_name.strip(),
                search_name=registry_services.search_name_of(
                    item.last_name, item.first_name, item.middle_name
                ),
                birth_date=facts.birth_date,
                sex=facts.sex,
                region=employer.region,
            )
        LayoffAffectedPerson.objects.create(
            notice=notice, person=person, position=item.position.strip()
        )
    return notice


@transaction.atomic
def layoff_person_register(
    *, actor: User, affected_id: int, organisation_id: int, consent_evidence_reference: str
) -> LayoffAffectedPerson:
    """With the person's written consent, the centre registers someone facing a lay-off as a
    job seeker (and records the consent to the processing of their data)."""
    affected = (
        LayoffAffectedPerson.objects.select_for_update()
        .select_related("person")
        .filter(pk=affected_id)
        .first()
    )
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if (
        affected is None
        or organisation is None
        or not staff_scope(actor).allows(affected.person.region_id)
        or not staff_scope(actor).allows(organisation.region_id)
    ):
        raise NotFound()
    if affected.status == AffectedPersonStatus.REGISTERED:
        return affected
    registry_services.consent_give(
        actor=actor,
        person_id=affected.person_id,
        purpose=ConsentPurpose.PERSONAL_DATA,
        scope=_("Registration as a job seeker after a lay-off notice"),
        version="1.0",
        evidence="paper",
        evidence_reference=consent_evidence_reference,
    )
    registry_services.person_register_job_seeker(
        actor=actor, person_id=affected.person_id, organisation=organisation
    )
    affected.status = AffectedPersonStatus.REGISTERED
    affected.status_changed_at = timezone.now()
    affected.save(update_fields=["status", "status_changed_at"])
    return affected


@transaction.atomic
def forecast_job_create(
    *,
    actor: User,
    employer_id: int,
    occupation_code: str,
    locality_code: str,
    quantity: int,
    expected_from: date,
    note: str = "",
) -> ForecastJob:
    employer = _employer_for(actor, employer_id)
    errors = FieldErrors()
    occupation = Occupation.objects.filter(
        code=occupation_code.strip(), level__gte=Occupation.Level.UNIT
    ).first()
    if occupation is None:
        errors.add("occupation", "occupation_unknown", _("Choose an occupation."))
    locality = KatoUnit.objects.filter(code=locality_code.strip()).first()
    if locality is None:
        errors.add(
            "locality",
            "kato_unknown",
            _("There is no locality with KATO code %(code)s.") % {"code": locality_code},
        )
    if not 1 <= quantity <= 100000:
        errors.add("quantity", "out_of_range", _("Give 1 to 100 000 jobs."))
    if expected_from < timezone.localdate():
        errors.add("expected_from", "date_in_past", _("The date cannot be in the past."))
    errors.raise_if_any()
    assert locality is not None  # guaranteed by raise_if_any
    assert occupation is not None
    return ForecastJob.objects.create(
        employer=employer,
        occupation=occupation,
        region_id=locality.region_id,
        locality=locality,
        quantity=quantity,
        expected_from=expected_from,
        note=note.strip(),
        created_by=actor,
    )


# --- Private agencies' monthly figures (PRG-70) -------------------------------------------


@dataclass
class AgencyReportLineData:
    occupation_code: str
    applicants: int
    placed: int


@transaction.atomic
def agency_report_submit(
    *, actor: User, agency_id: int, period: date, lines: list[AgencyReportLineData]
) -> AgencyMonthlyReport:
    """A PEA reports a past month: per occupation, how many asked for intermediation and how
    many were placed. Submitting the same month again replaces its lines. Never public (PRG-70).
    """
    if agency_id not in organisation_ids_with(actor, {Role.PEA_MANAGER}):
        raise NotFound(_("Report for your own agency."))
    errors = FieldErrors()
    month = period.replace(day=1)
    if month >= timezone.localdate().replace(day=1):
        errors.add("period", "month_not_over", _("Report a month that is over."))
    if not lines:
        errors.add("lines", "required", _("Give at least one occupation."))
    codes = [line.occupation_code.strip() for line in lines]
    occupations = {
        o.code: o
        for o in Occupation.objects.filter(code__in=codes, level__gte=Occupation.Level.UNIT)
    }
    seen: set[str] = set()
    for index, line in enumerate(lines):
        code = line.occupation_code.strip()
        if code not in occupations:
            errors.add(f"lines.{index}.occupation", "occupation_unknown", _("Unknown occupation."))
        elif code in seen:
            errors.add(
                f"lines.{index}.occupation", "duplicate", _("This occupation is listed twice.")
            )
        seen.add(code)
        if line.applicants < 0 or line.placed < 0:
            errors.add(f"lines.{index}.applicants", "negative", _("Counts cannot be negative."))
        elif line.placed > line.applicants:
            errors.add(
                f"lines.{index}.placed",
                "placed_above_applicants",
                _("More people placed than asked for intermediation."),
            )
    errors.raise_if_any()
    report, _created = AgencyMonthlyReport.objects.update_or_create(
        agency_id=agency_id,
        period=month,
        defaults={"submitted_at": timezone.now(), "submitted_by": actor},
    )
    report.lines.all().delete()
    AgencyReportLine.objects.bulk_create(
        AgencyReportLine(
            report=report,
            occupation=occupations[line.occupation_code.strip()],
            applicants=line.applicants,
            placed=line.placed,
        )
        for line in lines
    )
    return report
