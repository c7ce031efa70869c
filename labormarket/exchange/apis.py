"""Exchange API: vacancies, CVs, candidate referrals, lay-off notices, forecast jobs and the
agencies' monthly figures. Thin views: validate, call one service, serialise."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language, gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from labormarket.core.api import Pagination
from labormarket.core.errors import Forbidden, NotFound
from labormarket.core.http import signed_in_user
from labormarket.core.iin import mask_iin

from . import selectors, services
from .choices import LayoffKind, RefusalReason
from .models import AgencyMonthlyReport, CandidateReferral, Cv, ForecastJob, LayoffNotice, Vacancy
from .policies import can_refer_candidates, can_search_cvs, sees_centre_only_cvs, staff_scope

# --- Vacancies -------------------------------------------------------------------------------


class VacancySerializer(serializers.ModelSerializer):
    employer = serializers.CharField(source="employer.name")
    employer_id = serializers.IntegerField()
    occupation = serializers.CharField(source="occupation.code")
    occupation_name = serializers.CharField(source="occupation.name")
    region = serializers.CharField(source="region.kato_code")
    locality = serializers.CharField(source="locality.code")
    locality_name = serializers.CharField(source="locality.name")
    schedule = serializers.CharField(source="schedule.code")
    employment_type = serializers.CharField(source="employment_type.code")
    education_min = serializers.CharField(source="education_min.code", default=None)

    class Meta:
        model = Vacancy
        fields = [
            "id",
            "employer_id",
            "employer",
            "occupation",
            "occupation_name",
            "title",
            "description",
            "region",
            "locality",
            "locality_name",
            "salary_min",
            "salary_max",
            "schedule",
            "employment_type",
            "places_total",
            "places_open",
            "education_min",
            "experience_years_min",
            "skills",
            "languages",
            "health_restrictions",
            "suitable_for_disability",
            "transport_accessible",
            "housing_offered",
            "is_social_job",
            "is_youth_practice",
            "status",
            "published_at",
            "closed_at",
            "close_reason",
        ]


#: VacancySerializer's fields of the related rows a vacancy shows: key, lookup.
_VACANCY_RELATED_VALUES = (
    ("employer", "employer__name"),
    ("occupation", "occupation__code"),
    ("region", "region__kato_code"),
    ("locality", "locality__code"),
    ("schedule", "schedule__code"),
    ("employment_type", "employment_type__code"),
    ("education_min", "education_min__code"),
)
#: Classifier names shown in the UI language: key, relation.
_VACANCY_NAMES = (("occupation_name", "occupation"), ("locality_name", "locality"))
_VACANCY_DECIMALS = ("salary_min", "salary_max")
_VACANCY_MOMENTS = ("published_at", "closed_at")
_SALARY = serializers.DecimalField(max_digits=12, decimal_places=2)
_MOMENT = serializers.DateTimeField()


def vacancy_representations(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The vacancies ``ids``, in that order, exactly as :class:`VacancySerializer` shows them,
    from one ``values()`` query — no model instances, no serializer fields: the search API's
    hot path (20 results: ~1 ms instead of ~10). ``test_apis`` holds the two equal."""
    if not ids:
        return []
    language = (get_language() or "ru")[:2]
    if language not in {"ru", "kk", "en"}:
        language = "ru"
    own = [
        name
        for name in VacancySerializer.Meta.fields
        if name not in {key for key, _ in (*_VACANCY_RELATED_VALUES, *_VACANCY_NAMES)}
    ]
    names = [
        f"{relation}__name_{suffix}"
        for _, relation in _VACANCY_NAMES
        for suffix in ("ru", language)
    ]
    rows = (
        Vacancy.objects.filter(pk__in=list(ids))
        .order_by()
        .values(*own, *(lookup for _, lookup in _VACANCY_RELATED_VALUES), *names)
    )
    found = {row["id"]: row for row in rows}
    results = []
    for pk in ids:
        row = found.get(pk)
        if row is None:
            continue
        for key, lookup in _VACANCY_RELATED_VALUES:
            row[key] = row.pop(lookup)
        for key, relation in _VACANCY_NAMES:
            row[key] = row[f"{relation}__name_{language}"] or row[f"{relation}__name_ru"]
        for key in _VACANCY_DECIMALS:
            if row[key] is not None:
                row[key] = _SALARY.to_representation(row[key])
        for key in _VACANCY_MOMENTS:
            if row[key] is not None:
                row[key] = _MOMENT.to_representation(row[key])
        results.append({name: row[name] for name in VacancySerializer.Meta.fields})
    return results


