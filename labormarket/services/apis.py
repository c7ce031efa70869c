"""Public-services API: regulations in force, applications and their steps, the citizen's signed
portal request, result PDFs and the public verification of documents.

Thin views: validate, call one service, serialise. Every step answers the application's detail;
every refusal of a service comes through the project's one error handler (code, rule, fields).
IINs travel only in request bodies, never in URLs, and never appear in list output.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from labormarket.accounts.models import User
from labormarket.core.api import Pagination
from labormarket.core.errors import Forbidden, NotFound, ValidationFailed
from labormarket.core.http import signed_in_user
from labormarket.registry.models import Person
from labormarket.registry.selectors import person_search

from . import policies, selectors, services
from .choices import ServiceCode, StepStatus
from .models import Application, ApplicationEvent, ApplicationStep, ResultDocument
from .serializers import (
    ApplicationDetailSerializer,
    ApplicationFilterSerializer,
    ApplicationListSerializer,
    DocumentComparisonSerializer,
    DocumentUploadSerializer,
    DocumentVerificationSerializer,
    OfficeRegistrationSerializer,
    PortalRequestBytesInputSerializer,
    PortalRequestBytesSerializer,
    PortalSubmissionSerializer,
    RegulationSerializer,
    StepAssignSerializer,
    StepDraftSerializer,
    StepRefuseSerializer,
    StepSignSerializer,
    now_context,
)

#: The largest file the verification endpoint compares (a result PDF is far smaller).
MAX_COMPARED_BYTES = 5 * 1024 * 1024


# --- Reads the views share --------------------------------------------------------------------


def _with_list_relations(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """What a list item shows, in a fixed number of queries whatever the page holds."""
    queryset = selectors.with_documents(queryset, defer=("pdf", "data"))
    return queryset.select_related("centre", "person", "channel").prefetch_related(
        Prefetch(
            "steps",
            queryset=ApplicationStep.objects.filter(status=StepStatus.OPEN).select_related(
                "regulation_step"
            ),
            to_attr="open_steps",
        ),
    )


def _with_detail_relations(queryset: QuerySet[Application]) -> QuerySet[Application]:
    return (
        selectors.with_documents(queryset)
        .select_related("centre", "person", "regulation", "channel", "registered_by")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=ApplicationStep.objects.select_related(
                    "regulation_step", "assignee", "ended_by"
                ).order_by("position"),
            ),
            Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")),
            "attachments",
            "refusal_grounds",
        )
    )


def _is_staff_for(user: User, application: Application) -> bool:
    """Does the user see the application as centre staff (rather than as its recipient)?"""
    return policies.application_view_scope(user).allows(application.centre.region_id)


def _detail(user: User, application_id: int) -> dict[str, Any]:
    application = services.application_get_for(user, application_id)
    application = _with_detail_relations(Application.objects.filter(pk=application.pk)).get()
    context = now_context(staff=_is_staff_for(user, application))
    return dict(ApplicationDetailSerializer(application, context=context).data)


def _own_person(user: User) -> Person:
    person: Person | None = getattr(user, "person", None)
    if person is None:
        raise Forbidden(
            code="no_person",
            message=gettext("Your account is not linked to a person: sign in with your IIN."),
        )
    return person


# --- Regulations -------------------------------------------------------------------------------


class RegulationListApi(APIView):
    """The regulations in force today: public data, as the law publishes them."""

    permission_classes = [AllowAny]
    pagination_class = Pagination

    @extend_schema(
        summary="Service regulations in force today",
        responses=RegulationSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.regulations_in_force(), request, view=self)
        return paginator.get_paginated_response(RegulationSerializer(page, many=True).data)


# --- Applications ----------------------------------------------------------------------------


class ApplicationListCreateApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        summary="Applications: staff see their regions', a citizen their own",
        parameters=[ApplicationFilterSerializer],
        responses=ApplicationListSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = signed_in_user(request)
        filters = ApplicationFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        # Centre staff (and the administrator) see their regions'; anyone else linked to a
        # registry person sees their own; nobody else sees any.
        staff = not policies.application_view_scope(user).is_empty
        if staff:
            queryset = selectors.applications_for(user)
        else:
            person: Person | None = getattr(user, "person", None)
            if person is None:
                raise Forbidden(
                    message=gettext(
                        "Applications are seen by the centres' staff and by their recipients."
                    )
                )
            queryset = selectors.citizen_applications(person.pk)
        context = now_context(staff=staff)
        d = filters.validated_data
        if d.get("status"):
            queryset = queryset.filter(status=d["status"])
        if d.get("service"):
            queryset = queryset.filter(service=d["service"])
        if d.get("overdue"):
            queryset = queryset.filter(selectors.overdue_applications_q(context["now"]))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(_with_list_relations(queryset), request, view=self)
        data = ApplicationListSerializer(page, many=True, context=context).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        summary="Register a paper application brought to the office (SVC-03)",
        request=OfficeRegistrationSerializer,
        responses={201: ApplicationDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        user = signed_in_user(request)
        if policies.application_view_scope(user).is_empty:
            raise Forbidden(
                code="not_centre_staff",
                message=gettext("Applications are registered by the centres' staff."),
            )
        serializer = OfficeRegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        person = person_search(user, d["person_iin"]).first()
        if person is None:
            raise ValidationFailed.single(
                "person_iin",
                "not_found",
                gettext("No person with this IIN in your region's registry."),
            )
        application = services.application_register_office(
            actor=user,
            centre_id=d["centre"],
            person_id=person.pk,
            service=d["service"],
            requested_result=d["requested_result"],
        )
        return Response(_detail(user, application.pk), status=status.HTTP_201_CREATED)


class ApplicationDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="An application with its steps, events and refusal",
        responses=ApplicationDetailSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(signed_in_user(request), pk))


# --- The citizen's portal request (SVC-05) ------------------------------------------------------


class PortalRequestBytesApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The exact bytes the citizen signs for a portal request (SVC-05)",
        request=PortalRequestBytesInputSerializer,
        responses=PortalRequestBytesSerializer,
    )
    def post(self, request: Request) -> Response:
        person = _own_person(signed_in_user(request))
        serializer = PortalRequestBytesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        content = services.request_bytes(
            service=d["service"],
            centre_id=d["centre"],
            iin=person.iin,
            # The service keeps a requested document for referrals only (SVC-30), so the
            # signed bytes must too.
            requested_result=d["requested_result"]
            if d["service"] == ServiceCode.ACTIVE_MEASURE_REFERRAL
            else "",
            form_data=d["form"],
            attachment_digests=d["attachment_sha256"],
        )
        return Response(
            {
                "data": base64.b64encode(content).decode("ascii"),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        )


class PortalRequestApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Send a portal request signed with the citizen's EDS (SVC-05)",
        request={"multipart/form-data": PortalSubmissionSerializer},
        responses={201: ApplicationDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        user = signed_in_user(request)
        serializer = PortalSubmissionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        uploads = [
            services.Upload(kind="identity_document", name=file.name or "", content=file.read())
            for file in d["files"]
        ]
        try:
            application = services.application_submit_portal(
                actor=user,
                centre_id=d["centre"],
                service=d["service"],
                requested_result=d["requested_result"],
                form_data=d["form"],
                uploads=uploads,
                cms=d["cms"],
            )
        except ValidationFailed as error:
            # The service names the scans "attachments"; this request names them "files".
            raise ValidationFailed(
                {
                    ("files" if name == "attachments" else name): errors
                    for name, errors in error.fields.items()
                },
                message=error.message,
            ) from error
        return Response(_detail(user, application.pk), status=status.HTTP_201_CREATED)


# --- The steps (SVC-03) -------------------------------------------------------------------------


class _StepApi(APIView):
    """A step of the application's regulation, performed by a holder of its role."""

    permission_classes = [IsAuthenticated]

    def _answer(self, request: Request, pk: int) -> Response:
        return Response(_detail(signed_in_user(request), pk))


