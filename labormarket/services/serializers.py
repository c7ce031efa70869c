"""Serializers of the public-services API: what the API answers and what it accepts.

Output serializers read what the views prefetched (see ``apis._with_list_relations`` and
``apis._with_detail_relations``) and never touch the database themselves. The recipient's IIN
is never part of a list item; the detail shows it masked.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from labormarket.accounts.models import User
from labormarket.core.iin import InvalidIIN, mask_iin, parse_iin

from .choices import (
    REQUESTABLE_KINDS,
    ApplicationStatus,
    Channel,
    DocumentStatus,
    ResultKind,
    ServiceCode,
    StepAction,
    StepRole,
    StepStatus,
)
from .documents import masked_person, verification_url
from .models import (
    Application,
    ApplicationEvent,
    ApplicationStep,
    Attachment,
    RefusalGround,
    Regulation,
    RegulationChannel,
    RegulationStep,
    ResultDocument,
)
from .services import MAX_ATTACHMENTS

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
#: The documents an application asks for (every kind but the motivated refusal).
REQUESTABLE = [str(kind.value) for kind in REQUESTABLE_KINDS]


class NamedEnumField(serializers.ChoiceField):
    """A choice field documented as a named enum component of its own (``ServicesResultKind``):
    the same field names (``status``, ``kind``) carry different choice sets across the API,
    and the enums spectacular names after the field would collide."""

    def __init__(self, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(**kwargs)


def enum_field(
    choices: type[models.Choices] | Sequence[str], *, name: str = "", **kwargs: Any
) -> NamedEnumField:
    if isinstance(choices, type):
        values, name = [str(v) for v in choices.values], name or choices.__name__
    else:
        values = [str(v) for v in choices]
    return NamedEnumField(enum_name=f"Services{name}", choices=values, **kwargs)


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
        if field.allow_blank:
            return {"oneOf": [component.ref, {"type": "string", "enum": [""]}]}
        return component.ref


class Base64Field(serializers.CharField):
    """Bytes sent as standard base64 text (a CMS signature); anything else is refused."""

    default_error_messages = {"invalid_base64": _("This is not valid base64.")}

    def to_internal_value(self, data: Any) -> bytes:  # type: ignore[override]
        text = super().to_internal_value(data)
        try:
            decoded = base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            self.fail("invalid_base64")
        if not decoded:
            self.fail("invalid_base64")
        return decoded


# --- Regulations -------------------------------------------------------------------------------


class RegulationStepSerializer(serializers.ModelSerializer):
    name = serializers.CharField()
    role = enum_field(StepRole)
    action = enum_field(StepAction)

    class Meta:
        model = RegulationStep
        fields = ["position", "code", "name", "role", "action", "duration_minutes", "can_refuse"]


class RegulationChannelSerializer(serializers.ModelSerializer):
    channel = enum_field(Channel)
    steps = RegulationStepSerializer(many=True)

    class Meta:
        model = RegulationChannel
        fields = ["channel", "term_minutes", "term_working_days", "steps"]


class RefusalGroundSerializer(serializers.ModelSerializer):
    name = serializers.CharField()

    class Meta:
        model = RefusalGround
        fields = ["code", "name", "rule"]


class RegulationSerializer(serializers.ModelSerializer):
    service = enum_field(ServiceCode)
    title = serializers.CharField(help_text="In the language of the request (Accept-Language)")
    regions = serializers.SerializerMethodField(help_text="KATO codes; empty: every region")
    results = serializers.ListField(
        child=enum_field(REQUESTABLE, name="RequestableResultKind"),
        help_text="The documents the service produces",
    )
    refusal_grounds = RefusalGroundSerializer(many=True)
    channels = RegulationChannelSerializer(many=True)

    class Meta:
        model = Regulation
        fields = [
            "code",
            "version",
            "service",
            "title",
            "act",
            "regions",
            "valid_from",
            "valid_to",
            "results",
            "refusal_grounds",
            "channels",
        ]

    def get_regions(self, regulation: Regulation) -> list[str]:
        return [region.kato_code for region in regulation.regions.all()]


# --- Applications: output --------------------------------------------------------------------------


def _name_of(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.username}


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CentreRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class PersonDetailRefSerializer(PersonRefSerializer):
    iin_masked = serializers.CharField()


class ApplicationCurrentStepSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    code = serializers.CharField(source="regulation_step.code")
    name = serializers.CharField(source="regulation_step.name")
    role = enum_field(StepRole, source="regulation_step.role")
    action = enum_field(StepAction, source="regulation_step.action")
    assignee_id = serializers.IntegerField(allow_null=True)
    due_at = serializers.DateTimeField()
    overdue = serializers.SerializerMethodField()

    def get_overdue(self, step: ApplicationStep) -> bool:
        return step.is_overdue(self.context.get("now"))


class ApplicationStepSerializer(ApplicationCurrentStepSerializer):
    status = enum_field(StepStatus)
    assignee = serializers.SerializerMethodField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    ended_by = serializers.SerializerMethodField(help_text="Who performed it (null: the system)")
    comment = serializers.CharField()

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_assignee(self, step: ApplicationStep) -> dict[str, Any] | None:
        return _name_of(step.assignee)

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_ended_by(self, step: ApplicationStep) -> dict[str, Any] | None:
        return _name_of(step.ended_by)


class ApplicationResultSerializer(serializers.Serializer):
    kind = enum_field(ResultKind)
    number = serializers.CharField()
    status = enum_field(DocumentStatus)
    signed_at = serializers.DateTimeField(allow_null=True)
    verification_url = serializers.SerializerMethodField()

    def get_verification_url(self, document: ResultDocument) -> str:
        return verification_url(document)


class ApplicationEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationEvent
        fields = ["kind", "occurred_at", "actor", "payload"]

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_actor(self, event: ApplicationEvent) -> dict[str, Any] | None:
        return _name_of(event.actor)


class ApplicationAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "kind", "original_name", "content_type", "size", "sha256", "uploaded_at"]


class ApplicationListSerializer(serializers.Serializer):
    """An application in a list. Context: ``now``; ``staff`` (a recipient sees no drafts)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    service = enum_field(ServiceCode)
    channel = enum_field(Channel, source="channel.channel")
    centre = serializers.SerializerMethodField()
    person = serializers.SerializerMethodField()
    status = enum_field(ApplicationStatus)
    requested_result = serializers.CharField()
    registered_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    current_step = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    refusal_document = serializers.SerializerMethodField(
        help_text="The motivated refusal (SVC-04) of a refused application: its PDF is "
        "refusal.pdf; a recipient sees it once signed"
    )

    @extend_schema_field(CentreRefSerializer)
    def get_centre(self, application: Application) -> dict[str, Any]:
        return {"id": application.centre_id, "name": application.centre.name}

    @extend_schema_field(PersonRefSerializer)
    def get_person(self, application: Application) -> dict[str, Any]:
        person = application.person
        return {"id": person.pk, "full_name": person.full_name}

    def get_overdue(self, application: Application) -> bool:
        return application.is_overdue(self.context.get("now"))

    @extend_schema_field(ApplicationCurrentStepSerializer(allow_null=True))
    def get_current_step(self, application: Application) -> dict[str, Any] | None:
        steps = getattr(application, "open_steps", None)
        if steps is None:  # the detail prefetches every step
            steps = [s for s in application.steps.all() if s.status == StepStatus.OPEN]
        if not steps:
            return None
        return dict(ApplicationCurrentStepSerializer(steps[0], context=self.context).data)

    def _document(self, application: Application, *, refusal: bool) -> dict[str, Any] | None:
        # The API joins both documents in (``selectors.with_documents``); Django leaves the
        # attribute unset when the join found no document.
        document: ResultDocument | None = getattr(
            application, "refusal_doc" if refusal else "result_doc", None
        )
        if document is None:
            return None
        if not self.context.get("staff") and (
            document.status == DocumentStatus.DRAFT
            or application.status == ApplicationStatus.IN_PROGRESS
        ):
            return None
        return dict(ApplicationResultSerializer(document).data)

    @extend_schema_field(ApplicationResultSerializer(allow_null=True))
    def get_result(self, application: Application) -> dict[str, Any] | None:
        return self._document(application, refusal=False)

    @extend_schema_field(ApplicationResultSerializer(allow_null=True))
    def get_refusal_document(self, application: Application) -> dict[str, Any] | None:
        return self._document(application, refusal=True)