class VacancyInputSerializer(serializers.Serializer):
    occupation = serializers.CharField(max_length=12)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    locality = serializers.CharField(max_length=9)
    salary_min = serializers.DecimalField(max_digits=12, decimal_places=2)
    salary_max = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    schedule = serializers.CharField(max_length=32)
    employment_type = serializers.CharField(max_length=32)
    places_total = serializers.IntegerField(default=1)
    education_min = serializers.CharField(max_length=32, required=False, default="")
    experience_years_min = serializers.IntegerField(default=0)
    skills = serializers.ListField(child=serializers.CharField(max_length=100), default=list)
    languages = serializers.ListField(child=serializers.CharField(max_length=100), default=list)
    health_restrictions = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    suitable_for_disability = serializers.BooleanField(default=False)
    transport_accessible = serializers.BooleanField(default=True)
    housing_offered = serializers.BooleanField(default=False)
    is_social_job = serializers.BooleanField(default=False)
    is_youth_practice = serializers.BooleanField(default=False)

    def to_data(self) -> services.VacancyData:
        d = self.validated_data
        return services.VacancyData(
            occupation_code=d["occupation"],
            title=d["title"],
            description=d["description"],
            locality_code=d["locality"],
            salary_min=d["salary_min"],
            salary_max=d["salary_max"],
            schedule_code=d["schedule"],
            employment_type_code=d["employment_type"],
            places_total=d["places_total"],
            education_min_code=d["education_min"],
            experience_years_min=d["experience_years_min"],
            skills=d["skills"],
            languages=d["languages"],
            health_restrictions=d["health_restrictions"],
            suitable_for_disability=d["suitable_for_disability"],
            transport_accessible=d["transport_accessible"],
            housing_offered=d["housing_offered"],
            is_social_job=d["is_social_job"],
            is_youth_practice=d["is_youth_practice"],
        )


class VacancyCreateSerializer(VacancyInputSerializer):
    employer = serializers.IntegerField(help_text="Id of the employer organisation")


def _vacancy(user: Any, pk: int) -> Vacancy:
    vacancy = selectors.vacancy_get_for(user, pk)
    if vacancy is None:
        raise NotFound()
    return vacancy


