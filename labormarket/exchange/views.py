"""Exchange pages: the public vacancy list, the employer's cabinet, the job seeker's CVs, the
CV search of employers, agencies and centres, and the staff workspace for referring candidates."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from labormarket.accounts.choices import OrganisationKind
from labormarket.accounts.models import Organisation
from labormarket.core import pages
from labormarket.core.errors import ApplicationError, NotFound, ValidationFailed
from labormarket.core.http import AuthenticatedHttpRequest
from labormarket.registry.models import Person

from . import selectors, services
from .choices import VacancyStatus
from .forms import (
    AgencyReportForm,
    CvForm,
    CvPublishForm,
    CvSearchForm,
    ForecastJobForm,
    LayoffNoticeForm,
    RefuseForm,
    VacancyForm,
    VacancySearchForm,
)
from .models import Cv, Vacancy
from .policies import (
    can_manage_employer,
    can_search_cvs,
    can_see_vacancies_for_cv,
    employer_ids_of,
    sees_centre_only_cvs,
    staff_scope,
)

PAGE_SIZE = 20

#: What staff read next to each matching criterion (PRG-71).
CRITERION_LABELS = {
    "qualification": gettext_lazy("Qualification"),
    "education": gettext_lazy("Education"),
    "experience": gettext_lazy("Experience"),
    "region": gettext_lazy("Region and relocation"),
    "transport": gettext_lazy("Transport accessibility"),
    "salary": gettext_lazy("Salary"),
    "skills": gettext_lazy("Skills"),
}


# --- Public ----------------------------------------------------------------------------------


def vacancy_list(request: HttpRequest) -> HttpResponse:
    """Public vacancy search: full text in Russian and Kazakh, filters and facet counts."""
    from .search import VacancyQuery, vacancies_for, vacancy_search

    form = VacancySearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    result = vacancy_search(
        VacancyQuery(
            text=data.get("q") or "",
            region_code=data.get("region") or None,
            occupation_code=data.get("occupation") or None,
            salary_from=data.get("salary_from"),
            schedule_code=data.get("schedule") or None,
            employment_type_code=data.get("employment_type") or None,
            posted_since=data.get("posted_since"),
            page=data.get("page") or 1,
            page_size=PAGE_SIZE,
        )
    )
    regions = dict(form.fields["region"].choices)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    pages = max(1, -(-result.total // PAGE_SIZE))
    return render(
        request,
        "exchange/vacancy_list.html",
        {
            "form": form,
            "vacancies": vacancies_for(result),
            "result": result,
            "pages": pages,
            "query": query.urlencode(),
            "region_facets": [
                (code, regions.get(code, code), count)
                for code, count in result.facets.get("region", [])
            ],
        },
    )


def vacancy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vacancy = selectors.vacancy_get_for(request.user, pk)
    if vacancy is None:
        raise Http404
    can_manage = request.user.is_authenticated and can_manage_employer(
        request.user, vacancy.employer
    )
    can_refer = request.user.is_authenticated and not staff_scope(request.user).is_empty
    return render(
        request,
        "exchange/vacancy_detail.html",
        {"vacancy": vacancy, "can_manage": can_manage, "can_refer": can_refer},
    )


# --- Employer's cabinet ----------------------------------------------------------------------


def _employers_of(request: AuthenticatedHttpRequest) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            pk__in=employer_ids_of(request.user), kind=OrganisationKind.EMPLOYER
        )
    )


@login_required
def employer_cabinet(request: AuthenticatedHttpRequest) -> HttpResponse:
    employers = _employers_of(request)
    if not employers:
        raise Http404
    vacancies = selectors.vacancy_queryset_for(request.user).filter(
        employer_id__in=[e.pk for e in employers]
    )
    waiting = selectors.referrals_waiting_for(request.user).select_related("cv")
    return render(
        request,
        "exchange/employer_cabinet.html",
        {
            "employers": employers,
            "page": pages.page_of(request, vacancies, PAGE_SIZE),
            "waiting": waiting,
            "refuse_form": RefuseForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def vacancy_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    vacancy: Vacancy | None = None
    employer: Organisation | None
    if pk is not None:
        vacancy = selectors.vacancy_get_for(request.user, pk)
        if vacancy is None or not can_manage_employer(request.user, vacancy.employer):
            raise Http404
        employer = vacancy.employer
    else:
        employers = _employers_of(request)
        employer = next(
            (e for e in employers if str(e.pk) == request.GET.get("employer")),
            employers[0] if employers else None,
        )
    if employer is None:
        raise Http404
    initial: dict[str, Any] = {}
    if vacancy is not None:
        initial = {
            "title": vacancy.title,
            "occupation_code": vacancy.occupation.code,
            "locality_code": vacancy.locality.code,
            "salary_min": vacancy.salary_min,
            "salary_max": vacancy.salary_max,
            "schedule_code": vacancy.schedule.code,
            "employment_type_code": vacancy.employment_type.code,
            "places_total": vacancy.places_total,
            "education_min_code": vacancy.education_min.code if vacancy.education_min else "",
            "experience_years_min": vacancy.experience_years_min,
            "skills": ", ".join(vacancy.skills),
            "description": vacancy.description,
            "health_restrictions": vacancy.health_restrictions,
            "suitable_for_disability": vacancy.suitable_for_disability,
            "transport_accessible": vacancy.transport_accessible,
            "housing_offered": vacancy.housing_offered,
            "is_social_job": vacancy.is_social_job,
            "is_youth_practice": vacancy.is_youth_practice,
        }
    form = VacancyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if vacancy is None:
                vacancy = services.vacancy_create(
                    actor=request.user, employer_id=employer.pk, data=form.to_data()
                )
            else:
                services.vacancy_update(
                    actor=request.user, vacancy_id=vacancy.pk, data=form.to_data()
                )
        except ValidationFailed as error:
            form.add_service_errors(error, VacancyForm.ALIASES)
        except NotFound as error:
            raise Http404 from error
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The vacancy has been saved."))
            return redirect("exchange:vacancy_detail", pk=vacancy.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "exchange/vacancy_form.html",
        {"form": form, "vacancy": vacancy, "employer": employer},
        status=status,
    )


@login_required
@require_POST
def vacancy_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    pages.run(
        request,
        lambda: services.vacancy_publish(actor=request.user, vacancy_id=pk),
        success=_("The vacancy is on the exchange."),
    )
    return redirect("exchange:vacancy_detail", pk=pk)


@login_required
@require_POST
def vacancy_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    pages.run(
        request,
        lambda: services.vacancy_close(actor=request.user, vacancy_id=pk),
        success=_("The vacancy has been closed."),
    )
    return redirect("exchange:vacancy_detail", pk=pk)


@login_required
@require_POST
def referral_hire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    pages.run(
        request,
        lambda: services.referral_hire(actor=request.user, referral_id=pk),
        success=_("The hire has been recorded. The candidate has left the exchange."),
    )
    return redirect("exchange:employer_cabinet")


@login_required
@require_POST
def referral_refuse(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    form = RefuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the reason for the refusal."))
    else:
        pages.run(
            request,
            lambda: services.referral_refuse(
                actor=request.user, referral_id=pk, **form.cleaned_data
            ),
            success=_("The refusal has been recorded."),
        )
    return redirect("exchange:employer_cabinet")


# --- Job seeker's CVs --------------------------------------------------------------------------


def _own_person(request: AuthenticatedHttpRequest) -> Person:
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise Http404
    return person


@login_required
def my_cvs(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = _own_person(request)
    cvs = Cv.objects.filter(person=person).prefetch_related("occupations", "regions")
    return render(
        request,
        "exchange/my_cvs.html",
        {"cvs": cvs, "publish_form": CvPublishForm(), "person": person},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cv_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    person = _own_person(request)
    cv = None
    initial: dict[str, Any] = {"regions": [person.region.kato_code]}
    if pk is not None:
        cv = Cv.objects.filter(pk=pk, person=person).first()
        if cv is None:
            raise Http404
        initial = {
            "title": cv.title,
            "occupation_codes": ", ".join(o.code for o in cv.occupations.all()),
            "regions": [r.kato_code for r in cv.regions.all()],
            "expected_salary": cv.expected_salary,
            "ready_to_relocate": cv.ready_to_relocate,
            "schedule_code": cv.schedule.code if cv.schedule else "",
            "experience_years": cv.experience_years,
            "skills": ", ".join(cv.skills),
            "health_limits": cv.health_limits,
            "about": cv.about,
        }
    form = CvForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if cv is None:
                services.cv_create(actor=request.user, person_id=person.pk, data=form.to_data())
            else:
                services.cv_update(actor=request.user, cv_id=cv.pk, data=form.to_data())
        except ValidationFailed as error:
            form.add_service_errors(error, CvForm.ALIASES)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The CV has been saved."))
            return redirect("exchange:my_cvs")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "exchange/cv_form.html", {"form": form, "cv": cv}, status=status)


@login_required
@require_POST
def cv_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _own_person(request)
    form = CvPublishForm(request.POST)
    expires_on = form.cleaned_data["expires_on"] if form.is_valid() else None
    try:
        services.cv_publish(actor=request.user, cv_id=pk, expires_on=expires_on)
    except NotFound as error:
        raise Http404 from error
    except ApplicationError as error:
        detail = "; ".join(e.message for errs in error.fields.values() for e in errs)
        messages.error(request, " ".join(filter(None, [error.message, detail, error.rule or ""])))
    else:
        messages.success(request, _("The CV is on the exchange."))
    return redirect("exchange:my_cvs")


@login_required
def cv_vacancies(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ranked vacancies for a CV with each score explained (PRG-71): for the job seeker's own CV
    and for centre staff of the person's region."""
    from .matching import vacancies_for_cv

    cv = selectors.cv_get_for(request.user, pk)
    if cv is None or not can_see_vacancies_for_cv(request.user, cv):
        raise Http404
    matches = vacancies_for_cv(cv, limit=50)
    vacancies = selectors.vacancy_queryset_for(request.user).in_bulk(
        [m.vacancy_id for m in matches]
    )
    rows = [
        (
            match,
            vacancies[match.vacancy_id],
            [(c, CRITERION_LABELS.get(c.code, c.code)) for c in match.criteria],
        )
        for match in matches
        if match.vacancy_id in vacancies
    ]
    return render(
        request,
        "exchange/cv_vacancies.html",
        {"cv": cv, "rows": rows, "own": cv.person.user_id == request.user.pk},
    )