class ApplicationDetailSerializer(ApplicationListSerializer):
    person = serializers.SerializerMethodField()
    regulation = serializers.SerializerMethodField()
    registered_by = serializers.SerializerMethodField()
    steps = ApplicationStepSerializer(many=True)
    events = ApplicationEventSerializer(many=True)
    attachments = ApplicationAttachmentSerializer(many=True)
    refusal_grounds = RefusalGroundSerializer(many=True)
    refusal_reasons = serializers.CharField()

    @extend_schema_field(PersonDetailRefSerializer)
    def get_person(self, application: Application) -> dict[str, Any]:
        person = application.person
        return {"id": person.pk, "full_name": person.full_name, "iin_masked": mask_iin(person.iin)}

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"code": {"type": "string"}, "version": {"type": "integer"}},
            "required": ["code", "version"],
        }
    )
    def get_regulation(self, application: Application) -> dict[str, Any]:
        return {"code": application.regulation.code, "version": application.regulation.version}

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_registered_by(self, application: Application) -> dict[str, Any] | None:
        return _name_of(application.registered_by)


# --- Applications: input ---------------------------------------------------------------------------


class ApplicationFilterSerializer(serializers.Serializer):
    status = enum_field(ApplicationStatus, required=False)
    service = enum_field(ServiceCode, required=False)
    overdue = serializers.BooleanField(
        required=False,
        default=None,
        allow_null=True,
        help_text="true: only applications past their term (in progress or ended late)",
    )