class VacancyListCreateApi(APIView):
    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(
        summary="Vacancies you may see (published ones for everyone)",
        parameters=[OpenApiParameter("mine", bool, description="Only your employers' vacancies")],
        responses=VacancySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        queryset = selectors.vacancy_queryset_for(request.user)
        if request.query_params.get("mine") in {"1", "true"}:
            from .policies import employer_ids_of

            queryset = queryset.filter(employer_id__in=employer_ids_of(request.user))
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(VacancySerializer(page, many=True).data)

    @extend_schema(
        summary="Register a vacancy (a draft)",
        request=VacancyCreateSerializer,
        responses={201: VacancySerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = VacancyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        vacancy = services.vacancy_create(
            actor=signed_in_user(request),
            employer_id=serializer.validated_data["employer"],
            data=serializer.to_data(),
        )
        return Response(
            VacancySerializer(_vacancy(request.user, vacancy.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class VacancyDetailApi(APIView):
    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(summary="A vacancy", responses=VacancySerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(VacancySerializer(_vacancy(request.user, pk)).data)

    @extend_schema(
        summary="Edit a vacancy", request=VacancyInputSerializer, responses=VacancySerializer
    )
    def put(self, request: Request, pk: int) -> Response:
        serializer = VacancyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.vacancy_update(
            actor=signed_in_user(request), vacancy_id=pk, data=serializer.to_data()
        )
        return Response(VacancySerializer(_vacancy(request.user, pk)).data)


class VacancyPublishApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Publish a vacancy", request=None, responses=VacancySerializer)
    def post(self, request: Request, pk: int) -> Response:
        services.vacancy_publish(actor=signed_in_user(request), vacancy_id=pk)
        return Response(VacancySerializer(_vacancy(request.user, pk)).data)


class VacancyCloseApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Close a vacancy", request=None, responses=VacancySerializer)
    def post(self, request: Request, pk: int) -> Response:
        services.vacancy_close(actor=signed_in_user(request), vacancy_id=pk)
        return Response(VacancySerializer(_vacancy(request.user, pk)).data)


# --- CVs -------------------------------------------------------------------------------------


class CvListSerializer(serializers.ListSerializer):
    """Decides whose contacts each listed CV shows in one go (see ``CvSerializer.get_candidate``)."""

    def to_representation(self, data: Any) -> list[Any]:
        cvs = list(data.all() if hasattr(data, "all") else data)
        if isinstance(self.child, CvSerializer):
            self.child.contacts_shown = selectors.cvs_showing_contacts_to(
                self.context["request"].user, cvs
            )
        return super().to_representation(cvs)


class CvSerializer(serializers.ModelSerializer):
    occupations = serializers.SerializerMethodField()
    regions = serializers.SerializerMethodField()
    schedule = serializers.CharField(source="schedule.code", default=None)
    candidate = serializers.SerializerMethodField()

    class Meta:
        model = Cv
        fields = [
            "id",
            "candidate",
            "source",
            "title",
            "occupations",
            "regions",
            "expected_salary",
            "ready_to_relocate",
            "schedule",
            "experience_years",
            "skills",
            "languages",
            "health_limits",
            "about",
            "status",
            "visibility",
            "published_at",
            "expires_on",
        ]
        list_serializer_class = CvListSerializer

    #: In a list: the ids of the listed CVs whose contacts the user may see (set by the list).
    contacts_shown: set[int] | None = None

    def get_occupations(self, cv: Cv) -> list[str]:
        return [o.code for o in cv.occupations.all()]

    def get_regions(self, cv: Cv) -> list[str]:
        return [r.kato_code for r in cv.regions.all()]

    def get_candidate(self, cv: Cv) -> dict[str, Any] | None:
        """Name and contacts only for those allowed to see them (hidden from employers and
        agencies until the person is referred to them)."""
        shown = self.contacts_shown
        if shown is None:
            shown = selectors.cvs_showing_contacts_to(self.context["request"].user, [cv])
        if cv.pk not in shown:
            return None
        person = cv.person
        phone = next((p.number for p in person.phones.all() if p.is_primary), None)
        return {
            "person_id": person.pk,
            "full_name": person.full_name,
            "iin_masked": mask_iin(person.iin),
            "phone": phone,
            "email": person.email or None,
        }


class CvInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    occupations = serializers.ListField(child=serializers.CharField(max_length=12))
    regions = serializers.ListField(child=serializers.CharField(max_length=9))
    expected_salary = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    ready_to_relocate = serializers.BooleanField(default=False)
    schedule = serializers.CharField(max_length=32, required=False, default="")
    experience_years = serializers.IntegerField(default=0)
    skills = serializers.ListField(child=serializers.CharField(max_length=100), default=list)
    languages = serializers.ListField(child=serializers.CharField(max_length=100), default=list)
    health_limits = serializers.CharField(max_length=300, required=False, default="")
    about = serializers.CharField(required=False, allow_blank=True, default="")

    def to_data(self) -> services.CvData:
        d = self.validated_data
        return services.CvData(
            title=d["title"],
            occupation_codes=d["occupations"],
            region_codes=d["regions"],
            expected_salary=d["expected_salary"],
            ready_to_relocate=d["ready_to_relocate"],
            schedule_code=d["schedule"],
            experience_years=d["experience_years"],
            skills=d["skills"],
            languages=d["languages"],
            health_limits=d["health_limits"],
            about=d["about"],
        )


class CvCreateSerializer(CvInputSerializer):
    person = serializers.IntegerField(
        help_text="Id of the registry person (yourself, or one of your region)"
    )


class CvPublishSerializer(serializers.Serializer):
    expires_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="PRG-68: at most one month ahead"
    )


def _cv(user: Any, pk: int) -> Cv:
    cv = selectors.cv_queryset_for(user).prefetch_related("person__phones").filter(pk=pk).first()
    if cv is None:
        raise NotFound()
    return cv


class CvListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="CVs you may see", responses=CvSerializer(many=True))
    def get(self, request: Request) -> Response:
        queryset = selectors.cv_queryset_for(request.user).prefetch_related("person__phones")
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        data = CvSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        summary="Write a CV (a draft)", request=CvCreateSerializer, responses={201: CvSerializer}
    )
    def post(self, request: Request) -> Response:
        serializer = CvCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cv = services.cv_create(
            actor=signed_in_user(request),
            person_id=serializer.validated_data["person"],
            data=serializer.to_data(),
        )
        body = CvSerializer(_cv(request.user, cv.pk), context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class CvDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="A CV", responses=CvSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(CvSerializer(_cv(request.user, pk), context={"request": request}).data)

    @extend_schema(summary="Edit a CV", request=CvInputSerializer, responses=CvSerializer)
    def put(self, request: Request, pk: int) -> Response:
        serializer = CvInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.cv_update(actor=signed_in_user(request), cv_id=pk, data=serializer.to_data())
        return Response(CvSerializer(_cv(request.user, pk), context={"request": request}).data)


class CvPublishApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Publish a CV", request=CvPublishSerializer, responses=CvSerializer)
    def post(self, request: Request, pk: int) -> Response:
        serializer = CvPublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.cv_publish(
            actor=signed_in_user(request),
            cv_id=pk,
            expires_on=serializer.validated_data["expires_on"],
        )
        return Response(CvSerializer(_cv(request.user, pk), context={"request": request}).data)


# --- Candidate referrals ---------------------------------------------------------------------


class ReferralSerializer(serializers.ModelSerializer):
    vacancy_title = serializers.CharField(source="vacancy.title")
    employer = serializers.CharField(source="vacancy.employer.name")
    candidate = serializers.CharField(source="person.full_name")
    centre = serializers.CharField(source="organisation.name")

    class Meta:
        model = CandidateReferral
        fields = [
            "id",
            "vacancy",
            "vacancy_title",
            "employer",
            "cv",
            "candidate",
            "centre",
            "status",
            "sent_at",
            "answer_due_at",
            "answered_at",
            "refusal_reason",
            "refusal_comment",
        ]


class ReferralCreateSerializer(serializers.Serializer):
    vacancy = serializers.IntegerField()
    cv = serializers.IntegerField()
    organisation = serializers.IntegerField(help_text="Id of the referring centre")


class RefuseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=RefusalReason.choices)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def _referral(user: Any, pk: int) -> CandidateReferral:
    referral = selectors.referral_queryset_for(user).filter(pk=pk).first()
    if referral is None:
        raise NotFound()
    return referral


class ReferralListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Referrals to your organisation, or made by your region's centres",
        parameters=[OpenApiParameter("status", str)],
        responses=ReferralSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        queryset = selectors.referral_queryset_for(request.user)
        if request.query_params.get("status"):
            queryset = queryset.filter(status=request.query_params["status"])
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(ReferralSerializer(page, many=True).data)

    @extend_schema(
        summary="Send a candidate's CV to an employer (consent required, PRG-71)",
        request=ReferralCreateSerializer,
        responses={201: ReferralSerializer},
    )
    def post(self, request: Request) -> Response:
        user = signed_in_user(request)
        if not can_refer_candidates(user):
            return Response(
                {
                    "error": {
                        "code": "forbidden",
                        "message": gettext("Only centre staff refer candidates."),
                    }
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        serializer = ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = services.referral_create(
            actor=user,
            vacancy_id=serializer.validated_data["vacancy"],
            cv_id=serializer.validated_data["cv"],
            organisation_id=serializer.validated_data["organisation"],
        )
        return Response(
            ReferralSerializer(_referral(user, referral.pk)).data, status=status.HTTP_201_CREATED
        )


class ReferralHireApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Hire the candidate (PRG-67)", request=None, responses=ReferralSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        services.referral_hire(actor=signed_in_user(request), referral_id=pk)
        return Response(ReferralSerializer(_referral(request.user, pk)).data)


class ReferralRefuseApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Refuse the candidate", request=RefuseSerializer, responses=ReferralSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = RefuseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.referral_refuse(
            actor=signed_in_user(request), referral_id=pk, **serializer.validated_data
        )
        return Response(ReferralSerializer(_referral(request.user, pk)).data)


# --- Lay-off notices, forecast jobs ------------------------------------------------------------


class AffectedInputSerializer(serializers.Serializer):
    iin = serializers.CharField(max_length=20)
    last_name = serializers.CharField(max_length=150)
    first_name = serializers.CharField(max_length=150)
    middle_name = serializers.CharField(max_length=150, required=False, default="")
    position = serializers.CharField(max_length=300, required=False, default="")


class LayoffNoticeInputSerializer(serializers.Serializer):
    employer = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=LayoffKind.choices)
    planned_on = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    affected = AffectedInputSerializer(many=True)


class LayoffNoticeSerializer(serializers.ModelSerializer):
    affected = serializers.SerializerMethodField()

    class Meta:
        model = LayoffNotice
        fields = ["id", "employer", "kind", "planned_on", "reason", "affected", "created_at"]

    def get_affected(self, notice: LayoffNotice) -> list[dict[str, Any]]:
        return [
            {
                "id": item.pk,
                "person_id": item.person_id,
                "full_name": item.person.full_name,
                "position": item.position,
                "status": item.status,
            }
            for item in notice.affected.all()
        ]


class LayoffRegisterSerializer(serializers.Serializer):
    organisation = serializers.IntegerField()
    consent_evidence_reference = serializers.CharField(max_length=300)


class LayoffNoticeListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Lay-off notices you may see", responses=LayoffNoticeSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.layoff_notice_queryset_for(request.user), request, view=self
        )
        return paginator.get_paginated_response(LayoffNoticeSerializer(page, many=True).data)

    @extend_schema(
        summary="Announce a lay-off with the people affected",
        request=LayoffNoticeInputSerializer,
        responses={201: LayoffNoticeSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = LayoffNoticeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        notice = services.layoff_notice_create(
            actor=signed_in_user(request),
            employer_id=d["employer"],
            kind=d["kind"],
            planned_on=d["planned_on"],
            reason=d["reason"],
            affected=[services.AffectedPersonData(**item) for item in d["affected"]],
        )
        notice = selectors.layoff_notice_queryset_for(request.user).get(pk=notice.pk)
        return Response(LayoffNoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


class LayoffRegisterApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Register an affected person as a job seeker, with their consent",
        request=LayoffRegisterSerializer,
        responses=LayoffNoticeSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = LayoffRegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        affected = services.layoff_person_register(
            actor=signed_in_user(request),
            affected_id=pk,
            organisation_id=serializer.validated_data["organisation"],
            consent_evidence_reference=serializer.validated_data["consent_evidence_reference"],
        )
        notice = selectors.layoff_notice_queryset_for(request.user).get(pk=affected.notice_id)
        return Response(LayoffNoticeSerializer(notice).data)


class ForecastJobSerializer(serializers.ModelSerializer):
    occupation = serializers.CharField(source="occupation.code")
    locality = serializers.CharField(source="locality.code")

    class Meta:
        model = ForecastJob
        fields = ["id", "employer", "occupation", "locality", "quantity", "expected_from", "note"]


class ForecastJobInputSerializer(serializers.Serializer):
    employer = serializers.IntegerField()
    occupation = serializers.CharField(max_length=12)
    locality = serializers.CharField(max_length=9)
    quantity = serializers.IntegerField()
    expected_from = serializers.DateField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ForecastJobListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Forecast jobs you may see", responses=ForecastJobSerializer(many=True))
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.forecast_job_queryset_for(request.user), request, view=self
        )
        return paginator.get_paginated_response(ForecastJobSerializer(page, many=True).data)

    @extend_schema(
        summary="Announce jobs to be opened",
        request=ForecastJobInputSerializer,
        responses={201: ForecastJobSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = ForecastJobInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        job = services.forecast_job_create(
            actor=signed_in_user(request),
            employer_id=d["employer"],
            occupation_code=d["occupation"],
            locality_code=d["locality"],
            quantity=d["quantity"],
            expected_from=d["expected_from"],
            note=d["note"],
        )
        return Response(ForecastJobSerializer(job).data, status=status.HTTP_201_CREATED)


# --- Agencies' monthly figures (PRG-70) -----------------------------------------------------


class AgencyReportLineSerializer(serializers.Serializer):
    occupation = serializers.CharField(max_length=12)
    applicants = serializers.IntegerField()
    placed = serializers.IntegerField()


class AgencyReportInputSerializer(serializers.Serializer):
    agency = serializers.IntegerField()
    period = serializers.DateField(help_text="Any day of the month reported")
    lines = AgencyReportLineSerializer(many=True)


class AgencyReportSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name")
    lines = serializers.SerializerMethodField()

    class Meta:
        model = AgencyMonthlyReport
        fields = ["id", "agency", "agency_name", "period", "submitted_at", "lines"]

    def get_lines(self, report: AgencyMonthlyReport) -> list[dict[str, Any]]:
        return [
            {
                "occupation": line.occupation.code,
                "applicants": line.applicants,
                "placed": line.placed,
            }
            for line in report.lines.all()
        ]


class AgencyReportListCreateApi(APIView):
    """Never public (PRG-70): agencies see their own, state staff their region's."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Agencies' monthly figures", responses=AgencyReportSerializer(many=True))
    def get(self, request: Request) -> Response:
        queryset = selectors.agency_report_queryset_for(request.user).prefetch_related(
            "lines__occupation"
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(AgencyReportSerializer(page, many=True).data)

    @extend_schema(
        summary="Submit a month's figures",
        request=AgencyReportInputSerializer,
        responses={201: AgencyReportSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = AgencyReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        report = services.agency_report_submit(
            actor=signed_in_user(request),
            agency_id=d["agency"],
            period=d["period"],
            lines=[
                services.AgencyReportLineData(
                    occupation_code=line["occupation"],
                    applicants=line["applicants"],
                    placed=line["placed"],
                )
                for line in d["lines"]
            ],
        )
        report = (
            selectors.agency_report_queryset_for(request.user)
            .prefetch_related("lines__occupation")
            .get(pk=report.pk)
        )
        return Response(AgencyReportSerializer(report).data, status=status.HTTP_201_CREATED)


# --- Search and matching ---------------------------------------------------------------------


class VacancySearchParams(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    region = serializers.CharField(required=False, default=None, max_length=9)
    district = serializers.CharField(required=False, default=None, max_length=9)
    occupation = serializers.CharField(required=False, default=None, max_length=12)
    salary_from = serializers.DecimalField(
        required=False, default=None, max_digits=12, decimal_places=2, min_value=Decimal(0)
    )
    schedule = serializers.CharField(required=False, default=None, max_length=32)
    employment_type = serializers.CharField(required=False, default=None, max_length=32)
    posted_since = serializers.DateField(required=False, default=None)
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=10000)
    page_size = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)


class CvSearchParams(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    region = serializers.CharField(required=False, default=None, max_length=9)
    occupation = serializers.CharField(required=False, default=None, max_length=12)
    salary_to = serializers.DecimalField(
        required=False, default=None, max_digits=12, decimal_places=2, min_value=Decimal(0)
    )
    schedule = serializers.CharField(required=False, default=None, max_length=32)
    ready_to_relocate = serializers.BooleanField(required=False, default=None, allow_null=True)
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=10000)
    page_size = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)


class FacetSerializer(serializers.Serializer):
    code = serializers.CharField()
    count = serializers.IntegerField()


class VacancySearchResponse(serializers.Serializer):
    count = serializers.IntegerField()
    approximate = serializers.BooleanField(
        help_text="True when more than 5 000 records matched: count is an estimate and the "
        "facet counts are scaled from a sample."
    )
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = VacancySerializer(many=True)
    facets = serializers.DictField(child=FacetSerializer(many=True))


class CvSearchResponse(VacancySearchResponse):
    results = CvSerializer(many=True)  # type: ignore[assignment]


class CriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    score = serializers.FloatField()
    weight = serializers.IntegerField()
    points = serializers.FloatField()
    explanation = serializers.CharField()


class MatchSerializer(serializers.Serializer):
    vacancy = serializers.IntegerField()
    cv = serializers.IntegerField()
    person = serializers.IntegerField()
    score = serializers.FloatField()
    criteria = CriterionSerializer(many=True)


class MatchesResponse(serializers.Serializer):
    results = MatchSerializer(many=True)


def _search_body(result: Any, items: Any) -> dict[str, Any]:
    return {
        "count": result.total,
        "approximate": result.approximate,
        "page": result.page,
        "page_size": result.page_size,
        "results": items,
        "facets": {
            name: [{"code": c, "count": n} for c, n in rows] for name, rows in result.facets.items()
        },
    }


class VacancySearchApi(APIView):
    """Public full-text search of published vacancies, with filters and facet counts."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Search vacancies",
        parameters=[VacancySearchParams],
        responses=VacancySearchResponse,
    )
    def get(self, request: Request) -> Response:
        from .search import VacancyQuery, vacancy_search

        params = VacancySearchParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        result = vacancy_search(
            VacancyQuery(
                text=d["q"],
                region_code=d["region"],
                district_code=d["district"],
                occupation_code=d["occupation"],
                salary_from=d["salary_from"],
                schedule_code=d["schedule"],
                employment_type_code=d["employment_type"],
                posted_since=d["posted_since"],
                page=d["page"],
                page_size=d["page_size"],
            )
        )
        return Response(_search_body(result, vacancy_representations(result.ids)))


class CvSearchApi(APIView):
    """CV search for employers, agencies (public CVs) and centre staff (all published CVs)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Search CVs", parameters=[CvSearchParams], responses=CvSearchResponse)
    def get(self, request: Request) -> Response:
        from .search import CvQuery, cv_search, cvs_for

        user = signed_in_user(request)
        staff = sees_centre_only_cvs(user)
        if not can_search_cvs(user):
            raise Forbidden(message=gettext("CV search is for employers, agencies and centres."))
        params = CvSearchParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        result = cv_search(
            CvQuery(
                text=d["q"],
                region_code=d["region"],
                occupation_code=d["occupation"],
                salary_to=d["salary_to"],
                schedule_code=d["schedule"],
                ready_to_relocate=d["ready_to_relocate"],
                include_centre_only=staff,
                page=d["page"],
                page_size=d["page_size"],
            )
        )
        cvs = cvs_for(result)
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(cvs, "person__phones")
        items = CvSerializer(cvs, many=True, context={"request": request}).data
        return Response(_search_body(result, items))


class MatchParams(serializers.Serializer):
    vacancy = serializers.IntegerField(required=False, default=None)
    cv = serializers.IntegerField(required=False, default=None)
    limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=100)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs["vacancy"] is None) == (attrs["cv"] is None):
            raise serializers.ValidationError(
                {"vacancy": gettext("Give either a vacancy or a CV.")}, code="one_of"
            )
        return attrs


class MatchesApi(APIView):
    """Ranked candidates for a vacancy, or ranked vacancies for a CV, each score explained by
    criterion (PRG-71). Staff only; a person may match their own CV."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Explainable matches", parameters=[MatchParams], responses=MatchesResponse
    )
    def get(self, request: Request) -> Response:
        from .matching import candidates_for_vacancy, vacancies_for_cv

        user = signed_in_user(request)
        params = MatchParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        if d["vacancy"] is not None:
            if staff_scope(user).is_empty:
                raise Forbidden(message=gettext("Matching candidates is for centre staff."))
            vacancy = selectors.vacancy_get_for(user, d["vacancy"])
            if vacancy is None:
                raise NotFound()
            matches = candidates_for_vacancy(vacancy, limit=d["limit"], include_centre_only=True)
        else:
            cv = selectors.cv_queryset_for(user).filter(pk=d["cv"]).first()
            if cv is None or (cv.person.user_id != user.pk and staff_scope(user).is_empty):
                raise NotFound()
            matches = vacancies_for_cv(cv, limit=d["limit"])
        return Response(
            {
                "results": [
                    {
                        "vacancy": m.vacancy_id,
                        "cv": m.cv_id,
                        "person": m.person_id,
                        "score": m.score,
                        "criteria": [
                            {
                                "code": c.code,
                                "score": c.score,
                                "weight": c.weight,
                                "points": c.points,
                                "explanation": c.explanation,
                            }
                            for c in m.criteria
                        ],
                    }
                    for m in matches
                ]
            }
        )
