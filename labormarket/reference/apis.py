"""Read-only API of the reference data. It is public: anyone may read the classifiers.

Every entry carries its names in Russian, Kazakh and English and ``name`` in the request's
language (``Accept-Language``). Lists are paginated with the project's page-number pagination.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    OpenApiTypes,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .models import (
    KatoUnit,
    Occupation,
    Parameter,
    ParameterValue,
    Region,
    SimpleClassifier,
)

NAME_FIELDS = ("name", "name_ru", "name_kk", "name_en")


# --- Serializers -------------------------------------------------------------------------------


class RegionOutputSerializer(serializers.ModelSerializer[Region]):
    name = serializers.CharField(read_only=True, help_text="Name in the request's language.")

    class Meta:
        model = Region
        fields = ("kato_code", "kind", *NAME_FIELDS, "timezone")


class KatoUnitOutputSerializer(serializers.ModelSerializer[KatoUnit]):
    name = serializers.CharField(read_only=True, help_text="Name in the request's language.")
    region = serializers.CharField(source="region.kato_code", read_only=True)
    # ``parent`` shadows ``Field.parent`` in the type stubs only; DRF collects declared fields.
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = KatoUnit
        fields = ("code", "level", "region", "parent", *NAME_FIELDS)


class OccupationOutputSerializer(serializers.ModelSerializer[Occupation]):
    name = serializers.CharField(read_only=True, help_text="Name in the request's language.")
    # ``parent`` shadows ``Field.parent`` in the type stubs only; DRF collects declared fields.
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Occupation
        fields = ("code", "level", "parent", *NAME_FIELDS)


class ClassifierOutputSerializer(serializers.Serializer[SimpleClassifier]):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True, help_text="Name in the request's language.")
    name_ru = serializers.CharField(read_only=True)
    name_kk = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)
    sort_order = serializers.IntegerField(read_only=True)


class ParameterValueOutputSerializer(serializers.ModelSerializer[ParameterValue]):
    class Meta:
        model = ParameterValue
        fields = ("valid_from", "value", "legal_act")


class ParameterOutputSerializer(serializers.ModelSerializer[Parameter]):
    name = serializers.SerializerMethodField(help_text="Name in the request's language.")
    values = ParameterValueOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Parameter
        fields = ("code", *NAME_FIELDS, "unit", "values")

    def get_name(self, parameter: Parameter) -> str:
        language = (get_language() or "ru")[:2]
        localised = getattr(parameter, f"name_{language}", "") if language in {"kk", "en"} else ""
        return str(localised or parameter.name_ru)


class ParameterValueOnDateOutputSerializer(serializers.Serializer[ParameterValue]):
    """The value of a parameter in force on a date and the legal act that set it."""

    code = serializers.CharField(source="parameter.code")
    unit = serializers.CharField(source="parameter.unit")
    on = serializers.SerializerMethodField(help_text="The date asked about.")
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    valid_from = serializers.DateField()
    legal_act = serializers.CharField()

    @extend_schema_field(OpenApiTypes.DATE)
    def get_on(self, record: ParameterValue) -> str:
        return str(self.context["on"].isoformat())


class KatoUnitFilterSerializer(serializers.Serializer[Any]):
    parent = serializers.RegexField(  # type: ignore[assignment]
        r"^\d{9}$",
        required=False,
        help_text="KATO code of a region (its units directly below it) or of a unit (its children).",
    )
    region = serializers.RegexField(
        r"^\d{9}$", required=False, help_text="KATO code of the region (all its units)."
    )
    level = serializers.ChoiceField(
        choices=KatoUnit.Level.choices,
        required=False,
        help_text="2 district or city, 3 rural district or town, 4 locality.",
    )


class OccupationFilterSerializer(serializers.Serializer[Any]):
    parent = serializers.CharField(  # type: ignore[assignment]
        required=False, max_length=20, help_text="Code of the parent group (its children)."
    )
    level = serializers.ChoiceField(
        choices=Occupation.Level.choices,
        required=False,
        help_text="1 major … 4 unit group (ISCO-08), 5 NKZ occupation.",
    )
    q = serializers.CharField(
        required=False,
        max_length=100,
        help_text="Code prefix or part of the name in any language.",
    )


class ParameterValueQuerySerializer(serializers.Serializer[Any]):
    on = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text="Date (YYYY-MM-DD); today in Asia/Almaty when omitted.",
    )


def _validated_query(
    serializer_class: type[serializers.Serializer[Any]], request: Request
) -> dict[str, Any]:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- APIs --------------------------------------------------------------------------------------


class PublicReferenceApi(ListAPIView):
    """Base of the public classifier lists: anyone may read them."""

    permission_classes = [AllowAny]
    filter_backends: list[type] = []


@extend_schema_view(
    get=extend_schema(summary="Regions (oblasts and cities of republican significance)")
)
class RegionListApi(PublicReferenceApi):
    """The 17 oblasts and 3 cities of republican significance, in the official order."""

    serializer_class = RegionOutputSerializer

    def get_queryset(self) -> QuerySet[Region]:
        return selectors.region_list()


@extend_schema_view(
    get=extend_schema(summary="KATO units below the regions", parameters=[KatoUnitFilterSerializer])
)
class KatoUnitListApi(PublicReferenceApi):
    """Districts, cities of regional significance, rural districts and localities (KATO)."""

    serializer_class = KatoUnitOutputSerializer

    def get_queryset(self) -> QuerySet[KatoUnit]:
        filters = _validated_query(KatoUnitFilterSerializer, self.request)
        return selectors.kato_unit_list(**filters)


@extend_schema_view(
    get=extend_schema(
        summary="Occupation classifier (ISCO-08 groups and NKZ occupations)",
        parameters=[OccupationFilterSerializer],
    )
)
class OccupationListApi(PublicReferenceApi):
    """The occupation classifier: ISCO-08 groups (levels 1–4) and NKZ occupations (level 5)."""

    serializer_class = OccupationOutputSerializer

    def get_queryset(self) -> QuerySet[Occupation]:
        filters = _validated_query(OccupationFilterSerializer, self.request)
        return selectors.occupation_list(**filters)


class _ClassifierListApi(PublicReferenceApi):
    serializer_class = ClassifierOutputSerializer
    selector: Any = None

    def get_queryset(self) -> QuerySet[SimpleClassifier]:
        return type(self).selector()


@extend_schema_view(get=extend_schema(summary="Education levels"))
class EducationLevelListApi(_ClassifierListApi):
    """Levels of education as an employment centre records them."""

    selector = staticmethod(selectors.education_level_list)


@extend_schema_view(get=extend_schema(summary="Employment types"))
class EmploymentTypeListApi(_ClassifierListApi):
    """Kinds of employment a vacancy or a job seeker's wish may name."""

    selector = staticmethod(selectors.employment_type_list)