class OfficeRegistrationSerializer(serializers.Serializer):
    centre = serializers.IntegerField(help_text="Id of the providing employment centre")
    person_iin = serializers.CharField(
        max_length=20, help_text="IIN of the recipient (in the body, never in a URL)"
    )
    service = enum_field(ServiceCode)
    requested_result = enum_field(
        REQUESTABLE,
        name="RequestableResultKind",
        required=False,
        allow_blank=True,
        default="",
        help_text="The referral asked for (active-measure referrals only, SVC-30)",
    )

    def validate_person_iin(self, value: str) -> str:
        try:
            return parse_iin(value).value
        except InvalidIIN as error:
            raise serializers.ValidationError(str(error.message), code=error.code) from error


class _PortalRequestFields(serializers.Serializer):
    centre = serializers.IntegerField(help_text="Id of the providing employment centre")
    service = enum_field(ServiceCode)
    requested_result = enum_field(
        REQUESTABLE,
        name="RequestableResultKind",
        required=False,
        allow_blank=True,
        default="",
    )


class PortalSubmissionSerializer(_PortalRequestFields):
    """The signed portal request (multipart)."""

    form = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The request form as a JSON object, exactly as given to request-bytes",
    )
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=MAX_ATTACHMENTS,
        help_text="Scans of the documents (PDF, JPEG, PNG): at least the identity document",
    )
    cms = Base64Field(help_text="Base64 of the CMS the citizen made over the request bytes")

    def validate_form(self, value: str) -> dict[str, Any]:
        if not value.strip():
            return {}
        try:
            form = json.loads(value)
        except ValueError as error:
            raise serializers.ValidationError(
                _("The form is not valid JSON."), code="invalid_json"
            ) from error
        if not isinstance(form, dict):
            raise serializers.ValidationError(
                _("The form must be a JSON object."), code="invalid_json"
            )
        return form


class PortalRequestBytesInputSerializer(_PortalRequestFields):
    form = serializers.DictField(required=False, default=dict)
    attachment_sha256 = serializers.ListField(
        child=serializers.RegexField(SHA256_HEX, max_length=64),
        required=False,
        default=list,
        max_length=MAX_ATTACHMENTS,
        help_text="SHA-256 (lower-case hex) of each scan to be attached",
    )


class PortalRequestBytesSerializer(serializers.Serializer):
    # The metaclass takes declared fields off the class, so this does not hide ``.data``.
    data = serializers.CharField(help_text="Base64 of exactly the bytes to sign")  # type: ignore[assignment]
    sha256 = serializers.CharField(help_text="SHA-256 of those bytes")


class StepAssignSerializer(serializers.Serializer):
    executor = serializers.IntegerField(help_text="Id of the user who performs the next step")


class StepDraftSerializer(serializers.Serializer):
    requested_result = enum_field(
        REQUESTABLE,
        name="RequestableResultKind",
        required=False,
        allow_blank=True,
        default="",
    )
    destination = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )
    details = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class StepSignSerializer(serializers.Serializer):
    cms = Base64Field(help_text="Base64 of the CMS the head made over the drafted PDF")


class StepRefuseSerializer(serializers.Serializer):
    grounds = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        help_text="Codes of the regulation's refusal grounds (SVC-04)",
    )
    reasons = serializers.CharField(required=False, allow_blank=True, default="")


# --- Public verification -----------------------------------------------------------------------


class DocumentVerificationSerializer(serializers.Serializer):
    """What a third party may know of a document: no IIN, the recipient as surname and initials."""

    status = enum_field(
        [DocumentStatus.SIGNED, DocumentStatus.REVOKED],
        name="VerificationStatus",
        help_text="signed: genuine and in force; revoked: withdrawn by the centre",
    )
    kind = enum_field(ResultKind)
    kind_name = serializers.CharField(source="get_kind_display")
    number = serializers.CharField()
    centre = serializers.CharField(source="application.centre.name")
    signed_at = serializers.DateTimeField(allow_null=True)
    signer = serializers.SerializerMethodField()
    pdf_sha256 = serializers.CharField()
    recipient = serializers.SerializerMethodField()
    revoked_at = serializers.DateTimeField(allow_null=True)

    def get_signer(self, document: ResultDocument) -> str:
        return document.signature.signer_name if document.signature else ""

    def get_recipient(self, document: ResultDocument) -> str:
        return masked_person(document.data)


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The PDF to compare with the one the centre issued")


class DocumentComparisonSerializer(DocumentVerificationSerializer):
    comparison = enum_field(
        ["same", "different"],
        name="Comparison",
        help_text="Is the uploaded file byte for byte the same?",
    )


def now_context(**extra: Any) -> dict[str, Any]:
    return {"now": timezone.now(), **extra}
