"""Registry API: staff only, region-scoped; IINs travel only in request bodies, never URLs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from labormarket.core.api import Pagination
from labormarket.core.errors import NotFound, ValidationFailed
from labormarket.core.http import signed_in_user
from labormarket.core.iin import mask_iin

from . import selectors, services
from .choices import (
    AccessChannel,
    AccessPurpose,
    CitizenshipStatus,
    ConsentEvidence,
    ConsentPurpose,
    FamilyRelation,
)
from .models import Person
from .policies import can_create_persons, can_use_registry

STAFF_PURPOSES = [value for value in AccessPurpose.values if value != AccessPurpose.OWN_DATA]


class CanUseRegistry(BasePermission):
    message = "Your role has no access to the person registry."

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and can_use_registry(request.user))


class PersonListItemSerializer(serializers.ModelSerializer):
    """The minimum to pick the right person from a list: the IIN is masked."""

    iin_masked = serializers.SerializerMethodField()
    region = serializers.CharField(source="region.kato_code")

    class Meta:
        model = Person
        fields = ["id", "iin_masked", "full_name", "birth_date", "region", "labour_status"]

    def get_iin_masked(self, person: Person) -> str:
        return mask_iin(person.iin)


class PersonDetailSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.kato_code")
    address_kato = serializers.CharField(source="address_kato.code", default=None)
    disability_group = serializers.CharField(source="disability_group.code", default=None)
    phones = serializers.SerializerMethodField()
    consents = serializers.SerializerMethodField()
    record_cards = serializers.SerializerMethodField()
    labour_status_history = serializers.SerializerMethodField()
    education = serializers.SerializerMethodField()
    work_history = serializers.SerializerMethodField()
    family = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "iin",
            "last_name",
            "first_name",
            "middle_name",
            "birth_date",
            "sex",
            "citizenship_status",
            "region",
            "address_kato",
            "street",
            "house",
            "flat",
            "email",
            "phones",
            "disability_group",
            "labour_status",
            "labour_status_since",
            "consents",
            "education",
            "work_history",
            "family",
            "record_cards",
            "labour_status_history",
        ]

    def get_education(self, person: Person) -> list[dict[str, Any]]:
        return [
            {
                "id": r.pk,
                "level": r.level.code,
                "institution": r.institution,
                "speciality": r.speciality,
                "graduation_year": r.graduation_year,
            }
            for r in person.education.all()
        ]

    def get_work_history(self, person: Person) -> list[dict[str, Any]]:
        return [
            {
                "id": w.pk,
                "employer_name": w.employer_name,
                "employer_bin": w.employer_bin,
                "position": w.position,
                "occupation": w.occupation.code if w.occupation else None,
                "started_on": w.started_on,
                "ended_on": w.ended_on,
            }
            for w in person.work_history.all()
        ]

    def get_family(self, person: Person) -> list[dict[str, Any]]:
        # The relative's id and name only: their IIN is on their own (logged) card.
        return [
            {
                "relative_id": link.relative_id,
                "relative_name": link.relative.full_name,
                "relation": link.relation,
            }
            for link in person.family_links.all()
        ]

    def get_phones(self, person: Person) -> list[dict[str, Any]]:
        return [
            {"number": p.number, "kind": p.kind, "is_primary": p.is_primary}
            for p in person.phones.all()
        ]

    def get_consents(self, person: Person) -> list[dict[str, Any]]:
        return [
            {
                "id": c.pk,
                "purpose": c.purpose,
                "scope": c.scope,
                "version": c.version,
                "given_at": c.given_at,
                "withdrawn_at": c.withdrawn_at,
                "evidence": c.evidence,
            }
            for c in person.consents.all()
        ]

    def get_record_cards(self, person: Person) -> list[dict[str, Any]]:
        return [
            {
                "number": card.number,
                "organisation": card.organisation.name,
                "opened_at": card.opened_at,
                "closed_at": card.closed_at,
                "close_reason": card.close_reason,
            }
            for card in person.record_cards.all()
        ]

    def get_labour_status_history(self, person: Person) -> list[dict[str, Any]]:
        return [
            {
                "occurred_at": change.occurred_at,
                "from_status": change.from_status,
                "to_status": change.to_status,
                "reason": change.reason,
            }
            for change in person.labour_status_changes.all()
        ]


class PersonInputSerializer(serializers.Serializer):
    last_name = serializers.CharField(max_length=150)
    first_name = serializers.CharField(max_length=150)
    middle_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    citizenship_status = serializers.ChoiceField(
        choices=CitizenshipStatus.choices, default=CitizenshipStatus.CITIZEN
    )
    region = serializers.CharField(max_length=9, help_text="KATO code of the region")
    address_kato = serializers.CharField(max_length=9, required=False, allow_blank=True)
    street = serializers.CharField(max_length=200, required=False, allow_blank=True)
    house = serializers.CharField(max_length=20, required=False, allow_blank=True)
    flat = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    disability_group = serializers.CharField(max_length=32, required=False, allow_blank=True)

    def to_data(self) -> services.PersonData:
        from labormarket.reference.models import DisabilityGroup, Region

        data = self.validated_data
        region = Region.objects.filter(kato_code=data["region"]).first()
        if region is None:
            raise ValidationFailed.single(
                "region", "region_unknown", "There is no region with this KATO code."
            )
        disability_id = None
        if data.get("disability_group"):
            group = DisabilityGroup.objects.filter(code=data["disability_group"]).first()
            if group is None:
                raise ValidationFailed.single(
                    "disability_group", "invalid_choice", "Unknown disability group code."
                )
            disability_id = group.pk
        return services.PersonData(
            last_name=data["last_name"],
            first_name=data["first_name"],
            middle_name=data.get("middle_name", ""),
            citizenship_status=data["citizenship_status"],
            region_id=region.pk,
            address_kato_code=data.get("address_kato", ""),
            street=data.get("street", ""),
            house=data.get("house", ""),
            flat=data.get("flat", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            disability_group_id=disability_id,
        )


class PersonCreateSerializer(PersonInputSerializer):
    iin = serializers.CharField(max_length=20)


class PurposeSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=STAFF_PURPOSES)


class LookupSerializer(PurposeSerializer):
    iin = serializers.CharField(max_length=20)


def _detail(person: Person) -> dict[str, Any]:
    return PersonDetailSerializer(selectors.person_card_sections(person)).data


class PersonListCreateApi(APIView):
    permission_classes = [IsAuthenticated, CanUseRegistry]

    @extend_schema(
        summary="Search persons by name",
        parameters=[
            OpenApiParameter("q", str, description="Name (IINs go to POST /persons/lookup/)")
        ],
        responses=PersonListItemSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        if any(ch.isdigit() for ch in query):
            raise ValidationFailed.single(
                "q",
                "iin_not_in_url",
                "Search by IIN with POST /api/v1/persons/lookup/ so that it stays out of URLs.",
            )
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.person_search(signed_in_user(request), query), request, view=self
        )
        return paginator.get_paginated_response(PersonListItemSerializer(page, many=True).data)

    @extend_schema(
        summary="Register a person",
        request=PersonCreateSerializer,
        responses={201: PersonDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        if not can_create_persons(request.user):
            return Response(
                {"error": {"code": "forbidden", "message": "Your role cannot add persons."}},
                status=status.HTTP_403_FORBIDDEN,
            )
        serializer = PersonCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = services.person_create(
            actor=signed_in_user(request),
            iin=serializer.validated_data["iin"],
            data=serializer.to_data(),
        )
        return Response(_detail(person), status=status.HTTP_201_CREATED)


class PersonLookupApi(APIView):
    permission_classes = [IsAuthenticated, CanUseRegistry]

    @extend_schema(
        summary="Open a person's card by IIN (logged)",
        request=LookupSerializer,
        responses=PersonDetailSerializer,
    )
    def post(self, request: Request) -> Response:
        serializer = LookupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = selectors.person_search(
            signed_in_user(request), serializer.validated_data["iin"]
        ).first()
        if person is None:
            raise NotFound("There is no person with this IIN in your region.")
        person = services.person_open_card(
            actor=signed_in_user(request),
            person_id=person.pk,
            purpose=serializer.validated_data["purpose"],
            channel=AccessChannel.API,
        )
        return Response(_detail(person))


class PersonDetailApi(APIView):
    permission_classes = [IsAuthenticated, CanUseRegistry]

    @extend_schema(
        summary="Open a person's card (logged)",
        parameters=[
            OpenApiParameter("purpose", str, required=True, enum=STAFF_PURPOSES),
        ],
        responses=PersonDetailSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        serializer = PurposeSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        person = services.person_open_card(
            actor=signed_in_user(request),
            person_id=pk,
            purpose=serializer.validated_data["purpose"],
            channel=AccessChannel.API,
        )
        return Response(_detail(person))

    @extend_schema(
        summary="Change a person's facts",
        request=PersonInputSerializer,
        responses=PersonDetailSerializer,
    )
    def patch(self, request: Request, pk: int) -> Response:
        current = selectors.person_queryset_for(signed_in_user(request)).filter(pk=pk).first()
        if current is None:
            raise NotFound()
        base = {
            "last_name": current.last_name,
            "first_name": current.first_name,
            "middle_name": current.middle_name,
            "citizenship_status": current.citizenship_status,
            "region": current.region.kato_code,
            "address_kato": current.address_kato.code if current.address_kato else "",
            "street": current.street,
            "house": current.house,
            "flat": current.flat,
            "email": current.email,
            "disability_group": (current.disability_group.code if current.disability_group else ""),
        }
        changes = request.data if isinstance(request.data, dict) else {}
        serializer = PersonInputSerializer(data={**base, **changes})
        serializer.is_valid(raise_exception=True)
        person = services.person_update(
            actor=signed_in_user(request), person_id=pk, data=serializer.to_data()
        )
        return Response(_detail(person))


# --- Parts of a person's file: consents, education, work history, family links ----------------


class ConsentInputSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    scope = serializers.CharField(max_length=500)
    version = serializers.CharField(max_length=32)
    evidence = serializers.ChoiceField(choices=ConsentEvidence.choices)
    evidence_reference = serializers.CharField(max_length=300, required=False, default="")


class EducationInputSerializer(serializers.Serializer):
    level = serializers.CharField(max_length=32, help_text="Education level code")
    institution = serializers.CharField(max_length=300)
    speciality = serializers.CharField(max_length=300, required=False, default="")
    graduation_year = serializers.IntegerField(required=False, allow_null=True, default=None)


class WorkHistoryInputSerializer(serializers.Serializer):
    employer_name = serializers.CharField(max_length=300)
    employer_bin = serializers.CharField(max_length=20, required=False, default="")
    position = serializers.CharField(max_length=300)
    occupation = serializers.CharField(
        max_length=12, required=False, default="", help_text="NKZ code"
    )
    started_on = serializers.DateField()
    ended_on = serializers.DateField(required=False, allow_null=True, default=None)


class FamilyLinkInputSerializer(serializers.Serializer):
    relative_iin = serializers.CharField(max_length=20)
    relation = serializers.ChoiceField(choices=FamilyRelation.choices)


class _PersonPartApi(APIView):
    """Adds to or removes from a person's file; answers with the whole updated card."""

    permission_classes = [IsAuthenticated, CanUseRegistry]

    def _respond(self, request: Request, pk: int, created: bool = True) -> Response:
        person = selectors.person_queryset_for(signed_in_user(request)).get(pk=pk)
        return Response(_detail(person), status=201 if created else 200)