@extend_schema_view(get=extend_schema(summary="Work schedules"))
class WorkScheduleListApi(_ClassifierListApi):
    """Working-time arrangements: full day, part time, shifts, rotation, flexible, remote."""

    selector = staticmethod(selectors.work_schedule_list)


@extend_schema_view(get=extend_schema(summary="Disability groups"))
class DisabilityGroupListApi(_ClassifierListApi):
    """Disability groups 1–3 and the child category."""

    selector = staticmethod(selectors.disability_group_list)


@extend_schema_view(get=extend_schema(summary="Parameters (MRP, minimum wage) with dated values"))
class ParameterListApi(PublicReferenceApi):
    """Parameters the law fixes per period (MRP, minimum wage), each value with its legal act."""

    serializer_class = ParameterOutputSerializer

    def get_queryset(self) -> QuerySet[Parameter]:
        return selectors.parameter_list()


class ParameterValueApi(APIView):
    """The value of one parameter in force on a date, with the legal act that set it."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Parameter value on a date",
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="Parameter code, e.g. mrp or minimum_wage.",
            ),
            ParameterValueQuerySerializer,
        ],
        responses={
            200: ParameterValueOnDateOutputSerializer,
            400: OpenApiResponse(description="Malformed date (field code ``on``)."),
            404: OpenApiResponse(
                description="Unknown parameter or no value on that date (parameter_not_defined)."
            ),
        },
    )
    def get(self, request: Request, code: str) -> Response:
        query = _validated_query(ParameterValueQuerySerializer, request)
        on_date = query.get("on") or timezone.localdate()
        record = selectors.parameter_value_record(code, on_date)
        return Response(ParameterValueOnDateOutputSerializer(record, context={"on": on_date}).data)
