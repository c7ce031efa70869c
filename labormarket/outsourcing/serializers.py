"""Serializers of the outsourcing API: what each audience is answered and what it may send.

Output serializers read what the views' selectors loaded (``select_related`` and annotations)
and never query themselves. Each audience gets the fields its purpose needs: the public sees the
announcement's OUT-01 contents and the OUT-15 contract information (no people, no figures of an
agency); an agency sees its own confirmations, offers, contracts, acts and — for its contracted
lots — the eleven OUT-17 fields of each person; CLM staff see their own centre's records. No
IIN is ever part of an answer.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .choices import (
    ActStatus,
    AnnouncementStatus,
    ConfirmationStatus,
    LotStatus,
    OfferStatus,
    PlacementStatus,
)
from .models import (
    AgencyNotice,
    Announcement,
    CategoryAssignment,
    ContractOffer,
    Lot,
    LotConfirmation,
    OutsourcingContract,
    Placement,
    ServiceAct,
)

#: The largest id a request may name (a BIGINT): larger numbers are refused as input, never
#: passed to the database (where they would overflow).
MAX_ID = 2**63 - 1


class NamedEnumField(serializers.ChoiceField):
    """A choice field documented as an enum component of its own (``OutsourcingLotStatus``):
    several models here have a ``status`` with its own choices, and the enums spectacular names
    after the field would collide."""

    def __init__(self, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(**kwargs)


def enum_field(choices: Any, name: str = "", **kwargs: Any) -> NamedEnumField:
    values = [str(v) for v in (choices.values if hasattr(choices, "values") else choices)]
    return NamedEnumField(
        enum_name=f"Outsourcing{name or choices.__name__}", choices=values, **kwargs
    )


class NamedEnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedEnumField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        field = self.target
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={"type": "string", "enum": list(field.choices)},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


def object_id(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class Base64Field(serializers.CharField):
    """Bytes sent as standard base64 text (a CMS signature); anything else is refused."""

    default_error_messages = {"invalid_base64": _("This is not valid base64.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 1_000_000)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> bytes:  # type: ignore[override]
        text = super().to_internal_value(data)
        try:
            decoded = base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            self.fail("invalid_base64")
        if not decoded:
            self.fail("invalid_base64")
        return decoded


class SignedSerializer(serializers.Serializer):
    cms = Base64Field(help_text="Base64 of the detached CMS over the exact bytes to sign")


class BytesToSignSerializer(serializers.Serializer):
    # The metaclass takes declared fields off the class, so this does not hide ``.data``.
    data = serializers.CharField(help_text="Base64 of exactly the bytes to sign")  # type: ignore[assignment]
    sha256 = serializers.CharField(help_text="SHA-256 of those bytes, hex")


def bytes_to_sign(content: bytes) -> dict[str, str]:
    import hashlib

    return {
        "data": base64.b64encode(content).decode("ascii"),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


# --- references ---------------------------------------------------------------------------------


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AgencyRefSerializer(OrganisationRefSerializer):
    bin = serializers.CharField(help_text="The agency's BIN (a legal entity's public number)")


class OccupationRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class LotRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class ContractRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class CategoryCountsSerializer(serializers.Serializer):
    category_1 = serializers.IntegerField()
    category_2 = serializers.IntegerField()
    category_3 = serializers.IntegerField()


# --- public: announcements (OUT-01) and contract information (OUT-15) ---------------------------


class AnnouncementListSerializer(serializers.ModelSerializer):
    clm = OrganisationRefSerializer()
    region = serializers.CharField(source="clm.region.kato_code")
    lots_count = serializers.SerializerMethodField()
    people_count = serializers.SerializerMethodField()

    class Meta:
        model = Announcement
        fields = [
            "id",
            "clm",
            "region",
            "selection_day",
            "published_at",
            "lots_count",
            "people_count",
        ]

    def get_lots_count(self, announcement: Announcement) -> int:
        return int(announcement.contents.get("lots_count", 0))

    def get_people_count(self, announcement: Announcement) -> int:
        return int(announcement.contents.get("people_count", 0))


class ContentsClmSerializer(serializers.Serializer):
    name = serializers.CharField()
    bin = serializers.CharField()
    legal_address = serializers.CharField()
    phone = serializers.CharField()
    responsible = serializers.CharField(help_text="Full name of the responsible person")


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "1": {"type": "integer"},
            "2": {"type": "integer"},
            "3": {"type": "integer"},
        },
        "required": ["1", "2", "3"],
    }
)
class CategoriesField(serializers.DictField):
    """People by category (OUT-02): ``{"1": n, "2": n, "3": n}``."""


class ContentsLotSerializer(serializers.Serializer):
    number = serializers.CharField()
    occupation = serializers.CharField(help_text="Occupation code")
    people = serializers.IntegerField()
    categories = CategoriesField()
    price_per_person = serializers.CharField(help_text="KZT, a decimal string")


class ContentsProfessionSerializer(serializers.Serializer):
    name = serializers.CharField()
    lots = serializers.IntegerField()
    people = serializers.IntegerField()
    categories = CategoriesField()


class ContentsDatesSerializer(serializers.Serializer):
    selection_opens = serializers.CharField(help_text="ISO 8601, the region's local time")
    selection_closes = serializers.CharField(help_text="ISO 8601, the region's local time")
    review_working_days = serializers.IntegerField()
    employment_working_days = serializers.IntegerField()


class AnnouncementContentsSerializer(serializers.Serializer):
    """The five contents of OUT-01, as published."""

    clm = ContentsClmSerializer()
    services = serializers.ListField(child=serializers.CharField())
    lots_count = serializers.IntegerField()
    people_count = serializers.IntegerField()
    lots = ContentsLotSerializer(many=True)
    by_profession = serializers.DictField(
        child=ContentsProfessionSerializer(), help_text="By occupation code"
    )
    draft_contract = serializers.CharField(help_text="The draft contract's template")
    dates = ContentsDatesSerializer()


class AnnouncementPublicSerializer(AnnouncementListSerializer):
    contents = AnnouncementContentsSerializer()

    class Meta(AnnouncementListSerializer.Meta):
        fields = [*AnnouncementListSerializer.Meta.fields, "contents"]


class ContractPublicSerializer(serializers.ModelSerializer):
    """OUT-15: what the public learns of a concluded contract — parties, lot, sum, dates."""

    clm = OrganisationRefSerializer()
    agency = AgencyRefSerializer()
    lot = serializers.CharField(source="lot.number")
    occupation = OccupationRefSerializer(source="lot.occupation")

    class Meta:
        model = OutsourcingContract
        fields = [
            "id",
            "number",
            "clm",
            "agency",
            "lot",
            "occupation",
            "people_count",
            "price_per_person",
            "total_sum",
            "concluded_at",
            "employment_due_on",
            "published_at",
        ]


# --- agencies ---------------------------------------------------------------------------------


class CabinetStatementSerializer(BytesToSignSerializer):
    certified = serializers.BooleanField()
    certified_at = serializers.DateTimeField(allow_null=True)


class CabinetInputSerializer(SignedSerializer):
    agency = object_id(required=False, help_text="The agency you act for, if you manage several")
    contact_person = serializers.CharField(max_length=300)
    contact_phone = serializers.CharField(max_length=32)
    contact_email = serializers.CharField(max_length=254)
    legal_address = serializers.CharField(max_length=300)
    iik = serializers.CharField(max_length=40, help_text="IIK (account), 20 characters from KZ")
    bik = serializers.CharField(max_length=20)
    bank_name = serializers.CharField(max_length=200)


class CabinetSerializer(serializers.Serializer):
    agency = AgencyRefSerializer()
    contact_person = serializers.CharField()
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()
    legal_address = serializers.CharField()
    iik = serializers.CharField()
    bik = serializers.CharField()
    bank_name = serializers.CharField()
    certified_at = serializers.DateTimeField()


class OpenLotSerializer(serializers.ModelSerializer):
    """A lot open for selection as agencies see it: no people, their counts by category."""

    clm = OrganisationRefSerializer()
    occupation = OccupationRefSerializer()
    status = enum_field([LotStatus.OPEN, LotStatus.IN_REVIEW], "OpenLotStatus")
    people_count = serializers.IntegerField()
    categories = serializers.SerializerMethodField()

    class Meta:
        model = Lot
        fields = [
            "id",
            "number",
            "clm",
            "occupation",
            "price_per_person",
            "selection_day",
            "status",
            "people_count",
            "categories",
        ]

    @extend_schema_field(CategoryCountsSerializer)
    def get_categories(self, lot: Lot) -> dict[str, int]:
        # Annotated by ``selectors._with_counts``.
        return {name: getattr(lot, name) for name in ("category_1", "category_2", "category_3")}


class ConfirmationPayloadSerializer(BytesToSignSerializer):
    lot = LotRefSerializer()
    selection_day = serializers.DateField()


class ConfirmInputSerializer(SignedSerializer):
    agency = object_id(required=False, help_text="The agency you act for, if you manage several")


class AgencyConfirmationSerializer(serializers.ModelSerializer):
    lot = LotRefSerializer()
    status = enum_field(ConfirmationStatus)

    class Meta:
        model = LotConfirmation
        fields = [
            "id",
            "lot",
            "selection_day",
            "position",
            "daily_number",
            "status",
            "confirmed_at",
            "review_due_at",
            "notice_due_at",
            "reviewed_at",
            "refusal_ground",
            "refusal_reasons",
        ]


class NoticeSerializer(serializers.ModelSerializer):
    lot = LotRefSerializer(allow_null=True)

    class Meta:
        model = AgencyNotice
        fields = ["id", "lot", "kind", "subject", "body", "rule", "sent_at", "read_at"]


class OfferSerializer(serializers.ModelSerializer):
    lot = LotRefSerializer()
    position = serializers.IntegerField(source="confirmation.position")
    status = enum_field(OfferStatus)

    class Meta:
        model = ContractOffer
        fields = [
            "id",
            "lot",
            "position",
            "status",
            "sent_at",
            "sign_due_at",
            "withdrawn_at",
            "document_sha256",
        ]


class ContractSerializer(serializers.ModelSerializer):
    """A contract as its two parties see it, with every deadline (OUT-14…OUT-18, OUT-22)."""

    lot = LotRefSerializer()
    occupation = OccupationRefSerializer(source="lot.occupation")
    clm = OrganisationRefSerializer()
    agency = AgencyRefSerializer()

    class Meta:
        model = OutsourcingContract
        fields = [
            "id",
            "number",
            "lot",
            "occupation",
            "clm",
            "agency",
            "concluded_at",
            "people_count",
            "price_per_person",
            "total_sum",
            "publish_due_at",
            "published_at",
            "people_notice_due_at",
            "people_notified_at",
            "handover_due_at",
            "handed_over_at",
            "employment_due_on",
            "advance_due_on",
        ]


# OUT-17: exactly the eleven items of p. 18, nothing else.
class HandoverAddressSerializer(serializers.Serializer):
    region = serializers.CharField()
    district = serializers.CharField()
    locality = serializers.CharField()
    street = serializers.CharField()
    house = serializers.CharField()
    flat = serializers.CharField()


class HandoverEducationSerializer(serializers.Serializer):
    level = serializers.CharField()
    institution = serializers.CharField()
    speciality = serializers.CharField()
    graduation_year = serializers.IntegerField(allow_null=True)


class HandoverWorkSerializer(serializers.Serializer):
    employer = serializers.CharField()
    position = serializers.CharField()
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)


class HandoverPersonSerializer(serializers.Serializer):
    """The eleven fields of OUT-17 (in this order)."""

    full_name = serializers.CharField()
    birth_date = serializers.DateField()
    address = HandoverAddressSerializer()
    phone = serializers.CharField()
    email = serializers.CharField()
    education = HandoverEducationSerializer(many=True)
    work_history = HandoverWorkSerializer(many=True)
    active_measures = serializers.ListField(child=serializers.DictField())
    vocational_guidance = serializers.ListField(child=serializers.DictField())
    job_referrals = serializers.ListField(
        child=serializers.DictField(), help_text="Employer and position of each referral"
    )
    expectations = serializers.DictField(
        help_text="Desired position, expected salary, place of work"
    )


class LotPersonSerializer(serializers.Serializer):
    member = serializers.IntegerField(
        help_text="The person's place in the lot: name it when reporting a placement"
    )
    person = HandoverPersonSerializer()


class PlacementInputSerializer(serializers.Serializer):
    member = object_id(help_text="The person's place in the lot (from the lot's people)")
    employer_bin = serializers.CharField(max_length=20)
    employer_name = serializers.CharField(max_length=300)
    position = serializers.CharField(max_length=300)
    started_on = serializers.DateField()


class PlacementSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member_id")
    status = enum_field(PlacementStatus)

    class Meta:
        model = Placement
        fields = [
            "id",
            "member",
            "employer_bin",
            "employer_name",
            "position",
            "started_on",
            "status",
            "reported_at",
            "checked_at",
        ]


class StageSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    rule = serializers.CharField()
    reached = serializers.BooleanField()
    completed_on = serializers.DateField(allow_null=True)
    submit_due_on = serializers.DateField(allow_null=True, help_text="OUT-20: the act is due by")
    people_count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    refund = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="OUT-22: the part of the advance to refund"
    )


class ActPrepareSerializer(serializers.Serializer):
    stage = serializers.IntegerField(min_value=-(2**31), max_value=2**31, help_text="1, 2 or 3")


class ActSerializer(serializers.ModelSerializer):
    contract = ContractRefSerializer()
    status = enum_field(ActStatus)

    class Meta:
        model = ServiceAct
        fields = [
            "id",
            "number",
            "contract",
            "stage",
            "status",
            "stage_completed_on",
            "submit_due_on",
            "people_count",
            "amount",
            "document_sha256",
            "prepared_at",
            "submitted_at",
            "decision_due_at",
            "extension_notice_due_at",
            "extended_at",
            "decided_at",
            "refusal_reasons",
        ]


class ClmActSerializer(ActSerializer):
    agency = AgencyRefSerializer(source="contract.agency")
    lot = LotRefSerializer(source="contract.lot")

    class Meta(ActSerializer.Meta):
        fields = [*ActSerializer.Meta.fields, "agency", "lot"]


# --- CLM -------------------------------------------------------------------------------------


class ClmChoiceMixin(serializers.Serializer):
    clm = object_id(
        required=False, help_text="The centre of labour mobility you act for, if several"
    )


class CategoryInputSerializer(ClmChoiceMixin):
    person = object_id(help_text="Id of the registered unemployed person")
    category = serializers.IntegerField(min_value=-(2**31), max_value=2**31, help_text="1, 2, 3")
    occupation = serializers.CharField(max_length=12, help_text="Occupation code")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CategorySerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id")
    occupation = serializers.CharField(source="occupation.code")

    class Meta:
        model = CategoryAssignment
        fields = ["id", "person", "category", "occupation", "note", "is_current", "assigned_at"]


class OutsourcingConsentInputSerializer(serializers.Serializer):
    person = object_id(help_text="Id of the person")
    evidence = serializers.CharField(max_length=16, help_text="paper or eds")
    evidence_reference = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


class OutsourcingConsentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id")
    purpose = serializers.CharField()
    version = serializers.CharField()
    evidence = serializers.CharField()
    evidence_reference = serializers.CharField()
    given_at = serializers.DateTimeField()


class LotCreateSerializer(ClmChoiceMixin):
    people = serializers.ListField(
        child=object_id(), max_length=200, help_text="Ids of the people (OUT-06: at most 30)"
    )
    price_per_person = serializers.CharField(max_length=32, help_text='KZT, e.g. "100000.00"')


class LotFilterSerializer(serializers.Serializer):
    status = enum_field(LotStatus, required=False)


class ClmLotSerializer(OpenLotSerializer):
    status = enum_field(LotStatus)

    class Meta(OpenLotSerializer.Meta):
        fields = [*OpenLotSerializer.Meta.fields, "times_offered", "created_at"]


class LotMemberRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id")
    full_name = serializers.SerializerMethodField()
    category = serializers.IntegerField()

    def get_full_name(self, member: Any) -> str:
        person = member.person
        return " ".join(p for p in (person.last_name, person.first_name, person.middle_name) if p)


class LotQueueSerializer(serializers.ModelSerializer):
    agency = AgencyRefSerializer()
    status = enum_field(ConfirmationStatus)

    class Meta:
        model = LotConfirmation
        fields = [
            "id",
            "agency",
            "selection_day",
            "position",
            "status",
            "confirmed_at",
            "review_due_at",
            "refusal_ground",
        ]


class ClmLotDetailSerializer(serializers.ModelSerializer):
    clm = OrganisationRefSerializer()
    occupation = OccupationRefSerializer()
    status = enum_field(LotStatus)
    members = LotMemberRefSerializer(many=True)
    confirmations = LotQueueSerializer(many=True)

    class Meta:
        model = Lot
        fields = [
            "id",
            "number",
            "clm",
            "occupation",
            "price_per_person",
            "status",
            "selection_day",
            "times_offered",
            "created_at",
            "members",
            "confirmations",
        ]


class LotProposalSerializer(serializers.Serializer):
    occupation = OccupationRefSerializer()
    people = serializers.ListField(child=serializers.IntegerField(), source="person_ids")
    hard_cases = serializers.IntegerField(help_text="People of category 2 or 3 (OUT-06)")
    size = serializers.SerializerMethodField()

    def get_size(self, proposal: Any) -> int:
        return len(proposal.person_ids)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ClmAnnouncementSerializer(serializers.ModelSerializer):
    status = enum_field(AnnouncementStatus)
    responsible = serializers.SerializerMethodField()
    lots_count = serializers.IntegerField()

    class Meta:
        model = Announcement
        fields = [
            "id",
            "selection_day",
            "status",
            "responsible",
            "lots_count",
            "publish_due_at",
            "published_at",
        ]

    def get_responsible(self, announcement: Announcement) -> str:
        user = announcement.responsible
        return (user.get_full_name() or user.username) if user is not None else ""


class ClmAnnouncementDetailSerializer(ClmAnnouncementSerializer):
    contents = serializers.SerializerMethodField(
        help_text="As published; for a draft, as it would be published now"
    )

    class Meta(ClmAnnouncementSerializer.Meta):
        fields = [*ClmAnnouncementSerializer.Meta.fields, "contents"]

    @extend_schema_field(AnnouncementContentsSerializer)
    def get_contents(self, announcement: Announcement) -> dict[str, Any]:
        return dict(self.context["contents"])


class AnnouncementDraftInputSerializer(ClmChoiceMixin):
    pass


class ReviewQueueSerializer(serializers.ModelSerializer):
    lot = LotRefSerializer()
    agency = AgencyRefSerializer()
    status = enum_field(ConfirmationStatus)

    class Meta:
        model = LotConfirmation
        fields = [
            "id",
            "lot",
            "agency",
            "selection_day",
            "position",
            "status",
            "confirmed_at",
            "review_due_at",
            "notice_due_at",
            "reviewed_at",
            "refusal_ground",
            "refusal_reasons",
        ]


class ReviewInputSerializer(serializers.Serializer):
    admit = serializers.BooleanField(help_text="true: admitted; false: refused (OUT-09)")
    ground = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=-(2**31),
        max_value=2**31,
        help_text="OUT-10 ground of a refusal: 1, 3 or 4",
    )
    reasons = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default="", help_text="Of a refusal"
    )


class ActRefuseSerializer(serializers.Serializer):
    reasons = serializers.CharField(max_length=5000)


class PaymentOrderSerializer(serializers.Serializer):
    stage = serializers.IntegerField(min_value=-(2**31), max_value=2**31, help_text="1, 2 or 3")


class LedgerEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    direction = serializers.CharField(help_text="out: paid to the agency; in: refunded by it")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    due_on = serializers.DateField()
    rule = serializers.CharField()
    inputs = serializers.DictField(help_text="What the amount was computed from")
    description = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)


class PaymentSerializer(LedgerEntrySerializer):
    stage = serializers.IntegerField()
    contract = ContractRefSerializer()


class LedgerTotalsSerializer(serializers.Serializer):
    ceiling = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="OUT-19: the contract sum"
    )
    paid_out = serializers.DecimalField(max_digits=14, decimal_places=2)
    refunded = serializers.DecimalField(max_digits=14, decimal_places=2)
    net = serializers.DecimalField(max_digits=14, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    paid_out_settled = serializers.DecimalField(max_digits=14, decimal_places=2)
    refunded_settled = serializers.DecimalField(max_digits=14, decimal_places=2)
    consistent = serializers.BooleanField()


class LedgerSerializer(serializers.Serializer):
    contract = ContractRefSerializer()
    totals = LedgerTotalsSerializer(allow_null=True)
    entries = LedgerEntrySerializer(many=True)
