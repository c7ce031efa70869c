"""API of the monitoring of outsourcing (OUT-25): the figures per CLM and per agency for a
period, as JSON or (``?format=xlsx``) as the XLSX workbook. Money is a decimal string, exact."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from labormarket.core.errors import FieldError, Forbidden, ValidationFailed

from .forms_monitoring import default_period, period_errors
from .monitoring import (
    DEADLINE_COLUMNS,
    FIGURE_COLUMNS,
    MonitoringReport,
    monitoring_report,
    monitoring_scope,
)
from .monitoring_export import XLSX_CONTENT_TYPE, monitoring_workbook


class XlsxRenderer(BaseRenderer):
    """Passes the workbook's bytes through; chosen with ``?format=xlsx`` or the Accept header."""

    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        return data if isinstance(data, bytes) else b""


class DeadlineCountSerializer(serializers.Serializer):
    met = serializers.IntegerField(help_text="Done by the deadline")
    missed = serializers.IntegerField(help_text="Done late, or the deadline passed undone")
    open = serializers.IntegerField(help_text="Not done yet, the deadline not passed")


_NULL_NOTE = "null in an agency's row, where it does not apply"


def _figures_serializer() -> type[serializers.Serializer]:
    attrs: dict[str, Any] = {}
    for column in FIGURE_COLUMNS:
        help_text = format_lazy("{} ({})", column.label, column.rule)
        if column.money:
            attrs[column.key] = serializers.DecimalField(
                max_digits=16, decimal_places=2, help_text=help_text
            )
        else:
            attrs[column.key] = serializers.IntegerField(
                allow_null=True,
                help_text=format_lazy("{}; {}", help_text, _NULL_NOTE),
            )
    for deadline in DEADLINE_COLUMNS:
        attrs[deadline.key] = DeadlineCountSerializer(
            allow_null=True, help_text=format_lazy("{} ({})", deadline.label, deadline.rule)
        )
    return type("MonitoringFiguresSerializer", (serializers.Serializer,), attrs)


MonitoringFiguresSerializer = _figures_serializer()


class MonitoringRowSerializer(serializers.Serializer):
    organisation_id = serializers.IntegerField()
    name = serializers.CharField()
    region = serializers.CharField()
    figures = MonitoringFiguresSerializer()


class MonitoringReportSerializer(serializers.Serializer):
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    generated_at = serializers.DateTimeField()
    clm_rows = MonitoringRowSerializer(many=True)
    agency_rows = MonitoringRowSerializer(many=True)


class MonitoringQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class MonitoringApi(APIView):
    """OUT-25: CLM staff see their centre, national analysts every centre, an agency's manager
    its own agency's row; nobody else."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, XlsxRenderer]
    pagination_class = None

    @extend_schema(
        summary="Monitoring of outsourcing (OUT-25)",
        parameters=[
            OpenApiParameter(
                "date_from", OpenApiTypes.DATE, description="Start of the period (included)"
            ),
            OpenApiParameter(
                "date_to", OpenApiTypes.DATE, description="End of the period (included)"
            ),
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "xlsx"],
                description="`xlsx` downloads the workbook",
            ),
        ],
        responses={
            (200, "application/json"): MonitoringReportSerializer,
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="A bad period, naming the field"),
            403: OpenApiResponse(description="Not signed in, or not allowed to see the monitoring"),
        },
    )
    def get(self, request: Request) -> Response:
        scope = monitoring_scope(request.user)
        if scope is None:
            raise Forbidden(
                message=gettext(
                    "The monitoring of outsourcing is for CLMs, agencies and analysts."
                ),
                rule="OUT-25",
            )
        query = MonitoringQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start_default, end_default = default_period()
        start = query.validated_data.get("date_from", start_default)
        end = query.validated_data.get("date_to", end_default)
        problems = period_errors(start, end)
        if problems:
            raise ValidationFailed(
                {
                    name: [FieldError(code="invalid_period", message=message)]
                    for name, message in problems.items()
                }
            )
        report = monitoring_report(scope=scope, date_from=start, date_to=end)
        if request.accepted_renderer.format == "xlsx":
            return Response(
                monitoring_workbook(report),
                content_type=XLSX_CONTENT_TYPE,
                headers={"Content-Disposition": _disposition(report)},
            )
        return Response(MonitoringReportSerializer(report).data)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # Errors are JSON even when the workbook was asked for.
        renderer = getattr(request, "accepted_renderer", None)
        if (
            isinstance(response, Response)
            and not isinstance(response.data, bytes)
            and renderer is not None
            and renderer.format == "xlsx"
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


def _disposition(report: MonitoringReport) -> str:
    stamp = timezone.localdate()
    return (
        f'attachment; filename="outsourcing-monitoring-{report.period_from:%Y%m%d}-'
        f'{report.period_to:%Y%m%d}-{stamp:%Y%m%d}.xlsx"'
    )
