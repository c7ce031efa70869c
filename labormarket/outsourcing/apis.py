"""Outsourcing API (Order No. 217): the public's announcements and contract information, the
agency's cabinet, Monday confirmations, offers, contracts, people, placements and acts, and the
CLM's categories, consents, lots, announcements, reviews, acts and stage payments.

Thin views: validate, call one service, serialise. Lookups answer 404 alike for "does not
exist" and "not yours"; every refusal comes through the project's one error handler (code,
message, rule, fields). No IIN travels in a URL or an answer.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from labormarket.accounts.models import User
from labormarket.core.api import Pagination
from labormarket.core.errors import Forbidden, NotFound
from labormarket.core.http import signed_in_user
from labormarket.payments import selectors as ledger
from labormarket.payments.choices import AccountKind
from labormarket.payments.http import IDEMPOTENCY_HEADER, idempotency_key
from labormarket.registry.choices import AccessChannel

from . import acts, contracts, policies, selection, selectors, services
from .choices import ActStage
from .serializers import (
    ActPrepareSerializer,
    ActRefuseSerializer,
    ActSerializer,
    AgencyConfirmationSerializer,
    AnnouncementDraftInputSerializer,
    AnnouncementListSerializer,
    AnnouncementPublicSerializer,
    CabinetInputSerializer,
    CabinetSerializer,
    CabinetStatementSerializer,
    CategoryInputSerializer,
    CategorySerializer,
    ClmActSerializer,
    ClmAnnouncementDetailSerializer,
    ClmAnnouncementSerializer,
    ClmLotDetailSerializer,
    ClmLotSerializer,
    ConfirmationPayloadSerializer,
    ConfirmInputSerializer,
    ContractPublicSerializer,
    ContractSerializer,
    LedgerSerializer,
    LotCreateSerializer,
    LotFilterSerializer,
    LotPersonSerializer,
    LotProposalSerializer,
    NoticeSerializer,
    OfferSerializer,
    OpenLotSerializer,
    OutsourcingConsentInputSerializer,
    OutsourcingConsentSerializer,
    PaymentOrderSerializer,
    PaymentSerializer,
    PlacementInputSerializer,
    PlacementSerializer,
    ReviewInputSerializer,
    ReviewQueueSerializer,
    SignedSerializer,
    StageSerializer,
    WithdrawSerializer,
    bytes_to_sign,
    object_id,
)

# --- plumbing -------------------------------------------------------------------------------------


def _paginated(view: APIView, request: Request, queryset: Any, serializer: Any) -> Response:
    paginator = Pagination()
    page: list[Any] | None = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


def _agency_user(request: Request) -> User:
    """The signed-in manager of an agency; anyone else is refused (403)."""
    user = signed_in_user(request)
    if not policies.agency_ids_of(user):
        raise Forbidden(
            code="not_an_agency",
            message=gettext("Only a private employment agency's manager may do this."),
        )
    return user


def _clm_user(request: Request) -> User:
    """The signed-in staff member of a CLM; anyone else is refused (403)."""
    user = signed_in_user(request)
    if not policies.clm_ids_of(user):
        raise Forbidden(
            code="not_clm_staff",
            message=gettext("Only the staff of a centre of labour mobility may do this."),
        )
    return user


def _found(value: Any) -> Any:
    if value is None:
        raise NotFound()
    return value


class _AnyAccept(BaseContentNegotiation):
    """A PDF endpoint: answer whatever the client accepts (errors stay the JSON shape)."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        return (renderers[0], renderers[0].media_type)


