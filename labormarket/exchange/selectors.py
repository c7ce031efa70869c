"""Reads of the exchange, scoped to what each audience may see."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum, prefetch_related_objects

from labormarket.accounts.choices import STAFF_ROLES, Role
from labormarket.accounts.policies import has_any_role, organisation_ids_with, region_scope
from labormarket.core.iin import mask_iin
from labormarket.registry.models import Person

from .choices import CvStatus, ReferralStatus, VacancyStatus
from .models import (
    AgencyMonthlyReport,
    AgencyReportLine,
    CandidateReferral,
    Cv,
    ForecastJob,
    LayoffNotice,
    Vacancy,
)
from .policies import employer_ids_of, staff_scope

VACANCY_RELATED = ("employer", "occupation", "region", "locality", "schedule", "employment_type")


def vacancy_queryset_for(user: Any) -> QuerySet[Vacancy]:
    """Published vacancies for everyone; drafts and closed ones for those who manage them."""
    visible = Q(status=VacancyStatus.PUBLISHED)
    if getattr(user, "is_authenticated", False):
        visible |= Q(employer_id__in=employer_ids_of(user))
        scope = staff_scope(user)
        if scope.all_regions:
            visible = Q()
        elif scope.region_ids:
            visible |= Q(employer__region_id__in=scope.region_ids)
    return Vacancy.objects.filter(visible).select_related(*VACANCY_RELATED)


def vacancy_get_for(user: Any, vacancy_id: int) -> Vacancy | None:
    return vacancy_queryset_for(user).filter(pk=vacancy_id).first()


def cv_queryset_for(user: Any) -> QuerySet[Cv]:
    """Own CVs for a citizen; the CVs of the region's persons for centre staff; published public
    CVs for employers and agencies."""
    scope = staff_scope(user)
    visible = Q(person__user_id=user.pk)
    if scope.all_regions:
        visible = Q()
    elif scope.region_ids:
        visible |= Q(person__region_id__in=scope.region_ids)
    if has_any_role(user, {Role.EMPLOYER_MANAGER, Role.PEA_MANAGER}):
        visible |= Q(status=CvStatus.PUBLISHED, visibility="public")
    return (
        Cv.objects.filter(visible)
        .select_related("person", "schedule")
        .prefetch_related("occupations", "regions")
    )


def cv_get_for(user: Any, cv_id: int) -> Cv | None:
    return cv_queryset_for(user).filter(pk=cv_id).first()


def cvs_showing_contacts_to(user: Any, cvs: Sequence[Cv]) -> set[int]:
    """The ids of those ``cvs`` (their persons loaded) whose contact details ``user`` may see —
    contact details stay hidden from employers until the person is referred to them:
    their own, those of persons in the user's regions (staff), and those of persons referred
    to one of the user's employers. At most two queries, whatever the number of CVs."""
    scope = staff_scope(user)
    shown = {
        cv.pk for cv in cvs if cv.person.user_id == user.pk or scope.allows(cv.person.region_id)
    }
    rest = {cv.person_id for cv in cvs if cv.pk not in shown}
    if rest:
        employers = employer_ids_of(user)
        if employers:
            referred = CandidateReferral.objects.filter(
                person_id__in=sorted(rest), vacancy__employer_id__in=employers
            ).values_list("person_id", flat=True)
            by_person: dict[int, list[int]] = {}
            for cv in cvs:
                by_person.setdefault(cv.person_id, []).append(cv.pk)
            shown.update(pk for person_id in set(referred) for pk in by_person[person_id])
    return shown


@dataclass(frozen=True)
class CvContacts:
    """What a CV list shows of the person to those allowed: never the full IIN."""

    full_name: str
    iin_masked: str
    phone: str | None
    email: str


def cv_contacts_for(user: Any, cvs: Sequence[Cv]) -> dict[int, CvContacts]:
    """The contact details ``user`` may see, by CV id, of those ``cvs`` that show them (see
    :func:`cvs_showing_contacts_to`). Loads the persons, and the phones of those shown only: at
    most three queries, whatever the number of CVs."""
    prefetch_related_objects(list(cvs), "person")
    shown = cvs_showing_contacts_to(user, cvs)
    persons = [cv.person for cv in cvs if cv.pk in shown]
    prefetch_related_objects(persons, "phones")
    return {
        cv.pk: CvContacts(
            full_name=cv.person.full_name,
            iin_masked=mask_iin(cv.person.iin),
            phone=next((p.number for p in cv.person.phones.all() if p.is_primary), None),
            email=cv.person.email,
        )
        for cv in cvs
        if cv.pk in shown
    }