# --- CV search (employers, agencies, centres) ------------------------------------------------


def _cv_facets(
    form: CvSearchForm, facets: dict[str, list[tuple[str, int]]]
) -> list[tuple[str, list[tuple[str, int]]]]:
    """The CV search's facet counts under the names people read: regions and regimes as the
    form offers them, occupations by ISCO major group."""
    from labormarket.reference.selectors import occupation_list

    regions = dict(form.fields["region"].choices)  # type: ignore[attr-defined]
    schedules = dict(form.fields["schedule"].choices)  # type: ignore[attr-defined]
    groups = {o.code: f"{o.code} · {o.name}" for o in occupation_list(level=1, active_only=False)}
    return [
        (_("By region"), [(regions.get(k, k), n) for k, n in facets.get("region", [])]),
        (
            _("By occupation group"),
            [(groups.get(k, k), n) for k, n in facets.get("occupation_major", [])],
        ),
        (
            _("By working-time regime"),
            [(schedules.get(k, k), n) for k, n in facets.get("schedule", [])],
        ),
    ]


@login_required
def cv_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """CV search: full text, the filters of ``CvQuery``, facet counts, best match first. Staff
    also find CVs shown to centres only; contact details only where the person may be contacted
    by the user (``selectors.cvs_showing_contacts_to``: referred to the employer, or of the
    staff's region). Like the API's search, a list is not an opening of a person's card: nothing
    is written to the registry's access log."""
    from . import search

    if not can_search_cvs(request.user):
        raise Http404
    form = CvSearchForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "result": None, "page": None}
    if form.is_bound and not form.is_valid():
        return render(request, "exchange/cv_search.html", context)
    data = form.cleaned_data if form.is_bound else {}
    query = search.CvQuery(
        text=data.get("q") or "",
        region_code=data.get("region") or None,
        occupation_code=data.get("occupation") or None,
        salary_to=data.get("salary_to"),
        schedule_code=data.get("schedule") or None,
        ready_to_relocate=data.get("ready_to_relocate"),
        include_centre_only=sees_centre_only_cvs(request.user),
        page=pages.page_number(request),
        page_size=PAGE_SIZE,
    )
    result = search.cv_search(query)
    if not result.ids and result.page > result.pages:  # one past the end: the last page
        result = search.cv_search(replace(query, page=result.pages))
    cvs = search.cvs_for(result)
    contacts = selectors.cv_contacts_for(request.user, cvs)  # loads the persons too
    # The pager keeps the filters (and nothing else that was in the address).
    kept = {name: value for name in form.fields if (value := request.GET.get(name))}
    context.update(
        {
            "result": result,
            "page": pages.searched_page(
                [(cv, contacts.get(cv.pk)) for cv in cvs],
                number=result.page,
                per_page=result.page_size,
                total=result.total,
            ),
            "query": urlencode(kept),
            "with_vacancies": {cv.pk for cv in cvs if can_see_vacancies_for_cv(request.user, cv)},
            "staff": query.include_centre_only,
            "facets": _cv_facets(form, result.facets),
        }
    )
    return render(request, "exchange/cv_search.html", context)