def _pdf(document: Any, name: str) -> HttpResponse:
    response = HttpResponse(bytes(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


class _AgencyParamSerializer(serializers.Serializer):
    agency = object_id(required=False)


def _agency_param(request: Request) -> int | None:
    params = _AgencyParamSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data.get("agency")


PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY}
AGENCY_PARAMETER = OpenApiParameter(
    "agency", int, description="The agency you act for, if you manage several"
)


# --- public (OUT-01, OUT-15) ------------------------------------------------------------------


class AnnouncementPublicListApi(APIView):
    """Published announcements: anyone may read them (OUT-01)."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Published outsourcing announcements (OUT-01)",
        responses=AnnouncementListSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        return _paginated(
            self, request, selectors.announcements_public(), AnnouncementListSerializer
        )


class AnnouncementPublicDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A published announcement with its OUT-01 contents",
        responses=AnnouncementPublicSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        announcement = _found(selectors.announcement_public_get(pk))
        return Response(AnnouncementPublicSerializer(announcement).data)


class ContractPublicListApi(APIView):
    """Information about concluded contracts, as the CLM publishes it (OUT-15)."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Published information about concluded contracts (OUT-15)",
        responses=ContractPublicSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        return _paginated(self, request, selectors.contracts_public(), ContractPublicSerializer)


# --- agency: cabinet (OUT-04) ------------------------------------------------------------------


class CabinetApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The statement the agency signs to certify its cabinet (OUT-04)",
        parameters=[AGENCY_PARAMETER],
        responses=CabinetStatementSerializer,
    )
    def get(self, request: Request) -> Response:
        user = _agency_user(request)
        agency_id = _agency_param(request)
        content = services.cabinet_statement_for(actor=user, agency_id=agency_id)
        cabinet = selectors.cabinet_of(agency_id or min(policies.agency_ids_of(user)))
        return Response(
            {
                **bytes_to_sign(content),
                "certified": cabinet is not None,
                "certified_at": cabinet.certified_at if cabinet else None,
            }
        )

    @extend_schema(
        summary="Certify the agency's cabinet with its EDS: contacts and bank details (OUT-04)",
        request=CabinetInputSerializer,
        responses={201: CabinetSerializer},
    )
    def post(self, request: Request) -> Response:
        user = _agency_user(request)
        serializer = CabinetInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        cabinet = services.cabinet_certify(
            actor=user,
            details=services.CabinetDetails(
                contact_person=d["contact_person"],
                contact_phone=d["contact_phone"],
                contact_email=d["contact_email"],
                legal_address=d["legal_address"],
                iik=d["iik"],
                bik=d["bik"],
                bank_name=d["bank_name"],
            ),
            cms=d["cms"],
            agency_id=d.get("agency"),
        )
        return Response(CabinetSerializer(cabinet).data, status=status.HTTP_201_CREATED)


# --- agency: selection (OUT-03, OUT-07) -----------------------------------------------------------


class _DayFilterSerializer(serializers.Serializer):
    day = serializers.DateField(required=False, help_text="Only lots of this selection day")


class OpenLotListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Lots open for selection, with their people counted by category",
        parameters=[_DayFilterSerializer],
        responses=OpenLotSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _agency_user(request)
        filters = _DayFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        lots = selectors.lots_open_for(user, day=filters.validated_data.get("day"))
        return _paginated(self, request, lots, OpenLotSerializer)


class ConfirmationPayloadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The exact bytes the agency signs to confirm the lot (OUT-07)",
        parameters=[AGENCY_PARAMETER],
        responses=ConfirmationPayloadSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        user = _agency_user(request)
        agency_id = _agency_param(request)
        lot, content = selection.confirmation_payload_for(
            actor=user, lot_id=pk, agency_id=agency_id
        )
        return Response(
            {
                **bytes_to_sign(content),
                "lot": {"id": lot.pk, "number": lot.number},
                "selection_day": lot.selection_day,
            }
        )


class ConfirmApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Confirm the lot with the agency's EDS: the next place in its queue (OUT-07)",
        request=ConfirmInputSerializer,
        responses={201: AgencyConfirmationSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _agency_user(request)
        serializer = ConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        confirmation = selection.lot_confirm(
            actor=user,
            lot_id=pk,
            cms=serializer.validated_data["cms"],
            agency_id=serializer.validated_data.get("agency"),
        )
        return Response(
            AgencyConfirmationSerializer(confirmation).data, status=status.HTTP_201_CREATED
        )


class AgencyConfirmationListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The agency's confirmations and their review (OUT-07, OUT-09)",
        responses=AgencyConfirmationSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _agency_user(request)
        return _paginated(
            self, request, selectors.confirmations_of_agency(user), AgencyConfirmationSerializer
        )


class NoticeListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Notices in the agency's cabinet (OUT-09, OUT-11, OUT-12, OUT-21)",
        responses=NoticeSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _agency_user(request)
        return _paginated(self, request, selectors.notices_of_agency(user), NoticeSerializer)


# --- agency: offers and contracts (OUT-11, OUT-12, OUT-14, OUT-17) --------------------------------


class OfferListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Draft contracts sent to the agency (OUT-11)",
        responses=OfferSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _agency_user(request)
        return _paginated(self, request, selectors.offers_of_agency(user), OfferSerializer)


class OfferPdfApi(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = _AnyAccept

    @extend_schema(
        summary="The draft contract (PDF): the exact bytes the agency signs",
        responses=PDF_RESPONSE,
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        offer = _found(selectors.offer_document_for_agency(_agency_user(request), pk))
        return _pdf(offer.document, f"draft-contract-{offer.lot.number}")


class OfferSignApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Sign the draft contract with the agency's EDS: the contract is concluded "
        "(OUT-12, OUT-14)",
        request=SignedSerializer,
        responses={201: ContractSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _agency_user(request)
        serializer = SignedSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract = contracts.contract_sign(
            actor=user, offer_id=pk, cms=serializer.validated_data["cms"]
        )
        concluded = _found(selectors.contract_get_for_agency(user, contract.pk))
        return Response(ContractSerializer(concluded).data, status=status.HTTP_201_CREATED)


class AgencyContractListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The agency's outsourcing contracts", responses=ContractSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        user = _agency_user(request)
        return _paginated(self, request, selectors.contracts_of_agency(user), ContractSerializer)


class AgencyContractDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="One of the agency's contracts", responses=ContractSerializer)
    def get(self, request: Request, pk: int) -> Response:
        contract = _found(selectors.contract_get_for_agency(_agency_user(request), pk))
        return Response(ContractSerializer(contract).data)


class LotPeopleApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The lot's people: exactly the eleven fields of OUT-17, each read logged",
        responses=LotPersonSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        rows = contracts.lot_members_for_agency(
            actor=_agency_user(request), contract_id=pk, channel=AccessChannel.API
        )
        data = [{"member": member_id, "person": person} for member_id, person in rows]
        return Response(LotPersonSerializer(data, many=True).data)


class PlacementListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The placements the agency reported", responses=PlacementSerializer(many=True)
    )
    def get(self, request: Request, pk: int) -> Response:
        user = _agency_user(request)
        _found(selectors.contract_get_for_agency(user, pk))
        return _paginated(
            self, request, selectors.placements_of_agency_contract(user, pk), PlacementSerializer
        )

    @extend_schema(
        summary="Report that a person of the lot started work (OUT-18)",
        request=PlacementInputSerializer,
        responses={201: PlacementSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = PlacementInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        placement = acts.placement_report(
            actor=_agency_user(request),
            contract_id=pk,
            member_id=d["member"],
            employer_bin=d["employer_bin"],
            employer_name=d["employer_name"],
            position=d["position"],
            started_on=d["started_on"],
        )
        return Response(PlacementSerializer(placement).data, status=status.HTTP_201_CREATED)


class StageStatusApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The three stages today: reached or not, people counted, amounts "
        "(OUT-20, OUT-22…OUT-24)",
        responses=StageSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        contract = _found(selectors.contract_get_for_agency(_agency_user(request), pk))
        today = timezone.localdate()
        stages = []
        for stage in ActStage.values:
            figures = acts.stage_status(contract, stage, today)
            stages.append(
                {
                    "stage": stage,
                    "rule": acts.STAGE_RULE[ActStage(stage)],
                    "reached": figures.reached,
                    "completed_on": figures.completed_on,
                    "submit_due_on": figures.submit_due_on,
                    "people_count": figures.people_count,
                    "amount": figures.amount,
                    "refund": figures.refund,
                }
            )
        return Response(StageSerializer(stages, many=True).data)


class AgencyActListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="The contract's acts of services", responses=ActSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        user = _agency_user(request)
        _found(selectors.contract_get_for_agency(user, pk))
        return _paginated(self, request, selectors.acts_of_agency_contract(user, pk), ActSerializer)

    @extend_schema(
        summary="Prepare the act of a completed stage: the PDF the agency's head signs (OUT-20)",
        request=ActPrepareSerializer,
        responses={201: ActSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = ActPrepareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        act = acts.act_prepare(
            actor=_agency_user(request),
            contract_id=pk,
            stage=serializer.validated_data["stage"],
        )
        return Response(ActSerializer(act).data, status=status.HTTP_201_CREATED)


class AgencyActPdfApi(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = _AnyAccept

    @extend_schema(
        summary="The act of services (PDF, Appendix 2): the exact bytes to sign",
        responses=PDF_RESPONSE,
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        act = _found(selectors.act_document_for_agency(_agency_user(request), pk))
        return _pdf(act.document, act.number)


class AgencyActSubmitApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Sign the act with the agency head's EDS and send it to the CLM (OUT-20)",
        request=SignedSerializer,
        responses=ActSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = SignedSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        act = acts.act_submit(
            actor=_agency_user(request), act_id=pk, cms=serializer.validated_data["cms"]
        )
        return Response(ActSerializer(act).data)


# --- CLM: categories, consents, lots (OUT-02, OUT-05, OUT-06) ------------------------------------


class CategoryListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Current categories of the CLM's people (lot candidates)",
        responses=CategorySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _clm_user(request)
        return _paginated(self, request, selectors.candidates_of_clm(user), CategorySerializer)

    @extend_schema(
        summary="Give a registered unemployed person a category and a profession (OUT-02)",
        request=CategoryInputSerializer,
        responses={201: CategorySerializer},
    )
    def post(self, request: Request) -> Response:
        user = _clm_user(request)
        serializer = CategoryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        assignment = services.category_assign(
            actor=user,
            person_id=d["person"],
            category=d["category"],
            occupation_code=d["occupation"],
            note=d["note"],
            clm_id=d.get("clm"),
        )
        return Response(CategorySerializer(assignment).data, status=status.HTTP_201_CREATED)


class ConsentCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Record the person's consent to outsourcing (OUT-05, Appendix 1)",
        request=OutsourcingConsentInputSerializer,
        responses={201: OutsourcingConsentSerializer},
    )
    def post(self, request: Request) -> Response:
        user = _clm_user(request)
        serializer = OutsourcingConsentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        consent = services.outsourcing_consent_record(
            actor=user,
            person_id=d["person"],
            evidence=d["evidence"],
            evidence_reference=d["evidence_reference"],
        )
        return Response(OutsourcingConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


def _clm_lot(user: User, pk: int) -> Any:
    return _found(selectors.lot_get_for_clm(user, pk))


class ClmLotListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The CLM's lots",
        parameters=[LotFilterSerializer],
        responses=ClmLotSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _clm_user(request)
        filters = LotFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        lots = selectors.lots_of_clm(user, status=filters.validated_data.get("status"))
        return _paginated(self, request, lots, ClmLotSerializer)

    @extend_schema(
        summary="Form a lot: at most 30 consenting unemployed of one profession, at least 30 % "
        "of category 2 or 3 (OUT-05, OUT-06)",
        request=LotCreateSerializer,
        responses={201: ClmLotDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        user = _clm_user(request)
        serializer = LotCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        lot = services.lot_create(
            actor=user,
            person_ids=d["people"],
            price_per_person=d["price_per_person"],
            clm_id=d.get("clm"),
        )
        return Response(
            ClmLotDetailSerializer(_clm_lot(user, lot.pk)).data, status=status.HTTP_201_CREATED
        )


class LotProposalListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Lots the system proposes from the free candidates (OUT-06); nothing is written",
        responses=LotProposalSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        proposals = services.lots_propose(actor=_clm_user(request))
        return Response(LotProposalSerializer(proposals, many=True).data)


class ClmLotDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="A lot of the CLM with its people and queue", responses=ClmLotDetailSerializer
    )
    def get(self, request: Request, pk: int) -> Response:
        user = _clm_user(request)
        return Response(ClmLotDetailSerializer(_clm_lot(user, pk)).data)


class LotWithdrawApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Take a lot no agency has confirmed off the market",
        request=WithdrawSerializer,
        responses=ClmLotDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _clm_user(request)
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.lot_withdraw(actor=user, lot_id=pk, reason=serializer.validated_data["reason"])
        return Response(ClmLotDetailSerializer(_clm_lot(user, pk)).data)


# --- CLM: announcements (OUT-01, OUT-13) --------------------------------------------------------


def _announcement_detail(user: User, pk: int) -> dict[str, Any]:
    announcement = _found(selectors.announcement_get_for_clm(user, pk))
    contents = (
        announcement.contents
        if announcement.status == "published"
        else services.announcement_contents(announcement)
    )
    announcement.lots_count = contents["lots_count"]
    return dict(ClmAnnouncementDetailSerializer(announcement, context={"contents": contents}).data)


class ClmAnnouncementListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The CLM's announcements", responses=ClmAnnouncementSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        user = _clm_user(request)
        return _paginated(
            self, request, selectors.announcements_of_clm(user), ClmAnnouncementSerializer
        )

    @extend_schema(
        summary="Draft (or refresh) the announcement of the next selection day (OUT-01, OUT-13)",
        request=AnnouncementDraftInputSerializer,
        responses=ClmAnnouncementDetailSerializer,
    )
    def post(self, request: Request) -> Response:
        user = _clm_user(request)
        serializer = AnnouncementDraftInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        announcement = services.announcement_refresh(
            actor=user, clm_id=serializer.validated_data.get("clm")
        )
        return Response(_announcement_detail(user, announcement.pk))


class ClmAnnouncementDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="An announcement of the CLM with its contents",
        responses=ClmAnnouncementDetailSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_announcement_detail(_clm_user(request), pk))


class AnnouncementPublishApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Publish the announcement: its lots are offered on its selection day (OUT-01)",
        request=None,
        responses=ClmAnnouncementDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _clm_user(request)
        services.announcement_publish(actor=user, announcement_id=pk)
        return Response(_announcement_detail(user, pk))


# --- CLM: review (OUT-09, OUT-10) ---------------------------------------------------------------


class ReviewQueueApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Agencies waiting for the qualification review, oldest deadline first (OUT-09)",
        responses=ReviewQueueSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _clm_user(request)
        return _paginated(self, request, selectors.review_queue(user), ReviewQueueSerializer)


class ReviewApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Admit the agency or refuse it on a ground of OUT-10 with reasons (OUT-09)",
        request=ReviewInputSerializer,
        responses=ReviewQueueSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _clm_user(request)
        serializer = ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        selection.confirmation_review(
            actor=user,
            confirmation_id=pk,
            admit=d["admit"],
            ground=d["ground"],
            reasons=d["reasons"],
        )
        return Response(
            ReviewQueueSerializer(_found(selectors.confirmation_get_for_clm(user, pk))).data
        )


# --- CLM: contracts and acts (OUT-21) --------------------------------------------------------------


class ClmContractListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The CLM's outsourcing contracts", responses=ContractSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        user = _clm_user(request)
        return _paginated(self, request, selectors.contracts_of_clm(user), ContractSerializer)


class ClmActListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Acts waiting for the CLM's decision, the nearest deadline first (OUT-21)",
        responses=ClmActSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _clm_user(request)
        return _paginated(self, request, selectors.acts_waiting_for_clm(user), ClmActSerializer)


class ClmActPdfApi(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = _AnyAccept

    @extend_schema(
        summary="The act of services (PDF): the exact bytes the head of the CLM signs",
        responses=PDF_RESPONSE,
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        act = _found(selectors.act_document_for_clm(_clm_user(request), pk))
        return _pdf(act.document, act.number)


def _clm_act(user: User, pk: int) -> dict[str, Any]:
    return dict(ClmActSerializer(_found(selectors.act_get_for_clm(user, pk))).data)


class ActSignApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Sign the act with the EDS of the head of the CLM (OUT-21; head only)",
        request=SignedSerializer,
        responses=ClmActSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _clm_user(request)
        serializer = SignedSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        acts.act_sign(actor=user, act_id=pk, cms=serializer.validated_data["cms"])
        return Response(_clm_act(user, pk))


class ActRefuseApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Refuse the act with motivated reasons (OUT-21)",
        request=ActRefuseSerializer,
        responses=ClmActSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _clm_user(request)
        serializer = ActRefuseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        acts.act_refuse(actor=user, act_id=pk, reasons=serializer.validated_data["reasons"])
        return Response(_clm_act(user, pk))


class ActExtendApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Announce further study: the decision is then due within 10 working days (OUT-21)",
        request=None,
        responses=ClmActSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _clm_user(request)
        acts.act_extend(actor=user, act_id=pk)
        return Response(_clm_act(user, pk))


# --- CLM: stage payments and the ledger (OUT-19, OUT-22…OUT-24) -----------------------------------


class PaymentOrderApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Order the payment of a stage: the advance (1) or a stage on its signed act "
        "(2, 3); idempotent by the Idempotency-Key header (OUT-19, OUT-22…OUT-24)",
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="A fresh key (a UUID) per payment; the same key to repeat a request",
            )
        ],
        request=PaymentOrderSerializer,
        responses={
            201: PaymentSerializer,
            200: OpenApiResponse(PaymentSerializer, description="A replay of the same key"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _clm_user(request)
        serializer = PaymentOrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = idempotency_key(request)
        stage = serializer.validated_data["stage"]
        entry, created = acts.payment_order_record(
            actor=user, contract_id=pk, stage=stage, idempotency_key=key
        )
        contract = _found(selectors.contract_get_for_clm(user, pk))
        body = _payment_body(entry, stage, contract)
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _payment_body(entry: Any, stage: int, contract: Any) -> dict[str, Any]:
    data = {
        "id": entry.pk,
        "kind": entry.kind,
        "direction": entry.direction,
        "amount": entry.amount,
        "due_on": entry.due_on,
        "rule": entry.rule,
        "inputs": entry.inputs,
        "description": entry.description,
        "status": entry.status,
        "created_at": entry.created_at,
        "paid_at": entry.paid_at,
        "cancelled_at": entry.cancelled_at,
        "stage": stage,
        "contract": {"id": contract.pk, "number": contract.number},
    }
    return dict(PaymentSerializer(data).data)


class LedgerApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The contract's ledger: its entries and totals against the contract sum (OUT-19)",
        responses=LedgerSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        contract = _found(selectors.contract_get_for_clm(_clm_user(request), pk))
        account = ledger.account_find(
            kind=AccountKind.OUTSOURCING_CONTRACT, reference=contract.number
        )
        entries = list(ledger.account_entries(account_id=account.pk)) if account else []
        totals = ledger.account_totals(account_id=account.pk) if account else None
        return Response(
            LedgerSerializer(
                {
                    "contract": {"id": contract.pk, "number": contract.number},
                    "totals": totals,
                    "entries": entries,
                }
            ).data
        )