class StepTakeApi(_StepApi):
    @extend_schema(
        summary="Take the open step from the role's queue",
        request=None,
        responses=ApplicationDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        services.step_take(actor=signed_in_user(request), application_id=pk)
        return self._answer(request, pk)


class StepAssignApi(_StepApi):
    @extend_schema(
        summary="Appoint the responsible executor",
        request=StepAssignSerializer,
        responses=ApplicationDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = StepAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.step_assign_executor(
            actor=signed_in_user(request),
            application_id=pk,
            executor_id=serializer.validated_data["executor"],
        )
        return self._answer(request, pk)


class StepDraftApi(_StepApi):
    @extend_schema(
        summary="Check the documents and draft the result (the PDF to be signed)",
        request=StepDraftSerializer,
        responses=ApplicationDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = StepDraftSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        services.step_draft_result(
            actor=signed_in_user(request),
            application_id=pk,
            requested_result=d["requested_result"],
            destination=d["destination"],
            details=d["details"],
        )
        return self._answer(request, pk)


class StepApproveApi(_StepApi):
    @extend_schema(
        summary="Check and approve the draft", request=None, responses=ApplicationDetailSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        services.step_approve(actor=signed_in_user(request), application_id=pk)
        return self._answer(request, pk)


class StepSignApi(_StepApi):
    @extend_schema(
        summary="Sign the drafted PDF with the head's EDS",
        request=StepSignSerializer,
        responses=ApplicationDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = StepSignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.step_sign_result(
            actor=signed_in_user(request), application_id=pk, cms=serializer.validated_data["cms"]
        )
        return self._answer(request, pk)


class StepIssueApi(_StepApi):
    @extend_schema(
        summary="Hand the signed result over", request=None, responses=ApplicationDetailSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        services.step_issue_result(actor=signed_in_user(request), application_id=pk)
        return self._answer(request, pk)


class StepDeliverApi(_StepApi):
    @extend_schema(
        summary="Send the signed result to the recipient's personal cabinet",
        request=None,
        responses=ApplicationDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        services.step_deliver_result(actor=signed_in_user(request), application_id=pk)
        return self._answer(request, pk)


class StepRefuseApi(_StepApi):
    @extend_schema(
        summary="End the application with a motivated refusal (SVC-04)",
        request=StepRefuseSerializer,
        responses=ApplicationDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = StepRefuseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.step_refuse(
            actor=signed_in_user(request),
            application_id=pk,
            ground_codes=serializer.validated_data["grounds"],
            reasons=serializer.validated_data["reasons"],
        )
        return self._answer(request, pk)


class RefusalSignApi(_StepApi):
    @extend_schema(
        summary="Sign the motivated refusal with the head's EDS (SVC-04, SVC-05)",
        request=StepSignSerializer,
        responses=ApplicationDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = StepSignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.refusal_sign(
            actor=signed_in_user(request), application_id=pk, cms=serializer.validated_data["cms"]
        )
        return self._answer(request, pk)


# --- Result documents ----------------------------------------------------------------------------


class _JsonErrorsAnyAccept(BaseContentNegotiation):
    """A PDF endpoint: answer whatever the client accepts (errors stay the JSON shape)."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        return (renderers[0], renderers[0].media_type)


def _pdf_response(request: Request, pk: int, *, refusal: bool) -> HttpResponse:
    user = signed_in_user(request)
    application = services.application_get_for(user, pk)
    document = (
        selectors.refusal_document_of(application)
        if refusal
        else selectors.result_document_of(application)
    )
    if document is None or not document.pdf:
        raise NotFound()
    if not _is_staff_for(user, application) and not selectors.reaches_recipient(
        application, document
    ):
        raise NotFound()
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


class ResultPdfApi(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = _JsonErrorsAnyAccept

    @extend_schema(
        summary="The result PDF: to the centre's staff and (once signed) to the recipient",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        return _pdf_response(request, pk, refusal=False)


class RefusalPdfApi(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = _JsonErrorsAnyAccept

    @extend_schema(
        summary="The motivated refusal PDF (SVC-04): to the centre's staff and (once signed) "
        "to the recipient",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        return _pdf_response(request, pk, refusal=True)


def _issued_document(token: str) -> ResultDocument:
    """The document a verification code names, once it has left the centre (never a draft)."""
    document = selectors.document_by_verification_token(token)
    if document is None:
        raise NotFound(gettext("No document has this verification code."))
    return document


class DocumentVerificationApi(APIView):
    """What the QR code of a document leads to, for machines: is it genuine and in force?
    Only what a third party needs: no IIN, the recipient's surname and initials."""

    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(summary="Verify a result document", responses=DocumentVerificationSerializer)
    def get(self, request: Request, token: str) -> Response:
        return Response(DocumentVerificationSerializer(_issued_document(token)).data)

    @extend_schema(
        summary="Compare a file with the document the centre issued (SHA-256)",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses=DocumentComparisonSerializer,
    )
    def post(self, request: Request, token: str) -> Response:
        document = _issued_document(token)
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size is None or upload.size > MAX_COMPARED_BYTES:
            raise ValidationFailed.single(
                "file", "too_large", gettext("The file is larger than 5 MB.")
            )
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        body = dict(DocumentVerificationSerializer(document).data)
        body["comparison"] = "same" if digest.hexdigest() == document.pdf_sha256 else "different"
        return Response(body)