# --- Staff workspace ---------------------------------------------------------------------------


@login_required
def staff_vacancies(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = staff_scope(request.user)
    if scope.is_empty:
        raise Http404
    queryset = Vacancy.objects.filter(status=VacancyStatus.PUBLISHED).select_related(
        *selectors.VACANCY_RELATED
    )
    if not scope.all_regions:
        queryset = queryset.filter(region_id__in=scope.region_ids)
    referrals = selectors.referral_queryset_for(request.user)[:20]
    return render(
        request,
        "exchange/staff_vacancies.html",
        {"page": pages.page_of(request, queryset, PAGE_SIZE), "referrals": referrals},
    )


@login_required
@require_POST
def referral_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Refer a candidate (a CV) to vacancy ``pk`` on behalf of the user's centre."""
    scope = staff_scope(request.user)
    if scope.is_empty:
        raise Http404
    from labormarket.accounts.policies import grants_of

    centre_id = next(
        (g.organisation_id for g in grants_of(request.user) if scope.allows(g.region_id)), None
    )
    cv_id = request.POST.get("cv", "")
    if centre_id is None or not cv_id.isdigit():
        raise Http404
    pages.run(
        request,
        lambda: services.referral_create(
            actor=request.user, vacancy_id=pk, cv_id=int(cv_id), organisation_id=centre_id
        ),
        success=_("The CV has been sent to the employer; the answer is due within 3 working days."),
    )
    return redirect(reverse("exchange:candidates", args=[pk]))


@login_required
def candidates(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ranked candidates for a vacancy with each score explained (PRG-71)."""
    from .matching import candidates_for_vacancy

    if staff_scope(request.user).is_empty:
        raise Http404
    vacancy = selectors.vacancy_get_for(request.user, pk)
    if vacancy is None or vacancy.status != VacancyStatus.PUBLISHED:
        raise Http404
    matches = candidates_for_vacancy(vacancy, limit=50, include_centre_only=True)
    cvs = {
        cv.pk: cv
        for cv in Cv.objects.filter(pk__in=[m.cv_id for m in matches]).select_related("person")
    }
    referred = set(vacancy.referrals.filter(status="sent").values_list("cv_id", flat=True))
    rows = [
        (
            match,
            cvs[match.cv_id],
            [(c, CRITERION_LABELS.get(c.code, c.code)) for c in match.criteria],
        )
        for match in matches
        if match.cv_id in cvs
    ]
    return render(
        request,
        "exchange/candidates.html",
        {
            "vacancy": vacancy,
            "rows": rows,
            "referred": referred,
            "with_vacancies": {
                pk for pk, cv in cvs.items() if can_see_vacancies_for_cv(request.user, cv)
            },
        },
    )


# --- Lay-offs and forecast jobs (employer), agencies' figures (PEA and staff) -----------------


def _int(text: str) -> int:
    return int(text) if text.strip().lstrip("-").isdigit() else -1


@login_required
@require_http_methods(["GET", "POST"])
def employer_plans(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Lay-off notices and forecast jobs of the employer's organisation."""
    employers = _employers_of(request)
    if not employers:
        raise Http404
    employer = employers[0]
    layoff_form = LayoffNoticeForm(
        request.POST if "layoff" in request.POST else None, prefix="layoff"
    )
    forecast_form = ForecastJobForm(
        request.POST if "forecast" in request.POST else None, prefix="forecast"
    )
    if request.method == "POST":
        form = layoff_form if "layoff" in request.POST else forecast_form
        if form.is_valid():
            try:
                if form is layoff_form:
                    services.layoff_notice_create(
                        actor=request.user,
                        employer_id=employer.pk,
                        kind=form.cleaned_data["kind"],
                        planned_on=form.cleaned_data["planned_on"],
                        reason=form.cleaned_data["reason"],
                        affected=[
                            services.AffectedPersonData(
                                iin=row[0],
                                last_name=row[1],
                                first_name=row[2],
                                middle_name=row[3],
                                position=row[4],
                            )
                            for row in layoff_form.affected_rows()
                        ],
                    )
                else:
                    services.forecast_job_create(
                        actor=request.user, employer_id=employer.pk, **form.cleaned_data
                    )
            except ValidationFailed as error:
                form.add_service_errors(error, getattr(form, "ALIASES", None))
            else:
                messages.success(request, _("Saved."))
                return redirect("exchange:employer_plans")
    context = {
        "employer": employer,
        "notices": selectors.layoff_notice_queryset_for(request.user).filter(employer=employer),
        "forecasts": selectors.forecast_job_queryset_for(request.user).filter(employer=employer),
        "layoff_form": layoff_form,
        "forecast_form": forecast_form,
    }
    status = 400 if (layoff_form.errors or forecast_form.errors) else 200
    return render(request, "exchange/employer_plans.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def agency_reports(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A PEA's monthly figures (PRG-70: seen by the agency and state staff only)."""
    from labormarket.accounts.choices import Role
    from labormarket.accounts.policies import organisation_ids_with

    agency_ids = sorted(organisation_ids_with(request.user, {Role.PEA_MANAGER}))
    if not agency_ids:
        raise Http404
    form = AgencyReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_report_submit(
                actor=request.user,
                agency_id=agency_ids[0],
                period=form.cleaned_data["period"],
                lines=[
                    services.AgencyReportLineData(row[0], _int(row[1]), _int(row[2]))
                    for row in form.line_rows()
                ],
            )
        except ValidationFailed as error:
            messages.error(
                request,
                "; ".join(
                    f"{name}: {e.message}" for name, errs in error.fields.items() for e in errs
                ),
            )
        else:
            messages.success(request, _("The figures have been submitted."))
            return redirect("exchange:agency_reports")
    reports = selectors.agency_report_queryset_for(request.user).prefetch_related(
        "lines__occupation"
    )
    return render(request, "exchange/agency_reports.html", {"form": form, "reports": reports})


@login_required
def agency_figures(request: AuthenticatedHttpRequest) -> HttpResponse:
    """State staff: agencies' figures of their region over the last twelve months (PRG-70)."""
    from datetime import timedelta

    from django.utils import timezone

    from labormarket.accounts.policies import is_staff_member

    if not is_staff_member(request.user):
        raise Http404
    today = timezone.localdate()
    start = (today.replace(day=1) - timedelta(days=365)).replace(day=1)
    rows = selectors.agency_figures(request.user, period_from=start, period_to=today)
    return render(request, "exchange/agency_figures.html", {"rows": rows, "start": start})