def referral_queryset_for(user: Any) -> QuerySet[CandidateReferral]:
    """Referrals to the user's employers, or made by centres of the user's region."""
    scope = staff_scope(user)
    visible = Q(vacancy__employer_id__in=employer_ids_of(user))
    if scope.all_regions:
        visible = Q()
    elif scope.region_ids:
        visible |= Q(organisation__region_id__in=scope.region_ids)
    return CandidateReferral.objects.filter(visible).select_related(
        "vacancy__employer", "person", "cv", "organisation"
    )


def referrals_waiting_for(user: Any) -> QuerySet[CandidateReferral]:
    return referral_queryset_for(user).filter(
        status=ReferralStatus.SENT, vacancy__employer_id__in=employer_ids_of(user)
    )


def layoff_notice_queryset_for(user: Any) -> QuerySet[LayoffNotice]:
    scope = staff_scope(user)
    visible = Q(employer_id__in=employer_ids_of(user))
    if scope.all_regions:
        visible = Q()
    elif scope.region_ids:
        visible |= Q(employer__region_id__in=scope.region_ids)
    return (
        LayoffNotice.objects.filter(visible)
        .select_related("employer")
        .prefetch_related("affected__person")
    )


def forecast_job_queryset_for(user: Any) -> QuerySet[ForecastJob]:
    scope = staff_scope(user)
    visible = Q(employer_id__in=employer_ids_of(user))
    if scope.all_regions:
        visible = Q()
    elif scope.region_ids:
        visible |= Q(region_id__in=scope.region_ids)
    return ForecastJob.objects.filter(visible).select_related("employer", "occupation", "locality")


#: Who may read agencies' figures (PRG-70): state staff (their region, national roles all).
AGENCY_FIGURE_ROLES = STAFF_ROLES


def agency_report_queryset_for(user: Any) -> QuerySet[AgencyMonthlyReport]:
    """An agency sees its own reports; state staff see the agencies of their region; nobody
    else — the public never — sees them (PRG-70)."""
    visible = Q(agency_id__in=organisation_ids_with(user, {Role.PEA_MANAGER}))
    scope = region_scope(user, AGENCY_FIGURE_ROLES)
    if scope.all_regions:
        visible = Q()
    elif scope.region_ids:
        visible |= Q(agency__region_id__in=scope.region_ids)
    elif not organisation_ids_with(user, {Role.PEA_MANAGER}):
        return AgencyMonthlyReport.objects.none()
    return AgencyMonthlyReport.objects.filter(visible).select_related("agency")


def agency_figures(user: Any, *, period_from: date, period_to: date) -> list[dict[str, Any]]:
    """Totals per agency and occupation over the months in [period_from, period_to]."""
    reports = agency_report_queryset_for(user).filter(
        period__gte=period_from.replace(day=1), period__lte=period_to
    )
    rows = (
        AgencyReportLine.objects.filter(report__in=reports)
        .values("report__agency_id", "report__agency__name", "occupation__code")
        .annotate(applicants=Sum("applicants"), placed=Sum("placed"), months=Count("report"))
        .order_by("report__agency__name", "occupation__code")
    )
    return [dict(row) for row in rows]


def persons_referable_by(user: Any) -> QuerySet[Person]:
    scope = staff_scope(user)
    queryset = Person.objects.all()
    return queryset if scope.all_regions else queryset.filter(region_id__in=scope.region_ids)


def person_expectations_and_referrals(person_ids: list[int]) -> dict[int, dict[str, Any]]:
    """For the people given: the referrals to jobs issued to them (employer, position) and their
    expectations from their newest CV (desired positions, expected salary, where they would
    work). What an outsourcing agency receives as items 10 and 11 of OUT-17 — nothing more."""
    result: dict[int, dict[str, Any]] = {
        pk: {"referrals": [], "expectations": {}} for pk in person_ids
    }
    referrals = (
        CandidateReferral.objects.filter(person_id__in=person_ids)
        .select_related("vacancy__employer")
        .order_by("person_id", "created_at", "pk")
    )
    for referral in referrals:
        result[referral.person_id]["referrals"].append(
            {
                "employer": referral.vacancy.employer.name,
                "position": referral.vacancy.title,
                "referred_on": referral.created_at.date().isoformat(),
            }
        )
    newest: dict[int, Cv] = {}
    cvs = (
        Cv.objects.filter(person_id__in=person_ids)
        .exclude(status=CvStatus.DRAFT)
        .prefetch_related("occupations", "regions")
        .order_by("person_id", "-created_at", "-pk")
    )
    for cv in cvs:
        newest.setdefault(cv.person_id, cv)
    for person_id, cv in newest.items():
        result[person_id]["expectations"] = {
            "desired_positions": [cv.title, *(o.name for o in cv.occupations.all())],
            "expected_salary": str(cv.expected_salary) if cv.expected_salary is not None else None,
            "places_of_work": [r.name for r in cv.regions.all()],
            "ready_to_relocate": cv.ready_to_relocate,
        }
    return result