class PersonConsentsApi(_PersonPartApi):
    @extend_schema(
        summary="Record a consent", request=ConsentInputSerializer, responses=PersonDetailSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = ConsentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.consent_give(
            actor=signed_in_user(request), person_id=pk, **serializer.validated_data
        )
        return self._respond(request, pk)


class PersonConsentWithdrawApi(_PersonPartApi):
    @extend_schema(summary="Withdraw a consent", request=None, responses=PersonDetailSerializer)
    def post(self, request: Request, pk: int, item_pk: int) -> Response:
        services.consent_withdraw(actor=signed_in_user(request), person_id=pk, consent_id=item_pk)
        return self._respond(request, pk, created=False)


class PersonEducationApi(_PersonPartApi):
    @extend_schema(
        summary="Add an education record",
        request=EducationInputSerializer,
        responses=PersonDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = EducationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.education_record_add(
            actor=signed_in_user(request),
            person_id=pk,
            level_code=data["level"],
            institution=data["institution"],
            speciality=data["speciality"],
            graduation_year=data["graduation_year"],
        )
        return self._respond(request, pk)


class PersonEducationItemApi(_PersonPartApi):
    @extend_schema(summary="Remove an education record", responses=PersonDetailSerializer)
    def delete(self, request: Request, pk: int, item_pk: int) -> Response:
        services.education_record_delete(
            actor=signed_in_user(request), person_id=pk, record_id=item_pk
        )
        return self._respond(request, pk, created=False)


class PersonWorkHistoryApi(_PersonPartApi):
    @extend_schema(
        summary="Add a job to the work history",
        request=WorkHistoryInputSerializer,
        responses=PersonDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = WorkHistoryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["occupation_code"] = data.pop("occupation")
        services.work_history_add(actor=signed_in_user(request), person_id=pk, **data)
        return self._respond(request, pk)


class PersonWorkHistoryItemApi(_PersonPartApi):
    @extend_schema(summary="Remove a job from the work history", responses=PersonDetailSerializer)
    def delete(self, request: Request, pk: int, item_pk: int) -> Response:
        services.work_history_delete(actor=signed_in_user(request), person_id=pk, entry_id=item_pk)
        return self._respond(request, pk, created=False)


class PersonFamilyApi(_PersonPartApi):
    @extend_schema(
        summary="Link a relative (named by IIN in the body)",
        request=FamilyLinkInputSerializer,
        responses=PersonDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = FamilyLinkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = signed_in_user(request)
        relative = selectors.person_search(user, serializer.validated_data["relative_iin"]).first()
        if relative is None:
            raise ValidationFailed.single(
                "relative_iin",
                "relative_unknown",
                gettext("There is no person with this IIN in your region's registry."),
            )
        services.family_link_add(
            actor=user,
            person_id=pk,
            relative_id=relative.pk,
            relation=serializer.validated_data["relation"],
        )
        return self._respond(request, pk)


class PersonFamilyItemApi(_PersonPartApi):
    @extend_schema(summary="Remove the link to a relative", responses=PersonDetailSerializer)
    def delete(self, request: Request, pk: int, item_pk: int) -> Response:
        services.family_link_remove(
            actor=signed_in_user(request), person_id=pk, relative_id=item_pk
        )
        return self._respond(request, pk, created=False)
